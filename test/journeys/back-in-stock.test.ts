import type { WorkflowHandle } from '@temporalio/client';
import type { CustomerEvent } from '../../src/shared/events';
import { journeyStateQuery, productEventSignal } from '../../src/shared/signals';
import { backInStock, product } from '../fixtures/back-in-stock-workflows';
import { journeyInput, StubActivities, track, useWorker } from '../helpers/journeys';
import { useTimeSkippingEnv } from '../helpers/temporal';
import { recordHistory } from '../helpers/histories';
import { eventually } from '../helpers/eventually';

const DAY = 24 * 3600_000;

describe('back-in-stock journey and product fan-out', () => {
  const env = useTimeSkippingEnv();
  const stub = new StubActivities(env);
  /** Every page of the waiting list the product workflow asked for: [productId, after]. */
  let lookups: [string, string | null][] = [];
  const taskQueue = useWorker(env, {
    workflowsPath: require.resolve('../fixtures/back-in-stock-workflows'),
    activities: () => {
      const activities = stub.activities;
      const lookup = activities.waitingForProduct;
      activities.waitingForProduct = async (productId, after, limit) => {
        lookups.push([productId, after]);
        return lookup(productId, after, limit);
      };
      return activities;
    },
  });
  beforeEach(() => {
    stub.reset();
    lookups = [];
  });

  const start = async (customerId: string, productId: string) => {
    const trigger = track('Back In Stock Requested', { product_id: productId, name: 'Trail shoes' }, customerId);
    const input = journeyInput('back-in-stock', 'backInStock', { trigger, key: productId });
    const handle = await env().client.workflow.start(backInStock, {
      args: [input],
      taskQueue: taskQueue(),
      workflowId: `journey-back-in-stock-${customerId}-${productId}`,
    });
    return handle;
  };
  const waiting = (productId: string) =>
    stub.backInStock
      .filter((w) => w.productId === productId)
      .map((w) => w.customerId)
      .sort();
  /** Waits (real time) until the journeys have put their customers on the waiting list. */
  const untilWaiting = async (productId: string, count: number) => {
    await eventually(() => waiting(productId).length >= count, `${count} on the waiting list of ${productId}`);
    expect(waiting(productId)).toHaveLength(count);
  };
  /**
   * Waits (real time, with the test server's clock held) until the workflow has closed. Waiting
   * with result() would let the server skip ahead to the next timer, expiring the other wishes.
   */
  const untilClosed = (handle: WorkflowHandle) =>
    eventually(async () => (await handle.describe()).status.name !== 'RUNNING', `${handle.workflowId} to close`);
  const restock = async (productId: string, event: CustomerEvent) =>
    env().client.workflow.signalWithStart(product, {
      workflowId: `product-${productId}`,
      signal: productEventSignal,
      signalArgs: [event],
      args: [{ productId }],
      taskQueue: taskQueue(),
    });
  const restockEvent = (productId: string, properties: Record<string, unknown> = {}) =>
    track('Product Restocked', { product_id: productId, ...properties }, 'inventory');

  it('tells every customer waiting for a restocked product, once, and no one else', async () => {
    const journeys = await Promise.all(['bis-a', 'bis-b', 'bis-c'].map((c) => start(c, 'p-9')));
    const other = await start('bis-d', 'p-7');
    await untilWaiting('p-9', 3);
    await untilWaiting('p-7', 1);

    const event = restockEvent('p-9', { name: 'Trail shoes', url: 'https://shop.example/p-9', price: 120 });
    await untilClosed(await restock('p-9', event));
    for (const journey of journeys) {
      await untilClosed(journey);
      expect(await journey.query(journeyStateQuery)).toMatchObject({ running: false, outcome: 'completed' });
    }
    for (const customerId of ['bis-a', 'bis-b', 'bis-c']) {
      expect(stub.emailsTo(customerId).map((e) => [e.step, e.template, e.data, e.transactional])).toEqual([
        [
          'back-in-stock',
          'back-in-stock',
          { productId: 'p-9', name: 'Trail shoes', url: 'https://shop.example/p-9' },
          true,
        ],
      ]);
    }
    expect(stub.emailsTo('bis-d')).toEqual([]);
    expect(waiting('p-9')).toEqual([]);
    expect(waiting('p-7')).toEqual(['bis-d']);
    expect(lookups).toEqual([['p-9', null]]);
    expect(await other.query(journeyStateQuery)).toMatchObject({ step: 'waiting for restock', running: true });
    await other.terminate('test done');
    await recordHistory(journeys[0], 'back-in-stock');
  });

  it('sends one email even when the restock is delivered twice', async () => {
    const journey = await start('bis-e', 'p-8');
    await untilWaiting('p-8', 1);
    const event = restockEvent('p-8');
    await restock('p-8', event);
    await restock('p-8', event);
    await restock('p-8', restockEvent('p-8')); // a later restock, too
    expect((await journey.result()).outcome).toBe('completed');
    await env().client.workflow.getHandle('product-p-8').result();
    expect(stub.emailsTo('bis-e').map((e) => [e.step, e.data])).toEqual([['back-in-stock', { productId: 'p-8' }]]);
  });

  it('gives up after 90 days when the product is never restocked', async () => {
    const startedAt = await env().currentTimeMs();
    const journey = await start('bis-f', 'p-6');
    await untilWaiting('p-6', 1);
    const result = await journey.result();
    expect(result).toMatchObject({ outcome: 'exited', reason: 'expired', sent: [] });
    const endedAt = (await journey.describe()).closeTime!.getTime();
    expect(endedAt - startedAt).toBeGreaterThanOrEqual(90 * DAY);
    expect(endedAt - startedAt).toBeLessThan(91 * DAY);
    expect(stub.emailsTo('bis-f')).toEqual([]);
    expect(waiting('p-6')).toEqual([]);
  });

  it('pages through a long waiting list, continuing as new, and reaches the last customer', async () => {
    // 800 stale wishes (journeys long gone) sort before the one customer still waiting.
    for (let i = 0; i < 800; i++)
      stub.backInStock.push({ customerId: `a-${String(i).padStart(4, '0')}`, productId: 'p-5' });
    const journey = await start('zz-last', 'p-5');
    await untilWaiting('p-5', 801);

    const handle = await restock('p-5', restockEvent('p-5'));
    await handle.result();
    await recordHistory(env().client.workflow.getHandle(handle.workflowId, handle.signaledRunId), 'product');
    expect((await journey.result()).outcome).toBe('completed');
    expect(stub.emailsTo('zz-last').map((e) => e.step)).toEqual(['back-in-stock']);
    expect((await handle.describe()).runId).not.toBe(handle.signaledRunId);
    // Nine pages of 100, each fetched once: the run that continued resumed where the first stopped.
    expect(lookups.map(([, after]) => after)).toEqual([
      null,
      ...[99, 199, 299, 399, 499, 599, 699, 799].map((i) => `a-${String(i).padStart(4, '0')}`),
    ]);
  });
});
