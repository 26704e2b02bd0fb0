import type { CustomerEvent, JsonObject } from './events';
import type { CustomerProfile, LifecycleStage } from './customer';
import type { MessagingConfig } from '../config/schema';

/** What the customer workflow hands a journey when it starts one. */
export interface JourneyInput<C> {
  journey: string;
  customerId: string;
  /** Instance key, e.g. the cart id, for journeys that run once per key. */
  key?: string;
  /** The event that started the journey. */
  trigger: CustomerEvent;
  customer: CustomerSnapshot;
  /** This journey's configuration section. */
  config: C;
  messaging: MessagingConfig;
  /** Signalled when the journey finishes; absent when the journey runs on its own (tests). */
  parentWorkflowId?: string;
}

/** The parts of the customer's state a journey may decide on, as of its start. */
export interface CustomerSnapshot {
  profile: CustomerProfile;
  stage: LifecycleStage;
  orders: number;
  totalSpent: number;
  firstSeenAt: string;
  signedUpAt?: string;
  firstOrderAt?: string;
  /** The segments the customer was in when the journey started (absent in runs from before segments). */
  segments?: string[];
}

export type JourneyOutcome = 'completed' | 'converted' | 'exited';

export interface SentMessage {
  step: string;
  /** Absent for email (and in journeys from before texts existed). */
  channel?: Channel;
  /** A webhook step's: its URL. */
  template: string;
  status: SendStatus;
  at: string;
  /** A message that went out: its outbox row id, which its opens and clicks carry as `email_id`. */
  emailId?: string;
}

export interface JourneyResult {
  journey: string;
  outcome: JourneyOutcome;
  reason?: string;
  variant?: string;
  holdout: boolean;
  sent: SentMessage[];
}

/** What the `state` query of a journey returns: no outcome while it runs. */
export interface JourneyView extends Omit<JourneyResult, 'outcome'> {
  outcome?: JourneyOutcome;
  customerId: string;
  key?: string;
  /** Where it is; once it has ended, its outcome (`converted`, `exited` or `completed`). */
  step: string;
  /** When the journey next wakes up by itself, if it is waiting. */
  nextWakeAt?: string;
  running: boolean;
}

export interface JourneyFinished {
  workflowId: string;
  journey: string;
  key?: string;
  outcome: JourneyOutcome;
}

/** How a message reaches its recipient: an email, a text message, or a call to the shop's own systems. */
export type Channel = 'email' | 'sms' | 'webhook';

/** The channels that reach the customer, whose consent and frequency cap apply. */
export type CustomerChannel = Exclude<Channel, 'webhook'>;

export interface SendRequest {
  /** Absent in requests from before texts existed: email. */
  channel?: CustomerChannel;
  /** Same key, same message: a retried activity never sends twice. */
  idempotencyKey: string;
  customerId: string;
  journey: string;
  step: string;
  template: string;
  variant?: string;
  /** Transactional messages bypass marketing consent, quiet hours and the frequency cap. */
  transactional: boolean;
  /** The marketing topic (messaging.topics) the customer may have left; absent in older requests. */
  topic?: string;
  /** Holdout: record the message as held out, send nothing. */
  holdout: boolean;
  /** When the frequency cap is full: true records the message `skipped`; false (default) answers `capped`, to retry. */
  skipIfCapped?: boolean;
  data: JsonObject;
}

/** A webhook step: one signed call to the shop's own systems, made once per step. */
export interface WebhookRequest {
  idempotencyKey: string;
  customerId: string;
  journey: string;
  step: string;
  variant?: string;
  /** An http(s) URL of the shop's. */
  url: string;
  /** Sent as the payload's `data`, with the customer, journey and step. */
  body: JsonObject;
}

/** `sent`: the receiver answered 2xx; `failed`: it refused (4xx) or could not be called, for good. */
export interface WebhookOutcome {
  status: 'sent' | 'failed';
  reason?: string;
  /** The receiver's HTTP status. */
  responseStatus?: number;
  /** Its answer when it was JSON (at most WEBHOOK_RESPONSE_LIMIT bytes), for the next step. */
  response?: unknown;
}

/**
 * `failed`: permanently undeliverable (a 5xx SMTP reply, a broken template); recorded, not retried.
 * `capped`: the frequency cap is full now (retry at `retryAt`); `skipped`: given up for that reason.
 */
export type SendStatus = 'sent' | 'holdout' | 'suppressed' | 'capped' | 'skipped' | 'failed';

export interface SendOutcome {
  status: SendStatus;
  /** Why it was suppressed (unsubscribed, bounced, erased...), skipped or failed. */
  reason?: string;
  /** For `capped`: when the frequency window has room again (ISO). */
  retryAt?: string;
  /**
   * For `sent`: the message's outbox row id, which its tracking events carry as `email_id` (a
   * text's link clicks too). Absent in histories from before it existed.
   */
  emailId?: string;
}
