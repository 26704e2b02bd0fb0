import { customerStateQuery, eventSignal } from '../../src/shared/signals';
import { eventually } from '../helpers/eventually';
import {
  endJourneysOf,
  eventsProcessed,
  startCustomer as startCustomerOn,
  testConfig,
  track,
  useJourneySuite,
} from '../helpers/journeys';

const DAY = 24 * 3600_000;

// A suite of its own, on a test server no other test has used. In the customer suite, after the
// other tests, its first sleep hung in about 1 run in 6 under load: the server's clock had already
// run past the sleep's end, as it does when the test server's count of time locks is off balance,
// and the sleep then waited in real time.
describe('customer workflow: lifecycle stages', () => {
  // The events carry the real time while time skipping moves the clock months ahead: the same
  // freshness window as the customer suite, so the order after 181 days counts as fresh.
  const { env, taskQueue } = useJourneySuite(
    require.resolve('../../src/workflows'),
    testConfig({ customer: { freshnessWindow: '36500 days' } }),
  );
  const startCustomer = (customerId: string, first: Parameters<typeof startCustomerOn>[3]) =>
    startCustomerOn(env(), taskQueue(), customerId, first);

  it('moves through lifecycle stages on orders and on silence', async () => {
    const order = (n: number, revenue: number) => track('Order Completed', { order_id: `o-${n}`, revenue }, 'c-stages');
    const handle = await startCustomer('c-stages', track('Signed Up', {}, 'c-stages'));
    expect((await eventsProcessed(handle, 1)).stage).toBe('prospect');
    await handle.signal(eventSignal, order(1, 40));
    expect((await eventsProcessed(handle, 2)).stage).toBe('new-customer');
    await handle.signal(eventSignal, order(2, 60));
    expect(await eventsProcessed(handle, 3)).toMatchObject({ stage: 'repeat', orders: 2, totalSpent: 100 });

    // No activity for 60 days: at risk; for 180 days: lapsed. The workflow wakes up by itself.
    await env().sleep(61 * DAY);
    expect((await handle.query(customerStateQuery)).stage).toBe('at-risk');
    await env().sleep(120 * DAY);
    expect((await handle.query(customerStateQuery)).stage).toBe('lapsed');
    await handle.signal(eventSignal, order(3, 2000)); // back, and big spender: loyal
    expect((await eventsProcessed(handle, 4)).stage).toBe('loyal');
    // Published for the Web UI once the customer is done with the order (it starts journeys first).
    const described = await eventually(async () => {
      const d = await handle.describe();
      return d.searchAttributes.LifecycleStage?.[0] !== 'lapsed' && d;
    }, 'a stage after lapsed to be published');
    expect(described.searchAttributes.LifecycleStage).toEqual(['loyal']);
    expect(described.searchAttributes.CustomerId).toEqual(['c-stages']);
    await endJourneysOf(env(), handle);
  });
});
