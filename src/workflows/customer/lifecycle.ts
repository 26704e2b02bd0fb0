import { msToNumber } from '@temporalio/common/lib/time';
import type { JourneysConfig } from '../../config/schema';
import type { CustomerProfile, CustomerState, LifecycleStage } from '../../shared/customer';
import {
  Events,
  leavesEmailMarketing,
  numberProp,
  rejoinsEmailMarketing,
  type CustomerEvent,
} from '../../shared/events';
import type { CustomerSnapshot } from '../../shared/journey';
import { profileChange } from '../../shared/profile';

// The lifecycle model: what one event does to a customer's state, and which stage that puts
// them in. Pure functions of (state, event, now, config), so they are easy to test and replay.

export function newCustomerState(customerId: string, now: string): CustomerState {
  return {
    customerId,
    stage: 'prospect',
    consent: 'pending',
    profile: {},
    firstSeenAt: now,
    lastActivityAt: now,
    orders: 0,
    totalSpent: 0,
    eventsProcessed: 0,
    running: {},
    entered: {},
  };
}

/** Events that are the system talking about the customer, not the customer doing something. */
const NOT_ACTIVITY: string[] = [Events.EmailBounced, Events.Unsubscribed];

/** The profile fields the workflow keeps (the PostgreSQL profile has them all). */
const KEPT = ['timezone', 'locale', 'birthday'] as const;

/** Applies the event's profile change by the rule PostgreSQL's profile follows too (shared/profile.ts). */
function applyProfile(profile: CustomerProfile, event: CustomerEvent): void {
  const { set, fill } = profileChange(event);
  for (const field of KEPT) {
    const value = set[field];
    if (value === null) delete profile[field];
    else if (value !== undefined) profile[field] = value;
  }
  for (const field of ['timezone', 'locale'] as const) {
    if (profile[field] === undefined && fill[field] !== undefined) profile[field] = fill[field];
  }
}

export function applyEvent(state: CustomerState, event: CustomerEvent, now: string): void {
  state.eventsProcessed++;
  // A privacy proxy's or a link scanner's open is no sign of the customer (runs since segments know it).
  const machine = state.audience !== undefined && event.properties?.machine !== undefined;
  if (!NOT_ACTIVITY.includes(event.event) && !machine) state.lastActivityAt = now;
  applyProfile(state.profile, event);
  switch (event.event) {
    case Events.SignedUp:
      state.signedUpAt ??= now;
      break;
    case Events.EmailConfirmed:
      state.consent = 'subscribed';
      break;
    case Events.Unsubscribed:
      if (leavesEmailMarketing(event)) state.consent = 'unsubscribed';
      break;
    case Events.OrderCompleted:
      state.orders++;
      state.totalSpent += numberProp(event, 'revenue') ?? numberProp(event, 'total') ?? 0;
      state.firstOrderAt ??= now;
      break;
    case Events.PreferenceUpdated:
      if (rejoinsEmailMarketing(event)) state.consent = 'subscribed';
      break;
  }
}

/** The stage the customer is in at `now`: silence first, then purchase history. */
export function stageAt(state: CustomerState, now: number, config: JourneysConfig['lifecycle']): LifecycleStage {
  const silentFor = now - Date.parse(state.lastActivityAt);
  if (state.orders > 0 && silentFor >= msToNumber(config.lapsedAfter)) return 'lapsed';
  if (state.orders > 0 && silentFor >= msToNumber(config.atRiskAfter)) return 'at-risk';
  if (state.orders >= config.loyalAfterOrders || (state.orders > 0 && state.totalSpent >= config.loyalAfterSpend)) {
    return 'loyal';
  }
  if (state.orders >= config.repeatAfterOrders) return 'repeat';
  return state.orders > 0 ? 'new-customer' : 'prospect';
}

/** When, with no further activity, the stage next changes by itself (at-risk, then lapsed). */
export function nextStageChangeAt(state: CustomerState, config: JourneysConfig['lifecycle']): number | undefined {
  if (state.orders === 0) return undefined;
  const last = Date.parse(state.lastActivityAt);
  if (state.stage === 'lapsed') return undefined;
  if (state.stage === 'at-risk') return last + msToNumber(config.lapsedAfter);
  return last + msToNumber(config.atRiskAfter);
}

export function snapshot(state: CustomerState): CustomerSnapshot {
  return {
    profile: { ...state.profile },
    stage: state.stage,
    orders: state.orders,
    totalSpent: state.totalSpent,
    firstSeenAt: state.firstSeenAt,
    signedUpAt: state.signedUpAt,
    firstOrderAt: state.firstOrderAt,
    ...(state.audience ? { segments: [...state.audience.segments] } : {}),
  };
}
