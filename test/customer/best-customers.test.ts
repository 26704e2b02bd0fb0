import { DateTime } from 'luxon';
import { journeyStateQuery, journeyWorkflowId } from '../../src/shared/signals';
import type { CustomerEvent } from '../../src/shared/events';
import type { JourneyResult } from '../../src/shared/journey';
import {
  customerStateWhen,
  endJourneysOf,
  happeningNow,
  identify,
  startCustomer as startCustomerOn,
  testConfig,
  track,
  useJourneySuite,
} from '../helpers/journeys';
import { eventually } from '../helpers/eventually';

// Best customers through the customer workflow on the time-skipping server: the loyalty journey
// enters by the best-customers segment (the configuration's thresholds), and sends its ask at the
// customer's own hour.
describe('best customers, at their best time', () => {
  const { env, stub, taskQueue } = useJourneySuite(
    require.resolve('../../src/workflows'),
    testConfig({
      customer: { freshnessWindow: '36500 days' },
      segments: { 'best-customers': { event: 'Order Completed', within: '90 days', sum: 'revenue', atLeast: 150 } },
      journeys: {
        welcome: { enabled: false },
        postPurchase: { enabled: false },
        reengagement: { enabled: false },
        anniversary: { enabled: false },
      },
    }),
  );
  const at = (event: CustomerEvent) => happeningNow(env(), event);

  it('enters loyalty on the order that makes them a best customer, and asks at the hour they read our email', async () => {
    const id = 'best-evening';
    stub.traits[id] = { referral_code: 'EVE-1' };
    stub.bestHours[id] = 19;
    const handle = await startCustomerOn(env(), taskQueue(), id, await at(identify({ timezone: 'Asia/Tokyo' }, id)));
    const order = async (n: number, revenue: number) =>
      handle.signal('event', await at(track('Order Completed', { order_id: `o-${n}`, revenue }, id)));
    await order(1, 60);
    await order(2, 60);
    const two = await customerStateWhen(handle, 'two orders', (s) => s.orders === 2);
    expect(two.audience!.segments).not.toContain('best-customers');
    expect(Object.values(two.running).map((r) => r.journey)).not.toContain('loyalty');

    await order(3, 60); // 180 in 90 days
    const three = await customerStateWhen(handle, 'the third order', (s) => s.orders === 3);
    expect(three.audience!.segments).toContain('best-customers');
    const journey = env().client.workflow.getHandle(journeyWorkflowId('loyalty', id));
    await eventually(
      async () => (await journey.query(journeyStateQuery).catch(() => undefined)) !== undefined,
      'loyalty started',
    );
    const result: JourneyResult = await journey.result();
    expect(result.sent.map((s) => [s.step, s.status])).toEqual([['review-and-referral', 'sent']]);
    const [email] = stub.emailsTo(id);
    expect(email.data.referralCode).toBe('EVE-1');
    expect(DateTime.fromJSDate(email.at, { zone: 'Asia/Tokyo' }).hour).toBe(19);
    await endJourneysOf(env(), handle);
  });
});
