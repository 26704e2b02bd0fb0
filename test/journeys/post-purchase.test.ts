import { postPurchase, postPurchaseJourney } from '../../src/journeys/post-purchase/journey';
import { applyEvent, newCustomerState } from '../../src/workflows/customer/lifecycle';
import { forwardTargets, journeysToStart, recordEntry } from '../../src/workflows/customer/routing';
import type { CustomerSnapshot } from '../../src/shared/journey';
import { eventSignal, journeyStateQuery } from '../../src/shared/signals';
import { journeyInput, testConfig, track, useJourneySuite } from '../helpers/journeys';
import { recordHistory } from '../helpers/histories';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

const PRODUCTS = [
  { product_id: 'p-1', name: 'Trail shoes', price: 120, quantity: 1 },
  { product_id: 'p-2', name: 'Wool socks', price: 15, quantity: 2 },
];
const RELATED = ['Gaiters', 'Insoles', 'Laces', 'Headlamp'].map((name, i) => ({
  productId: `r-${i + 1}`,
  name,
  price: 10 + i,
}));
const RETURNING: Partial<CustomerSnapshot> = { orders: 3, totalSpent: 410, stage: 'repeat' };

describe('post-purchase journey', () => {
  const { env, stub, taskQueue } = useJourneySuite(require.resolve('../../src/journeys/post-purchase/journey'));
  beforeEach(() => {
    stub.related = RELATED;
  });

  const start = async (
    customerId: string,
    opts: { customer?: Partial<CustomerSnapshot>; config?: ReturnType<typeof testConfig> } = {},
  ) => {
    const trigger = track(
      'Order Completed',
      { order_id: 'o-1', products: PRODUCTS, revenue: 150, total: 162.5, currency: 'EUR' },
      customerId,
    );
    const input = journeyInput('post-purchase', 'postPurchase', {
      trigger,
      key: 'o-1',
      customer: opts.customer ?? RETURNING,
      config: opts.config,
    });
    const startedAt = await env().currentTimeMs();
    const handle = await env().client.workflow.start(postPurchase, {
      args: [input],
      taskQueue: taskQueue(),
      workflowId: `journey-post-purchase-${customerId}-o-1`,
    });
    return { handle, startedAt };
  };
  const since = (at: Date, startedAt: number) => at.getTime() - startedAt;

  it('confirms at once, cross-sells after 3 days, asks for a review 14 days after the order', async () => {
    const { handle, startedAt } = await start('pp-a');
    const result = await handle.result();
    await recordHistory(handle, 'post-purchase');

    expect(result.outcome).toBe('completed');
    const emails = stub.emailsTo('pp-a');
    expect(emails.map((e) => [e.step, e.template, e.transactional])).toEqual([
      ['confirmation', 'order-confirmation', true],
      ['cross-sell', 'cross-sell', false],
      ['feedback', 'review-request', false],
    ]);
    expect(since(emails[0].at, startedAt)).toBeLessThan(HOUR);
    expect(emails[0].data).toEqual({ order: { orderId: 'o-1', products: PRODUCTS, total: 162.5, currency: 'EUR' } });

    expect(since(emails[1].at, startedAt)).toBeGreaterThanOrEqual(3 * DAY);
    expect(since(emails[1].at, startedAt)).toBeLessThan(3 * DAY + HOUR);
    expect(emails[1].data).toEqual({ orderId: 'o-1', products: RELATED.slice(0, 3) });

    // 14 days after the order, not 14 days after the cross-sell
    expect(since(emails[2].at, startedAt)).toBeGreaterThanOrEqual(14 * DAY);
    expect(since(emails[2].at, startedAt)).toBeLessThan(14 * DAY + HOUR);
    expect(emails[2].data).toEqual({ orderId: 'o-1', products: PRODUCTS });
    expect(result.sent.map((s) => s.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('sends the satisfaction survey instead of the review request on the first purchase', async () => {
    const { handle, startedAt } = await start('pp-b', {
      customer: { orders: 1, totalSpent: 150, stage: 'new-customer' },
    });
    expect((await handle.result()).outcome).toBe('completed');

    const emails = stub.emailsTo('pp-b');
    expect(emails.map((e) => [e.step, e.template])).toEqual([
      ['confirmation', 'order-confirmation'],
      ['cross-sell', 'cross-sell'],
      ['survey', 'satisfaction-survey'],
    ]);
    expect(since(emails[2].at, startedAt)).toBeGreaterThanOrEqual(14 * DAY);
    expect(since(emails[2].at, startedAt)).toBeLessThan(14 * DAY + HOUR);
    expect(emails[2].data).toEqual({ orderId: 'o-1' });
    expect(emails[2].transactional).toBe(false);
  });

  it('skips the cross-sell when there is nothing related to suggest', async () => {
    stub.related = [];
    const { handle, startedAt } = await start('pp-c');
    expect((await handle.result()).outcome).toBe('completed');

    const emails = stub.emailsTo('pp-c');
    expect(emails.map((e) => e.step)).toEqual(['confirmation', 'feedback']);
    expect(since(emails[1].at, startedAt)).toBeGreaterThanOrEqual(14 * DAY);
  });

  it('takes its timings and the number of suggestions from the configuration', async () => {
    const config = testConfig({
      journeys: { postPurchase: { crossSellAfter: '1 day', feedbackAfter: '2 days', crossSellCount: 1 } },
    });
    const { handle, startedAt } = await start('pp-d', { config });
    await handle.result();

    const emails = stub.emailsTo('pp-d');
    expect(emails.map((e) => e.step)).toEqual(['confirmation', 'cross-sell', 'feedback']);
    expect(since(emails[1].at, startedAt)).toBeGreaterThanOrEqual(DAY);
    expect(since(emails[1].at, startedAt)).toBeLessThan(DAY + HOUR);
    expect(emails[1].data.products).toEqual([RELATED[0]]);
    expect(since(emails[2].at, startedAt)).toBeGreaterThanOrEqual(2 * DAY);
    expect(since(emails[2].at, startedAt)).toBeLessThan(2 * DAY + HOUR);
  });

  it('shows it is waiting for the feedback date in its state', async () => {
    const { handle, startedAt } = await start('pp-e');
    await env().sleep('4 days');
    const view = await handle.query(journeyStateQuery);
    expect(view).toMatchObject({ step: 'waiting to ask for feedback', running: true, key: 'o-1' });
    expect(Date.parse(view.nextWakeAt!) - startedAt).toBeGreaterThanOrEqual(14 * DAY);
    expect(Date.parse(view.nextWakeAt!) - startedAt).toBeLessThan(14 * DAY + HOUR);
    expect(view.sent.map((s) => s.step)).toEqual(['confirmation', 'cross-sell']);
    await handle.terminate('test done');
  });

  it('exits when the order is cancelled before the cross-sell', async () => {
    const { handle } = await start('pp-f');
    await env().sleep('1 day');
    await handle.signal(eventSignal, track('Order Cancelled', { order_id: 'o-1' }, 'pp-f'));
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'exited', reason: 'Order Cancelled' });
    expect(stub.emailsTo('pp-f').map((e) => e.step)).toEqual(['confirmation']);
  });

  it('exits when the order is refunded before the review request', async () => {
    const { handle } = await start('pp-g');
    await env().sleep('4 days');
    expect(stub.emailsTo('pp-g').map((e) => e.step)).toEqual(['confirmation', 'cross-sell']);
    await handle.signal(eventSignal, track('Order Refunded', { order_id: 'o-1' }, 'pp-g'));
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'exited', reason: 'Order Refunded' });
    expect(stub.emailsTo('pp-g').map((e) => e.step)).toEqual(['confirmation', 'cross-sell']);
  });

  it('goes on when another order is refunded', async () => {
    const { handle } = await start('pp-h');
    await env().sleep('1 day');
    await handle.signal(eventSignal, track('Order Refunded', { order_id: 'o-2' }, 'pp-h'));
    await handle.signal(eventSignal, track('Order Cancelled', {}, 'pp-h'));
    expect((await handle.result()).outcome).toBe('completed');
    expect(stub.emailsTo('pp-h').map((e) => e.step)).toEqual(['confirmation', 'cross-sell', 'feedback']);
  });
});

