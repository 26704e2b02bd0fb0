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
}

export type JourneyOutcome = 'completed' | 'converted' | 'exited';

export interface SentMessage {
  step: string;
  template: string;
  status: SendStatus;
  at: string;
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

export interface SendRequest {
  /** Same key, same email: a retried activity never sends twice. */
  idempotencyKey: string;
  customerId: string;
  journey: string;
  step: string;
  template: string;
  variant?: string;
  /** Transactional email bypasses marketing consent, quiet hours and the frequency cap. */
  transactional: boolean;
  /** Holdout: record the message as held out, send nothing. */
  holdout: boolean;
  /** When the frequency cap is full: true records the message `skipped`; false (default) answers `capped`, to retry. */
  skipIfCapped?: boolean;
  data: JsonObject;
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
}
