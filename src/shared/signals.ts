import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CustomerState } from './customer';
import type { CustomerEvent } from './events';
import type { JourneyFinished, JourneyView } from './journey';

// Signal and query names are part of the public contract: the API, the Web UI and
// `temporal workflow query --name state` use them.

/** An event for a customer (to `customer-<id>`) or forwarded to one of their journeys. */
export const eventSignal = defineSignal<[CustomerEvent]>('event');

/**
 * How the dispatcher delivers a customer's stored events (signal-with-start to `customer-<id>`): all
 * that were waiting, in the order they were accepted, in one signal, so a burst costs the workflow
 * one task. The workflow ignores a messageId it has seen, so a redelivery changes nothing.
 */
export const eventsSignal = defineSignal<[CustomerEvent[]]>('events');

/**
 * How the API delivered an event to `customer-<id>` before the dispatcher (update-with-start,
 * update id = messageId). Kept so events in flight from an older API still land.
 */
export const ingestUpdate = defineUpdate<IngestResult, [CustomerEvent]>('ingest');

export interface IngestResult {
  /** True when this messageId was seen before and the event was ignored. */
  duplicate: boolean;
}
/** A journey tells its customer workflow it has finished. */
/** To a running journey whose audience has `exitOnLeave`: the customer left it, the journey ends as `exited`. */
export const audienceLeftSignal = defineSignal<[{ reason: string }]>('audienceLeft');

export const journeyFinishedSignal = defineSignal<[JourneyFinished]>('journeyFinished');
/** A product-level event (e.g. Product Restocked), to `product-<productId>`. */
export const productEventSignal = defineSignal<[CustomerEvent]>('productEvent');

export const customerStateQuery = defineQuery<CustomerState>('state');
export const journeyStateQuery = defineQuery<JourneyView>('state');

// Workflow ids: readable in the Web UI, and injective, so two customers (or two carts) never share
// one. `customer-` and `product-` are a fixed prefix followed by the whole id, which alone tells
// them apart. A journey's id has several parts: they are joined with '/', and a '/' or '%' inside a
// part is percent-encoded, so `journey/abandoned-cart/c-1/x` and `journey/abandoned-cart/c/1-x`
// stay two ids.
export const customerWorkflowId = (customerId: string): string => `customer-${customerId}`;
export const productWorkflowId = (productId: string): string => `product-${productId}`;

const part = (text: string): string => text.replaceAll('%', '%25').replaceAll('/', '%2F');

export const journeyWorkflowId = (journey: string, customerId: string, key?: string): string =>
  ['journey', journey, customerId, ...(key === undefined ? [] : [key])].map(part).join('/');

/**
 * The ids journeys started with before `injective-journey-ids` (`journey-<name>-<customerId>-<key>`,
 * where a dash inside a part made two customers' ids one): still how running ones are reached.
 */
export const legacyJourneyWorkflowId = (journey: string, customerId: string, key?: string): string =>
  key === undefined ? `journey-${journey}-${customerId}` : `journey-${journey}-${customerId}-${key}`;
