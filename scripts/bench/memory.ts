// The memory phase of `npm run bench`: the worker's resident memory as sleeping customers grow.
// Each customer is a customer workflow and an abandoned-cart journey asleep until its first
// reminder (an hour away), the commonest shape of a quiet shop's worker.
import { Events, type CustomerEvent } from '../../src/shared/events';
import type { Stack } from './stack';
import { timed } from './timed';

export interface MemoryRow {
  customers: number;
  /** The worker's RSS once it has put every customer (and journey) to sleep. */
  workerMiB: number;
}

/** Worker RSS at each of `checkpoints` sleeping customers (ascending; 0 measures the idle worker). */
export async function benchSleepingMemory(
  stack: Stack,
  opts: { checkpoints: number[]; concurrency: number; progress(line: string): void },
): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = [];
  let started = 0;
  for (const target of opts.checkpoints) {
    opts.progress(`memory: putting ${target} customers to sleep...`);
    const ids = Array.from({ length: target - started }, (_, i) => `sleeper-${started + i}`);
    await timed(
      ids.map((id) => () => fillCart(stack, id)),
      opts.concurrency,
    );
    started = target;
    await stack.idle();
    rows.push({ customers: target, workerMiB: stack.memory().worker });
  }
  return rows;
}

/** A customer puts a product in a cart, as the API would deliver it. */
async function fillCart(stack: Stack, customerId: string): Promise<void> {
  const added: CustomerEvent = {
    messageId: `${customerId}-cart`,
    type: 'track',
    event: Events.ProductAdded,
    userId: customerId,
    timestamp: new Date().toISOString(),
    properties: { cart_id: `${customerId}-cart`, product_id: 'mug', name: 'Mug', price: 9 },
  };
  await stack.signalRaw(added);
}