describe('post-purchase registry entry', () => {
  const config = testConfig();
  const now = '2024-05-01T10:00:00.000Z';
  const orderFor = (state: ReturnType<typeof newCustomerState>, properties: Record<string, unknown>) => {
    const event = track('Order Completed', properties, state.customerId);
    applyEvent(state, event, now);
    return journeysToStart(state, event, [postPurchaseJourney], config, Date.parse(now));
  };

  it('starts one journey per order, keyed by the order id', () => {
    const state = newCustomerState('c-9', now);
    const [first] = orderFor(state, { order_id: 'o-1', revenue: 20 });
    expect(first).toMatchObject({ key: 'o-1', workflowId: 'journey/post-purchase/c-9/o-1' });
    recordEntry(state, first, now);

    expect(orderFor(state, { order_id: 'o-1', revenue: 20 })).toEqual([]); // the same order again
    expect(orderFor(state, { order_id: 'o-2', revenue: 20 }).map((s) => s.key)).toEqual(['o-2']);
    expect(orderFor(state, { revenue: 20 })).toEqual([]); // no order id, no journey
  });

  it('forwards a cancellation or refund to the journey of that order only', () => {
    const state = newCustomerState('c-9', now);
    for (const orderId of ['o-1', 'o-2']) recordEntry(state, orderFor(state, { order_id: orderId })[0], now);
    const targets = (event: string) =>
      forwardTargets(state, track(event, { order_id: 'o-2' }, 'c-9'), [postPurchaseJourney], config);

    expect(targets('Order Refunded')).toEqual(['journey/post-purchase/c-9/o-2']);
    expect(targets('Order Cancelled')).toEqual(['journey/post-purchase/c-9/o-2']);
    expect(targets('Product Viewed')).toEqual([]);
  });
});
