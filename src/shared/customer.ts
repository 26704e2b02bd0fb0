import type { AudienceState } from './segments';

// The customer entity workflow's state, as its `state` query returns it.

/**
 * Events older than this start no journey (config `customer.freshnessWindow`). Also what a run
 * whose recorded configuration predates the setting uses.
 */
export const DEFAULT_FRESHNESS_WINDOW = '24 hours';

/** Customers of anonymous visitors are keyed `anonymous:<anonymousId>`, apart from every userId. */
export const ANONYMOUS_PREFIX = 'anonymous:';
export const anonymousCustomerId = (anonymousId: string): string => `${ANONYMOUS_PREFIX}${anonymousId}`;

export type LifecycleStage = 'prospect' | 'new-customer' | 'repeat' | 'loyal' | 'at-risk' | 'lapsed';

export interface CustomerProfile {
  /** IANA zone, e.g. "Europe/Berlin"; journeys schedule local-time sends in it. */
  timezone?: string;
  locale?: string;
  /** YYYY-MM-DD (or --MM-DD when the year is unknown). */
  birthday?: string;
}

export interface RunningJourney {
  journey: string;
  key?: string;
  startedAt: string;
}

export interface CustomerState {
  customerId: string;
  stage: LifecycleStage;
  /** Marketing consent; transactional email does not depend on it. */
  consent: 'subscribed' | 'pending' | 'unsubscribed';
  profile: CustomerProfile;
  firstSeenAt: string;
  signedUpAt?: string;
  lastActivityAt: string;
  firstOrderAt?: string;
  orders: number;
  totalSpent: number;
  /** Events processed over the customer's whole life (duplicates excluded). */
  eventsProcessed: number;
  /** Running journey children by workflow id. */
  running: Record<string, RunningJourney>;
  /** Segments and what they are evaluated from (absent in runs from before segments: docs/architecture.md, decision 26). */
  audience?: AudienceState;
  /** Last entry time per journey instance ("<journey>" or "<journey>:<key>"), for re-entry rules. */
  entered: Record<string, string>;
}
