import { DateTime } from 'luxon';
import type { CustomerEvent } from '../../src/shared/events';
import { eventSignal, journeyWorkflowId } from '../../src/shared/signals';
import { endJourneysOf, eventsProcessed, startCustomer, track, useJourneySuite } from '../helpers/journeys';
import { eventually } from '../helpers/eventually';

const HOUR = 3600_000;

// Events dated by the test server's clock (time skipping moves it far from the real one).
describe('customer workflow: what an event is, by its time and its device', () => {
  const { env, stub, taskQueue } = useJourneySuite(require.resolve('../../src/workflows'));
  const now = async () => new Date((await env().currentTimeMs()) as number);
  const at = (event: CustomerEvent, timestamp: Date | string): CustomerEvent => ({
    ...event,
    timestamp: typeof timestamp === 'string' ? timestamp : timestamp.toISOString(),
  });
  const start = (customerId: string, first: CustomerEvent) => startCustomer(env(), taskQueue(), customerId, first);

  it('counts a backfilled order from 2012 in the history but starts no journey for it', async () => {
    const old = at(track('Order Completed', { order_id: 'o-2012', revenue: 30 }, 'c-backfill'), '2012-05-01T10:00:00Z');
    const handle = await start('c-backfill', old);
    const state = await eventsProcessed(handle, 1);
    expect(state).toMatchObject({ orders: 1, totalSpent: 30, running: {} });
    expect(stub.emailsTo('c-backfill')).toEqual([]); // no order confirmation today for an order of 2012

    // A live order (a minute old) starts the post-purchase journey and its confirmation.
    const live = at(track('Order Completed', { order_id: 'o-now', revenue: 20 }, 'c-backfill'), await now());
    await handle.signal(eventSignal, live);
    const after = await eventsProcessed(handle, 2);
    expect(Object.keys(after.running)).toContain(journeyWorkflowId('post-purchase', 'c-backfill', 'o-now'));
    await eventually(() => stub.emailsTo('c-backfill').length === 1, 'the live order confirmed');
    expect(stub.emailsTo('c-backfill').map((e) => e.data.order)).toEqual([
      expect.objectContaining({ orderId: 'o-now' }),
    ]);
    await endJourneysOf(env(), handle);
  });

  it('takes the zone Segment sends in context, and holds marketing mail in that zone’s quiet hours', async () => {
    // Quiet hours around the time the first cart reminder falls due, in Tokyo: in UTC (the default
    // zone) that time is nine hours away from the window, so only a workflow that knows the zone waits.
    const due = DateTime.fromMillis((await now()).getTime() + HOUR, { zone: 'Asia/Tokyo' });
    const quietEnd = due.plus({ hours: 2 }).startOf('minute');
    stub.config.messaging.quietHours = {
      start: due.minus({ hours: 1 }).toFormat('HH:mm'),
      end: quietEnd.toFormat('HH:mm'),
    };
    stub.carts['cart-tokyo'] = [{ productId: 'p-1', name: 'Mug', quantity: 1, price: 9 }];
    const added = track('Product Added', { cart_id: 'cart-tokyo', product_id: 'p-1' }, 'c-tokyo');
    const handle = await start(
      'c-tokyo',
      at({ ...added, context: { timezone: 'Asia/Tokyo', locale: 'ja-JP' } }, await now()),
    );
    expect((await eventsProcessed(handle, 1)).profile).toEqual({ timezone: 'Asia/Tokyo', locale: 'ja-JP' });

    await env().sleep(4 * HOUR); // past the window's end, in workflow time
    const reminder = await eventually(() => stub.emailsTo('c-tokyo')[0], 'the first cart reminder');
    expect(reminder.at.getTime()).toBeGreaterThanOrEqual(quietEnd.toMillis());
    expect(DateTime.fromJSDate(reminder.at, { zone: 'Asia/Tokyo' }).toFormat('HH:mm')).toBe(quietEnd.toFormat('HH:mm'));
    stub.config.messaging.quietHours = null;
    await endJourneysOf(env(), handle);
  });
});
