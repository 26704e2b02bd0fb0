import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '../db/events';
import type { CallType } from '../shared/events';
import { anonymousCustomerId } from '../shared/customer';
import { isEventTime } from './segment-calls';

/** A call after validation: the fields of every call type, each present where its type has it. */
export interface ValidCall {
  type?: CallType;
  userId?: string;
  anonymousId?: string;
  messageId?: string;
  timestamp?: string;
  originalTimestamp?: string;
  sentAt?: string;
  context?: Record<string, unknown> & { traits?: Record<string, unknown> };
  event?: string;
  name?: string;
  category?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  groupId?: string;
  previousId?: string;
}

/** What the request adds to each of its calls: when it arrived, and a batch's sentAt and context. */
export interface Arrival {
  receivedAt: number;
  sentAt?: string;
  context?: Record<string, unknown>;
}

/**
 * When the event happened, as Segment computes it: the client's time for it, moved by the
 * client's clock skew (now minus its sentAt, by the same clock), so a phone whose clock is an
 * hour off still records the right hour. Without a sentAt the client's time stands; without any
 * time, the arrival. A correction that would leave the years 1900-9999 is not applied.
 */
function occurredAt(call: ValidCall, arrival: Arrival): string {
  const clientTime = call.originalTimestamp ?? call.timestamp;
  if (!clientTime) return new Date(arrival.receivedAt).toISOString();
  const sentAt = call.sentAt ?? arrival.sentAt;
  const corrected = sentAt ? Date.parse(clientTime) + (arrival.receivedAt - Date.parse(sentAt)) : NaN;
  return new Date(isEventTime(corrected) ? corrected : Date.parse(clientTime)).toISOString();
}

/**
 * The event a Segment call becomes. An anonymous visitor's calls belong to the customer
 * `anonymous:<anonymousId>`. A track call keeps its name; the others are named by their type, with
 * what they carry in properties (a page's name and category, a group's id and traits, an alias's
 * previous id). The traits of identify, or those another call carries in context.traits, update
 * the profile; a group's traits are the group's, not the customer's. A call that names both a
 * userId and an anonymousId (or an alias) links the visitor to the customer (db/identity.ts).
 */
export function storedEvent(call: ValidCall, type: CallType, arrival: Arrival): StoredEvent {
  const context = { ...arrival.context, ...call.context };
  const event: StoredEvent = {
    // Segment's libraries always send one; a missing messageId gets one, so it is still stored once.
    messageId: call.messageId ?? randomUUID(),
    type,
    event: type === 'track' ? call.event! : type,
    userId: call.userId ?? anonymousCustomerId(call.anonymousId!),
    timestamp: occurredAt(call, arrival),
    context,
  };
  const traits = type === 'identify' ? (call.traits ?? {}) : call.context?.traits;
  if (traits) event.traits = traits;
  if (type === 'track') event.properties = call.properties ?? {};
  if (type === 'page' || type === 'screen') {
    event.properties = { ...call.properties, ...pick(call, ['name', 'category']) };
  }
  if (type === 'group') event.properties = { group_id: call.groupId, traits: call.traits ?? {} };
  if (type === 'alias') event.properties = { previous_id: call.previousId };
  // The visitor this customer was before: a call with both ids, or an alias from the earlier id.
  const before = type === 'alias' ? call.previousId : call.userId && call.anonymousId;
  if (before) event.wasAnonymous = anonymousCustomerId(before);
  return event;
}

function pick(call: ValidCall, keys: ('name' | 'category')[]): Record<string, string> {
  return Object.fromEntries(keys.flatMap((k) => (call[k] === undefined ? [] : [[k, call[k]]])));
}
