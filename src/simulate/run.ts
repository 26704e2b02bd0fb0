import type { WorkflowHandle } from '@temporalio/client';
import type { JourneysConfig } from '../config/schema';
import { customerStateQuery, customerWorkflowId } from '../shared/signals';
import type { Attempt } from './capture';
import { storedEventCount } from '../db/events';
import {
  CATALOGUE_CALL,
  isShopCall,
  STORES_CALL,
  SimulationInputError,
  type SimCustomer,
  type TimelineEntry,
} from './inputs';
import { journeysOf, type JourneyRun } from './journey-runs';
import { segmentChangesOf, type SegmentChange } from './segment-changes';
import { describeEngagement, engage, isEngagement, type EngagementCall } from './engagement';
import { SIMULATION_ADMIN_KEY, SIMULATION_KEY, startSandbox, type Sandbox } from './sandbox';

export interface Simulation {
  customer: SimCustomer;
  /** The timeline's events, at their simulated times. */
  events: TimelineEntry[];
  /** Simulated start and end (epoch ms). */
  start: number;
  until: number;
  config: JourneysConfig;
  /** Names the timeline file in errors. */
  timelineName: string;
  log?: (line: string) => void;
}

export interface SimulationResult {
  attempts: Attempt[];
  journeys: JourneyRun[];
  /** The customer's segments as they changed. */
  segments: SegmentChange[];
  events: TimelineEntry[];
  /** Where the simulation stopped (epoch ms). */
  until: number;
  /** Wall time of the simulated span alone, and with the product's start and stop. */
  simulatedMs: number;
  totalMs: number;
}

/** How long one event may take from the API to the customer workflow before the run gives up. */
const DELIVERY_TIMEOUT_MS = 30_000;

/**
 * Runs a customer's timeline through the real product on a time-skipping server: each event sent
 * to the API as a backend would, at its simulated time, and taken by the customer workflow before
 * time moves on; then time runs on to `until`, journeys sleeping and waking as they would.
 */
export async function simulate(sim: Simulation): Promise<SimulationResult> {
  const log = sim.log ?? (() => undefined);
  const began = Date.now();
  const sandbox = await startSandbox(sim.config, log);
  try {
    const startedAt = Date.now();
    const customer = sandbox.env.client.workflow.getHandle(customerWorkflowId(sim.customer.userId));
    await timeTo(sandbox, sim.start);
    let sent = 0;
    for (const entry of sim.events) {
      await timeTo(sandbox, entry.at);
      if (isEngagement(entry.call)) {
        // An open or a click, through the API: the event it stores (once per email and reader) is taken before time moves on.
        await engage(sandbox, sim.customer.userId, entry.call as EngagementCall, where(entry, sim.timelineName));
        sent = await storedEventCount(sandbox.pool, sim.customer.userId);
        await processed(customer, sent, entry, sim.timelineName);
      } else await post(sandbox, entry, sim.timelineName);
      // A catalogue or stores call is the shop's, not the customer's: their workflow takes no event from it.
      if (!isShopCall(entry.call) && !isEngagement(entry.call)) {
        await processed(customer, ++sent, entry, sim.timelineName);
        // What the product derived from it (Store Nearby, from a location) follows it: taken too before time moves on.
        sent = Math.max(sent, await storedEventCount(sandbox.pool, sim.customer.userId));
        await processed(customer, sent, entry, sim.timelineName);
      }
      log(`  ${new Date(entry.at).toISOString()}  ${describeCall(entry.call)}`);
    }
    await timeTo(sandbox, sim.until);
    const journeys = await journeysOf(sandbox.env.client, customer.workflowId);
    const segments = await segmentChangesOf(sandbox.env.client, customer.workflowId);
    const simulatedMs = Date.now() - startedAt;
    return {
      attempts: sandbox.capture.attempts,
      journeys,
      segments,
      events: sim.events,
      until: sim.until,
      simulatedMs,
      totalMs: Date.now() - began,
    };
  } finally {
    await sandbox.stop();
  }
}

async function timeTo(sandbox: Sandbox, at: number): Promise<void> {
  const now = Number(await sandbox.env.currentTimeMs());
  if (at > now) await sandbox.env.sleep(at - now);
  // The API's clock too: an open or click is recorded at the simulated time.
  sandbox.capture.advanceTo(Math.max(at, now));
}

/** Sends the call to the API as Segment's libraries (or the shop, for its catalogue) would; a refusal names the event. */
async function post(sandbox: Sandbox, entry: TimelineEntry, file: string): Promise<void> {
  const shop = isShopCall(entry.call);
  const body =
    entry.call.type === CATALOGUE_CALL
      ? { products: entry.call.products }
      : entry.call.type === STORES_CALL
        ? { stores: entry.call.stores }
        : { ...entry.call, messageId: `simulated-${entry.index}`, timestamp: new Date(entry.at).toISOString() };
  const key = shop ? SIMULATION_ADMIN_KEY : SIMULATION_KEY;
  const response = await fetch(`${sandbox.apiUrl}/v1/${String(entry.call.type)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.ok) return;
  const refusal = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
  throw new SimulationInputError(
    `${where(entry, file)}: the API refused it (${response.status}): ${refusal.error?.message ?? response.statusText}`,
  );
}

/** Waits (in real time, simulated time held still) until the customer workflow has taken `count` events. */
async function processed(customer: WorkflowHandle, count: number, entry: TimelineEntry, file: string): Promise<void> {
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const state = await customer.query(customerStateQuery).catch(() => undefined); // not started yet
    if (state && state.eventsProcessed >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${where(entry, file)} did not reach the customer workflow within ${DELIVERY_TIMEOUT_MS / 1000} s`);
}

const where = (entry: TimelineEntry, file: string): string =>
  entry.index < 0 ? 'the customer file' : `${file}, event ${entry.index + 1} (${describeCall(entry.call)})`;

export function describeCall(call: Record<string, unknown>): string {
  if (call.type === 'track') return `track "${String(call.event)}"`;
  if (isEngagement(call)) return describeEngagement(call);
  if (call.type === STORES_CALL)
    return `stores: ${(call.stores as { id?: unknown }[]).map((s) => String(s.id)).join(', ')}`;
  if (call.type !== CATALOGUE_CALL) return String(call.type);
  const products = (call.products as { id?: unknown; inStock?: unknown }[]).map(
    (p) => `${String(p.id)}${p.inStock === false ? ' (out of stock)' : ''}`,
  );
  return `catalogue: ${products.join(', ')}`;
}
