import type { Channel } from '../../shared/journey';
import type { ChannelStats, HoldoutComparison, MessageStats } from './stats-types';

// The statistics' SQL rows (journey-stats-sql.ts) as numbers, rates and dates.

export type Row = Record<string, unknown>;

function num(value: unknown): number {
  return Number(value ?? 0);
}

function orNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

export function messageStats(r: Row): MessageStats {
  return {
    sent: num(r.sent),
    delivered: num(r.delivered),
    undelivered: num(r.undelivered),
    failed: num(r.failed),
    opens: num(r.opens),
    uniqueOpens: num(r.unique_opens),
    clicks: num(r.clicks),
    uniqueClicks: num(r.unique_clicks),
    machineOpens: num(r.machine_opens),
    machineClicks: num(r.machine_clicks),
    unsubscribes: num(r.unsubscribes),
    bounces: num(r.bounces),
    complaints: num(r.complaints),
    heldOut: num(r.held_out),
    skipped: num(r.skipped),
    conversions: num(r.conversions),
    revenue: num(r.revenue),
    openRate: rate(num(r.unique_opens), num(r.delivered_emails)),
    clickRate: rate(num(r.unique_clicks), num(r.delivered_emails_and_texts)),
    firstActivityAt: (r.first_activity_at as Date | null) ?? null,
    lastActivityAt: (r.last_activity_at as Date | null) ?? null,
  };
}

export function channelStats(r: Row): ChannelStats {
  return { channel: r.channel as Channel, ...messageStats(r) };
}

export function holdoutComparison(r: Row): HoldoutComparison {
  return {
    holdoutCustomers: num(r.holdout_customers),
    holdoutConversions: num(r.holdout_conversions),
    holdoutConversionRate: orNull(r.holdout_rate),
    treatedCustomers: num(r.treated_customers),
    treatedConversions: num(r.treated_conversions),
    treatedConversionRate: orNull(r.treated_rate),
    lift: orNull(r.lift),
  };
}
