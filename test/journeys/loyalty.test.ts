import { loyalty, loyaltyJourney } from '../../src/journeys/loyalty/journey';
import { applyEvent, newCustomerState } from '../../src/workflows/customer/lifecycle';
import { journeysToStart, recordEntry } from '../../src/workflows/customer/routing';
import type { CustomerState } from '../../src/shared/customer';
import { journeyInput, testConfig, track, useJourneySuite } from '../helpers/journeys';
import { recordHistory } from '../helpers/histories';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('loyalty journey', () => {
  const { env, stub, taskQueue } = useJourneySuite(require.resolve('../../src/journeys/loyalty/journey'));

  const run = async (customerId: string, orderProperties: Record<string, unknown> = {}) => {
    const trigger = track('Order Completed', { order_id: 'o-5', revenue: 80, ...orderProperties }, customerId);
    const input = journeyInput('loyalty', 'loyalty', {
      trigger,
      customer: { orders: 5, totalSpent: 420, stage: 'loyal' },
    });
    const startedAt = await env().currentTimeMs();
    const handle = await env().client.workflow.start(loyalty, {
      args: [input],
      taskQueue: taskQueue(),
      workflowId: `journey-loyalty-${customerId}`,
    });
    return { result: await handle.result(), startedAt, handle };
  };

  it('asks a loyal customer for a review and a referral with the shop’s code, once, 3 days after the order', async () => {
    stub.traits['loyal-a'] = { referral_code: 'ANNA-25' };
    const { result, startedAt, handle } = await run('loyal-a');
    await recordHistory(handle, 'loyalty');

    expect(result).toMatchObject({ journey: 'loyalty', outcome: 'completed' });
    expect(result.sent.map((s) => [s.step, s.status])).toEqual([['review-and-referral', 'sent']]);
    const emails = stub.emailsTo('loyal-a');
    expect(emails.map((e) => [e.step, e.template, e.transactional])).toEqual([
      ['review-and-referral', 'loyalty-review-referral', false],
    ]);
    expect(emails[0].data).toEqual({ referralCode: 'ANNA-25', orders: 5 });
    expect(emails[0].at.getTime() - startedAt).toBeGreaterThanOrEqual(3 * DAY);
    // An hour of slack for the worker: the test server's clock runs in real time while it works.
    expect(emails[0].at.getTime() - startedAt).toBeLessThan(3 * DAY + HOUR);
  });

  it('prefers a referral code on the qualifying order to the profile’s', async () => {
    stub.traits['loyal-b'] = { referral_code: 'OLD-CODE' };
    await run('loyal-b', { referral_code: 'ORDER-CODE' });
    expect(stub.emailsTo('loyal-b').map((e) => e.data.referralCode)).toEqual(['ORDER-CODE']);
  });

  it('sends nothing, rather than a made-up code, when the shop gave none', async () => {
    const { result } = await run('loyal-c');
    expect(result).toMatchObject({ outcome: 'exited', reason: 'no referral code from the shop', sent: [] });
    expect(stub.emailsTo('loyal-c')).toEqual([]);
  });
});

describe('loyalty entry condition', () => {
  const now = '2024-05-01T10:00:00.000Z';
  const customerWithOrders = (revenues: number[]): CustomerState => {
    const state = newCustomerState('c-7', now);
    revenues.forEach((revenue, i) => applyEvent(state, track('Order Completed', { order_id: `o-${i}`, revenue }), now));
    return state;
  };
  const qualifies = (state: CustomerState, config = testConfig()) =>
    loyaltyJourney.when!(track('Order Completed', {}), state, config.journeys.loyalty);

  it('qualifies from the 5th order', () => {
    expect(qualifies(customerWithOrders([20, 20, 20, 20]))).toBe(false);
    expect(qualifies(customerWithOrders([20, 20, 20, 20, 20]))).toBe(true);
    expect(qualifies(customerWithOrders([20, 20, 20, 20, 20, 20]))).toBe(true);
  });

  it('qualifies once 500 has been spent, whatever the number of orders', () => {
    expect(qualifies(customerWithOrders([300, 199.99]))).toBe(false);
    expect(qualifies(customerWithOrders([300, 200]))).toBe(true);
    expect(qualifies(customerWithOrders([650]))).toBe(true);
  });

  it('takes both thresholds from the configuration', () => {
    const config = testConfig({ journeys: { loyalty: { afterOrders: 2, afterSpend: 100 } } });
    expect(qualifies(customerWithOrders([10]), config)).toBe(false);
    expect(qualifies(customerWithOrders([10, 10]), config)).toBe(true);
    expect(qualifies(customerWithOrders([100]), config)).toBe(true);
  });

  it('starts on the qualifying order, and never again for that customer', () => {
    const config = testConfig();
    const state = newCustomerState('c-8', now);
    const order = (n: number) => {
      const event = track('Order Completed', { order_id: `o-${n}`, revenue: 20 }, 'c-8');
      applyEvent(state, event, now);
      return journeysToStart(state, event, [loyaltyJourney], config, Date.parse(now));
    };
    for (let n = 1; n <= 4; n++) expect(order(n)).toEqual([]);
    const [start] = order(5);
    expect(start).toMatchObject({ workflowId: 'journey/loyalty/c-8' });
    recordEntry(state, start, now);
    delete state.running[start.workflowId]; // it has finished
    expect(order(6)).toEqual([]);
  });
});
