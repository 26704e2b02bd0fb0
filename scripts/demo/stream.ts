import type { Call, JourneysApi } from './api-client';
import type { Product } from './catalogue';
import type { DemoCustomer } from './customers';
import type { Step } from './plan';

// Sending the timeline (plan.ts): in real time so the Web UI shows journeys starting one after
// another, or all at once (--fast).

export interface StreamDeps {
  api: JourneysApi;
  /** All at once rather than in real time. */
  fast: boolean;
  /** Clicks the customer's confirmation link; false if it could not. Runs alongside the stream. */
  confirm: (customer: DemoCustomer) => Promise<boolean>;
  restock: (products: Product[]) => Promise<void>;
  /** Opens and clicks the customer's latest email from `journey`; false if there was none. */
  clickThrough: (customer: DemoCustomer, journey: string) => Promise<boolean>;
  /** After each request, with the number of events it carried. */
  onSent: (events: number) => void;
}

export interface StreamResult {
  events: number;
  requests: number;
  confirmed: number;
  notConfirmed: number;
  /** Customers who came back through an email before ordering. */
  cameBack: number;
  restocked: Product[];
}

/** At most this many events per /v1/batch request. */
const BATCH = 100;

/** Sends the timeline: calls due together go as one /v1/batch, a call on its own to /v1/track or /v1/identify. */
export async function runStream(steps: Step[], deps: StreamDeps): Promise<StreamResult> {
  const result: StreamResult = { events: 0, requests: 0, confirmed: 0, notConfirmed: 0, cameBack: 0, restocked: [] };
  const started = Date.now();
  let pending: Call[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const calls = pending;
    pending = [];
    await deps.api.send(calls);
    result.requests += 1;
    result.events += calls.length;
    deps.onSent(calls.length);
  };
  const confirmations: Promise<void>[] = [];
  const restocks: Product[][] = [];

  for (const step of steps) {
    const wait = deps.fast ? 0 : started + step.at * 1000 - Date.now();
    if (wait > 0) {
      await flush();
      await sleep(wait);
    }
    if ('call' in step) {
      pending.push(step.call);
      if (pending.length >= BATCH) await flush();
    } else if ('confirm' in step) {
      const confirmation = deps.confirm(step.confirm).catch(() => false);
      confirmations.push(
        confirmation.then((ok) => {
          if (ok) result.confirmed++;
          else result.notConfirmed++;
        }),
      );
    } else if ('clickThrough' in step) {
      await flush(); // what they did before comes first
      if (await deps.clickThrough(step.clickThrough, step.journey).catch(() => false)) result.cameBack++;
    } else {
      restocks.push(step.restock);
    }
    if (!deps.fast && 'restock' in step) await restockNow();
  }
  await flush();
  await Promise.all(confirmations);
  if (restocks.length > 0) {
    await sleep(3000); // --fast: give the last back-in-stock journeys time to join the waiting list
    await restockNow();
  }
  return result;

  async function restockNow(): Promise<void> {
    await flush();
    for (const products of restocks.splice(0)) {
      await deps.restock(products);
      result.restocked.push(...products);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
