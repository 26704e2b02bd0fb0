import type { WorkflowHandle } from '@temporalio/client';
import type { CustomerEvent } from '../../src/shared/events';
import { customerStateQuery, eventSignal, journeyStateQuery, productEventSignal } from '../../src/shared/signals';
import { backInStock, product } from '../../src/workflows';
import { journeyInput, startCustomer, track, useJourneySuite } from '../helpers/journeys';
import { recordHistory } from '../helpers/histories';
import { eventually } from '../helpers/eventually';

const DAY = 24 * 3600_000;

describe('back in stock: waiting lists and restock announcements in batches', () => {
  const { env, stub, taskQueue } = useJourneySuite(require.resolve('../../src/workflows'));

  const waiting = (productId: string) =>
    stub.backInStock
      .filter((w) => w.productId === productId)
      .map((w) => w.customerId)
      .sort();
  const wish = (customerId: string, productId: string) => stub.backInStock.push({ customerId, productId });
  /**
   * Waits (real time, with the test server's clock held) until the workflow has closed. Waiting
   * with result() would let the server skip ahead to the next timer.
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

  it('puts a customer who asks on the waiting list, with no workflow waiting for the restock', async () => {
    const request = track('Back In Stock Requested', { product_id: 'p-3', name: 'Trail shoes' }, 'bis-x');
    const handle = await startCustomer(env(), taskQueue(), 'bis-x', request);
    await eventually(() => waiting('p-3').length > 0, 'bis-x on the waiting list of p-3');
    expect(waiting('p-3')).toEqual(['bis-x']);
    const state = await handle.query(customerStateQuery);
    expect(state.running).toEqual({});
    expect(Object.keys(state.entered)).toEqual(expect.arrayContaining(['back-in-stock', 'back-in-stock:p-3']));

    // Asking again joins again (PostgreSQL keeps one place and restarts its wait), still no workflow.
    await handle.signal(eventSignal, track('Back In Stock Requested', { product_id: 'p-3' }, 'bis-x'));
    await eventually(() => waiting('p-3').length === 2, 'the second request');
    expect((await handle.query(customerStateQuery)).running).toEqual({});
  });

  it('tells every customer waiting for a restocked product, once, and no one else', async () => {
    ['bis-a', 'bis-b', 'bis-c'].forEach((c) => wish(c, 'p-9'));
    wish('bis-d', 'p-7');

    const event = restockEvent('p-9', { name: 'Trail shoes', url: 'https://shop.example/p-9', price: 120 });
    await untilClosed(await restock('p-9', event));
    for (const customerId of ['bis-a', 'bis-b', 'bis-c']) {
      expect(stub.emailsTo(customerId).map((e) => [e.journey, e.step, e.template, e.data, e.transactional])).toEqual([
        [
          'back-in-stock',
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
    // One page, one activity: no workflow and no signal per customer.
    expect(stub.announced.map((p) => [p.productId, p.after])).toEqual([['p-9', null]]);
  });

  it('sends one email even when the restock is delivered twice', async () => {
    wish('bis-e', 'p-8');
    const event = restockEvent('p-8');
    await restock('p-8', event);
    await restock('p-8', event);
    await untilClosed(env().client.workflow.getHandle('product-p-8'));
    await untilClosed(await restock('p-8', restockEvent('p-8'))); // a later restock, to an empty list
    expect(stub.emailsTo('bis-e').map((e) => [e.step, e.data])).toEqual([['back-in-stock', { productId: 'p-8' }]]);
  });

  it('pages through a long waiting list, continuing as new, and reaches the last customer', async () => {
    // More pages than one run holds (six history events a page): it continues as new mid-list.
    const customers = Array.from({ length: 25_050 }, (_, i) => `a-${String(i).padStart(5, '0')}`);
    customers.forEach((c) => wish(c, 'p-5'));

    const handle = await restock('p-5', restockEvent('p-5'));
    await handle.result();
    await recordHistory(env().client.workflow.getHandle(handle.workflowId, handle.signaledRunId), 'product');
    expect((await handle.describe()).runId).not.toBe(handle.signaledRunId);
    expect(stub.emailsTo(customers[customers.length - 1]).map((e) => e.step)).toEqual(['back-in-stock']);
    expect(new Set(stub.sent.map((s) => s.customerId)).size).toBe(customers.length);
    expect(stub.sent).toHaveLength(customers.length);
    // 251 pages, each asked for once: the run that continued resumed where the first stopped.
    expect(stub.announced.map((p) => p.after)).toEqual([
      null,
      ...Array.from({ length: 250 }, (_, k) => customers[k * 100 + 99]),
    ]);
    expect(waiting('p-5')).toEqual([]);
  }, 180_000);

  describe('a journey started before restocks went out in batches', () => {
    const start = (customerId: string, productId: string) => {
      const trigger = track('Back In Stock Requested', { product_id: productId, name: 'Trail shoes' }, customerId);
      const input = journeyInput('back-in-stock', 'backInStock', { trigger, key: productId });
      return env().client.workflow.start(backInStock, {
        args: [input],
        taskQueue: taskQueue(),
        workflowId: `journey-back-in-stock-${customerId}-${productId}`,
      });
    };

    it('sends once when told of the restock, and leaves the list', async () => {
      const journey = await start('bis-old', 'p-4');
      await eventually(() => waiting('p-4').length > 0, 'bis-old on the list');
      await journey.signal(eventSignal, restockEvent('p-4', { name: 'Trail shoes' }));
      expect((await journey.result()).outcome).toBe('completed');
      expect(await journey.query(journeyStateQuery)).toMatchObject({ running: false, outcome: 'completed' });
      expect(stub.emailsTo('bis-old').map((e) => [e.step, e.data])).toEqual([
        ['back-in-stock', { productId: 'p-4', name: 'Trail shoes' }],
      ]);
      expect(waiting('p-4')).toEqual([]);
      await recordHistory(journey, 'back-in-stock');
    });

    it('gives up after 90 days when the product is never restocked', async () => {
      const startedAt = await env().currentTimeMs();
      const journey = await start('bis-f', 'p-6');
      await eventually(() => waiting('p-6').length > 0, 'bis-f on the list');
      const result = await journey.result();
      expect(result).toMatchObject({ outcome: 'exited', reason: 'expired', sent: [] });
      const endedAt = (await journey.describe()).closeTime!.getTime();
      expect(endedAt - startedAt).toBeGreaterThanOrEqual(90 * DAY);
      expect(endedAt - startedAt).toBeLessThan(91 * DAY);
      expect(stub.emailsTo('bis-f')).toEqual([]);
      expect(waiting('p-6')).toEqual([]);
    });
  });
});
