import type { Channel } from '../../shared/journey';

// What the journey statistics report; what each number means is defined in journey-stats-sql.ts.

export interface MessageStats {
  /** Handed over: emails SMTP accepted, texts the provider took, webhook calls answered with a 2xx. */
  sent: number;
  /** Emails sent and not bounced, texts the provider reported delivered, webhook calls answered with a 2xx. */
  delivered: number;
  /** Texts the provider reported undelivered or failed. */
  undelivered: number;
  /** Status 'failed': refused at the hand-off, a webhook call answered 4xx or not made, a text reported undelivered. */
  failed: number;
  /** A person's opens and clicks: machines' (Apple's privacy proxy, security scanners) are counted apart. */
  opens: number;
  uniqueOpens: number;
  clicks: number;
  uniqueClicks: number;
  /** Opens by Apple Mail Privacy Protection's prefetch or a scanner, every one: not in `opens`. */
  machineOpens: number;
  /** Clicks by security scanners (within seconds of the send, a scanner's User-Agent, HEAD), every one: not in `clicks`. */
  machineClicks: number;
  /** Opt-outs on both channels: an email's unsubscribe link, a STOP reply to a text. */
  unsubscribes: number;
  bounces: number;
  complaints: number;
  /** Messages recorded for held-out customers (status 'holdout'): not sent. */
  heldOut: number;
  /** Marketing messages given up because the customer's frequency cap stayed full (status 'skipped'). */
  skipped: number;
  conversions: number;
  revenue: number;
  /** Unique opens per delivered email; null with no email delivered (texts have no opens). */
  openRate: number | null;
  /** Unique clicks per delivered email or text; null with none delivered (webhook calls have no links). */
  clickRate: number | null;
  firstActivityAt: Date | null;
  lastActivityAt: Date | null;
}

/** The messages of one channel. */
export interface ChannelStats extends MessageStats {
  channel: Channel;
}

export interface HoldoutComparison {
  holdoutCustomers: number;
  holdoutConversions: number;
  holdoutConversionRate: number | null;
  treatedCustomers: number;
  treatedConversions: number;
  treatedConversionRate: number | null;
  /** (treated rate - holdout rate) / holdout rate; null without a holdout conversion to compare to. */
  lift: number | null;
}

/** One journey: its totals over every channel, and per channel. */
export interface JourneyStats extends MessageStats {
  journey: string;
  /** By channel (email, sms, webhook), those the journey used only. */
  channels: ChannelStats[];
  holdout: HoldoutComparison;
}

/** Every journey, and every channel over all of them. */
export interface JourneysReport {
  journeys: JourneyStats[];
  channels: ChannelStats[];
}

/** One step, variant and channel: a step that went out on two channels has a row for each. */
export interface StepStats extends MessageStats {
  step: string;
  variant: string | null;
  channel: Channel;
}

export interface JourneyStepStats {
  journey: string;
  /** In the order the journey first reached them. */
  steps: StepStats[];
  /** The journey by channel, as in JourneyStats. */
  channels: ChannelStats[];
  holdout: HoldoutComparison;
}
