import { DateTime } from 'luxon';
import { loyalty, loyaltyJourney } from '../../src/journeys/loyalty/journey';
import { applyEvent, newCustomerState } from '../../src/workflows/customer/lifecycle';
import { journeysToStart, recordEntry } from '../../src/workflows/customer/routing';
import type { CustomerState } from '../../src/shared/customer';
import type { JourneysConfig } from '../../src/config/schema';
import { applyToAudience, newAudienceState } from '../../src/shared/segments';
import { journeyInput, testConfig, track, useJourneySuite } from '../helpers/journeys';
import { recordHistory } from '../helpers/histories';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('loyalty journey', () => {
  const { env, stub, taskQueue } = useJourneySuite(require.resolve('../../src/journeys/loyalty/journey'));

  const run = async (
    customerId: string,
    orderProperties: Record<string, unknown> = {},
    timezone = 'UTC',
    config = testConfig(),
  ) => {
    const trigger = track('Order Completed', { order_id: 'o-5', revenue: 80, ...orderProperties }, customerId);
    const input = journeyInput('loyalty', 'loyalty', {
      trigger,
      customer: { orders: 5, totalSpent: 420, stage: 'loyal', profile: { timezone } },
      config,
    });
    const startedAt = await env().currentTimeMs();
    const handle = await env().client.workflow.start(loyalty, {
      args: [input],
      taskQueue: taskQueue(),
      workflowId: `journey-loyalty-${customerId}`,
    });
    return { result: await handle.result(), startedAt, handle };
  };

  const localHour = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).hour;

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
    // Nothing known of their habits: the journey's usual time, 10:00 their time, within the next day.
    expect(emails[0].at.getTime() - startedAt).toBeLessThan(4 * DAY);
    expect(localHour(emails[0].at, 'UTC')).toBe(10);
  });

  it('sends the same ask to two customers at their own hours: the morning reader at 8, the evening reader at 19', async () => {
    stub.traits['early-bird'] = { referral_code: 'EARLY' };
    stub.traits['night-owl'] = { referral_code: 'NIGHT' };
    stub.bestHours['early-bird'] = 8;
    stub.bestHours['night-owl'] = 19;
    const early = await run('early-bird', {}, 'Europe/Berlin');
    const late = await run('night-owl', {}, 'America/New_York');
    const [toEarly] = stub.emailsTo('early-bird');
    const [toLate] = stub.emailsTo('night-owl');
    expect([toEarly.template, toLate.template]).toEqual(['loyalty-review-referral', 'loyalty-review-referral']);
    expect(localHour(toEarly.at, 'Europe/Berlin')).toBe(8);
    expect(localHour(toLate.at, 'America/New_York')).toBe(19);
    for (const [email, { startedAt }] of [
      [toEarly, early],
      [toLate, late],
    ] as const) {
      expect(email.at.getTime() - startedAt).toBeGreaterThanOrEqual(3 * DAY);
      expect(email.at.getTime() - startedAt).toBeLessThan(4 * DAY);
    }
  });

  it('keeps quiet hours even at a customer’s best time: a 23:00 reader gets it at 08:00', async () => {
    stub.traits['late-reader'] = { referral_code: 'LATE' };
    stub.bestHours['late-reader'] = 23;
    await run('late-reader', {}, 'Asia/Tokyo', testConfig({ messaging: {} })); // quiet hours on: 21:00-08:00
    const [email] = stub.emailsTo('late-reader');
    expect(DateTime.fromJSDate(email.at, { zone: 'Asia/Tokyo' }).toFormat('HH:mm')).toBe('08:00');
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

describe('loyalty entry: the best-customers segment', () => {
  const now = '2024-05-01T10:00:00.000Z';
  /** A customer (as the customer workflow keeps them) after orders of these amounts; `segments` false: a run from before segments. */
  const customerWithOrders = (revenues: number[], config = testConfig(), segments = true): CustomerState => {
    const state = newCustomerState('c-7', now);
    if (segments) state.audience = newAudienceState();
    revenues.forEach((revenue, i) => {
      const event = track('Order Completed', { order_id: `o-${i}`, revenue }, 'c-7');
      applyEvent(state, event, now);
      applyToAudience(state, event, config.segments, Date.parse(now));
    });
    return state;
  };
  const startsOnOrder = (state: CustomerState, config: JourneysConfig) =>
    journeysToStart(state, track('Order Completed', {}, 'c-7'), [loyaltyJourney], config, Date.parse(now)).length > 0;
  const qualifies = (revenues: number[], config = testConfig()) =>
    startsOnOrder(customerWithOrders(revenues, config), config);

  it('qualifies from the 5th order', () => {
    expect(qualifies([20, 20, 20, 20])).toBe(false);
    expect(qualifies([20, 20, 20, 20, 20])).toBe(true);
    expect(qualifies([20, 20, 20, 20, 20, 20])).toBe(true);
    expect(customerWithOrders([20, 20, 20, 20, 20]).audience!.segments).toContain('best-customers');
  });

  it('qualifies once 500 has been spent, whatever the number of orders', () => {
    expect(qualifies([300, 199.99])).toBe(false);
    expect(qualifies([300, 200])).toBe(true);
    expect(qualifies([650])).toBe(true);
  });

  it('takes both thresholds from the segment as the configuration defines it', () => {
    const config = testConfig({
      segments: {
        'best-customers': {
          any: [
            { metric: 'orders', atLeast: 2 },
            { metric: 'totalSpent', atLeast: 100 },
          ],
        },
      },
    });
    expect(qualifies([10], config)).toBe(false);
    expect(qualifies([10, 10], config)).toBe(true);
    expect(qualifies([100], config)).toBe(true);
  });

  it('enters whoever the configuration makes its audience: frequent buyers, VIPs excluded', () => {
    const config = testConfig({
      journeys: { loyalty: { audience: { require: ['frequent-buyers'], exclude: ['vip'] } } },
    });
    expect(qualifies([10, 10], config)).toBe(false);
    expect(qualifies([10, 10, 10], config)).toBe(true);
    const vip = customerWithOrders([10, 10, 10], config);
    const joined = { ...track('group', {}, 'c-7'), type: 'group' as const, properties: { group_id: 'vip' } };
    applyToAudience(vip, joined, config.segments, Date.parse(now));
    expect(startsOnOrder(vip, config)).toBe(false);
  });

  it('a customer run from before segments enters by the rule it had then', () => {
    const config = testConfig({ journeys: { loyalty: { afterOrders: 2 } } });
    expect(startsOnOrder(customerWithOrders([10], config, false), config)).toBe(false);
    expect(startsOnOrder(customerWithOrders([10, 10], config, false), config)).toBe(true);
  });

  it('starts on the qualifying order, and never again for that customer', () => {
    const config = testConfig();
    const state = newCustomerState('c-8', now);
    state.audience = newAudienceState();
    const order = (n: number) => {
      const event = track('Order Completed', { order_id: `o-${n}`, revenue: 20 }, 'c-8');
      applyEvent(state, event, now);
      applyToAudience(state, event, config.segments, Date.parse(now));
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
