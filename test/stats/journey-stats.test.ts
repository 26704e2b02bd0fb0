import { journeyStats, journeyStepStats, recipientHistory, type JourneyStats } from '../../src/db/stats/journey-stats';
import { useMigratedPostgres } from '../helpers/postgres';
import { noStats } from '../fixtures/stats';
import { statsRecords } from './records';

const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const T0 = Date.parse('2026-03-01T09:00:00Z'); // welcome and promo
const T1 = T0 + 20 * D; // win-back
const at = (ms: number) => new Date(ms);

const none = noStats;

/** A journey that sent only emails: its one channel repeats its totals. */
function emailOnly({ journey, holdout, ...totals }: Omit<JourneyStats, 'channels'>): JourneyStats {
  return { journey, ...totals, channels: [{ channel: 'email', ...totals }], holdout };
}

describe('journey statistics', () => {
  const db = useMigratedPostgres();
  const { ids, message, event, order } = statsRecords(db.pool);

  beforeAll(async () => {
    // Welcome, an A/B test on its first step. w1 opens the first email three times and clicks it,
    // opens the second, then orders: the order is the second email's.
    await message('m1', { customer: 'w1', journey: 'welcome', step: 'welcome', variant: 'A', at: T0 });
    await event('m1', 'delivered', T0 + 2 * M);
    await event('m1', 'opened', T0 + H);
    await event('m1', 'clicked', T0 + 2 * H, 'https://shop.example/new');
    await event('m1', 'opened', T0 + 2.5 * H);
    await event('m1', 'opened', T0 + 3 * H);
    await message('m2', { customer: 'w1', journey: 'welcome', step: 'best-content', at: T0 + 2 * D });
    await event('m2', 'opened', T0 + 2 * D + H);
    await order('o-before', 'w1', T0 - D, 500); // before any email: nobody's
    await order('o1', 'w1', T0 + 2 * D + 5 * H, 50, 60);
    // ...then opens a promo and orders again: that order is the promo's, not welcome's.
    await message('m7', { customer: 'w1', journey: 'promo', step: 'spring-sale', at: T0 + 2 * D + 5.25 * H });
    await event('m7', 'opened', T0 + 2 * D + 5.5 * H);
    await order('o5', 'w1', T0 + 2 * D + 6 * H, 20);

    // w2 opens, and orders 9 days later: outside a 7-day window.
    await message('m3', { customer: 'w2', journey: 'welcome', step: 'welcome', variant: 'B', at: T0 + 5 * M });
    await event('m3', 'opened', T0 + H);
    await order('o2', 'w2', T0 + 9 * D, 75);
    // w3's address bounces.
    await message('m4', { customer: 'w3', journey: 'welcome', step: 'welcome', variant: 'A', at: T0 + 10 * M });
    await event('m4', 'bounced', T0 + 11 * M);
    // w4 clicks without an open being tracked, unsubscribes, and still orders the next day (revenue unknown: total).
    await message('m5', { customer: 'w4', journey: 'welcome', step: 'welcome', variant: 'B', at: T0 + 15 * M });
    await event('m5', 'clicked', T0 + 30 * M, 'https://shop.example/sale');
    await event('m5', 'unsubscribed', T0 + 40 * M);
    await order('o3', 'w4', T0 + D, null, 80);
    // w5 was suppressed: nothing was sent.
    await message('m6', {
      customer: 'w5',
      journey: 'welcome',
      step: 'welcome',
      variant: 'A',
      status: 'suppressed',
      at: T0 + 20 * M,
    });

    // Win-back with a holdout: h1..h4 held out, t1..t4 mailed.
    for (const c of ['h1', 'h2', 'h3', 'h4'])
      await message(c, { customer: c, journey: 'win-back', step: 'offer', holdout: true, at: T1 });
    for (const c of ['t1', 't2', 't3', 't4'])
      await message(c, { customer: c, journey: 'win-back', step: 'offer', at: T1 });
    await message('t5', { customer: 't5', journey: 'win-back', step: 'offer', status: 'capped', at: T1 }); // never mailed
    await message('t6', { customer: 't6', journey: 'win-back', step: 'offer', status: 'skipped', at: T1 }); // cap stayed full
    await message('h5', {
      customer: 'h5',
      journey: 'win-back',
      step: 'offer',
      holdout: true,
      status: 'suppressed',
      at: T1,
    }); // no address: in neither group
    await order('oh1', 'h1', T1 + 3 * D, 30); // converts
    await order('oh2', 'h2', T1 + 8 * D, 30); // too late
    await order('oh3', 'h3', T1 - D, 30); // before the journey
    await order('ot1', 't1', T1 + D, 40); // converts, though no open was tracked
    await event('t2', 'opened', T1 + H);
    await order('ot2', 't2', T1 + 2 * D, 40); // converts, and is the email's conversion
    await order('ot3', 't3', T1 + 10 * D, 40); // too late
    await order('ot5', 't5', T1 + D, 40); // not treated: not counted
    await order('oh5', 'h5', T1 + D, 40); // not held out either: not counted
  });

  it('reports each journey: sends, unique opens and clicks, conversions by last touch, holdout lift', async () => {
    expect(await journeyStats(db.pool())).toEqual([
      emailOnly({
        ...none,
        journey: 'promo',
        sent: 1,
        delivered: 1,
        opens: 1,
        uniqueOpens: 1,
        openRate: 1,
        clickRate: 0,
        conversions: 1,
        revenue: 20,
        firstActivityAt: at(T0 + 2 * D + 5.25 * H),
        lastActivityAt: at(T0 + 2 * D + 5.5 * H),
        holdout: {
          holdoutCustomers: 0,
          holdoutConversions: 0,
          holdoutConversionRate: null,
          treatedCustomers: 1,
          treatedConversions: 1,
          treatedConversionRate: 1,
          lift: null,
        },
      }),
      emailOnly({
        ...none,
        journey: 'welcome',
        sent: 5,
        delivered: 4,
        opens: 5,
        uniqueOpens: 3,
        clicks: 2,
        uniqueClicks: 2,
        unsubscribes: 1,
        bounces: 1,
        openRate: 0.75,
        clickRate: 0.5,
        conversions: 2, // o1 (second email) and o3; not o2 (too late), o5 (the promo's), o-before
        revenue: 130, // 50 + 80
        firstActivityAt: at(T0),
        lastActivityAt: at(T0 + 2 * D + H),
        holdout: {
          holdoutCustomers: 0,
          holdoutConversions: 0,
          holdoutConversionRate: null,
          treatedCustomers: 4,
          treatedConversions: 2, // w1 and w4; w2 ordered after 9 days
          treatedConversionRate: 0.5,
          lift: null,
        },
      }),
      emailOnly({
        ...none,
        journey: 'win-back',
        sent: 4,
        delivered: 4,
        opens: 1,
        uniqueOpens: 1,
        heldOut: 4,
        skipped: 1, // t6: the frequency cap stayed full
        openRate: 0.25,
        clickRate: 0,
        conversions: 1,
        revenue: 40,
        firstActivityAt: at(T1),
        lastActivityAt: at(T1 + H),
        holdout: {
          holdoutCustomers: 4,
          holdoutConversions: 1,
          holdoutConversionRate: 0.25,
          treatedCustomers: 4,
          treatedConversions: 2,
          treatedConversionRate: 0.5,
          lift: 1, // twice the holdout's rate
        },
      }),
    ]);
  });

  it('takes the window as a parameter', async () => {
    const [, welcome, winBack] = await journeyStats(db.pool(), { window: '10 days' });
    expect(welcome).toMatchObject({ conversions: 3, revenue: 205 }); // o2 now counts: 8 days 23 hours after the open
    expect(welcome.holdout).toMatchObject({ treatedConversions: 3, treatedConversionRate: 0.75 });
    expect(winBack.holdout).toMatchObject({ holdoutConversions: 2, treatedConversions: 3, lift: 0.5 });

    // In milliseconds, too. o1 came 4 hours after the open (the window's edge counts); o3 a day after the click.
    const [, fourHours] = await journeyStats(db.pool(), { window: 4 * H });
    expect(fourHours).toMatchObject({ conversions: 1, revenue: 50 });
    const [, lessThanFour] = await journeyStats(db.pool(), { window: 4 * H - 1000 });
    expect(lessThanFour).toMatchObject({ conversions: 0, revenue: 0 });
  });

  it('breaks a journey down by step and variant, in the order the journey reached them', async () => {
    const stats = await journeyStepStats(db.pool(), 'welcome');
    expect(stats.steps).toEqual([
      {
        ...none,
        step: 'welcome',
        variant: 'A',
        channel: 'email',
        sent: 2,
        delivered: 1,
        opens: 3,
        uniqueOpens: 1, // opened three times, counted once
        clicks: 1,
        uniqueClicks: 1,
        bounces: 1,
        openRate: 1,
        clickRate: 1,
        firstActivityAt: at(T0),
        lastActivityAt: at(T0 + 3 * H),
      },
      {
        ...none,
        step: 'welcome',
        variant: 'B',
        channel: 'email',
        sent: 2,
        delivered: 2,
        opens: 1,
        uniqueOpens: 1,
        clicks: 1,
        uniqueClicks: 1,
        unsubscribes: 1,
        openRate: 0.5,
        clickRate: 0.5,
        conversions: 1,
        revenue: 80,
        firstActivityAt: at(T0 + 5 * M),
        lastActivityAt: at(T0 + H),
      },
      {
        ...none,
        step: 'best-content',
        variant: null,
        channel: 'email',
        sent: 1,
        delivered: 1,
        opens: 1,
        uniqueOpens: 1,
        openRate: 1,
        clickRate: 0,
        conversions: 1, // the later of w1's two opened emails takes the order
        revenue: 50,
        firstActivityAt: at(T0 + 2 * D),
        lastActivityAt: at(T0 + 2 * D + H),
      },
    ]);
    expect(stats.holdout).toMatchObject({ holdoutCustomers: 0, treatedCustomers: 4, treatedConversions: 2 });
  });

  it('compares the holdout with the treated customers of one journey', async () => {
    const stats = await journeyStepStats(db.pool(), 'win-back');
    expect(stats.steps).toEqual([
      expect.objectContaining({
        step: 'offer',
        variant: null,
        channel: 'email',
        sent: 4,
        heldOut: 4,
        skipped: 1,
        conversions: 1,
        revenue: 40,
      }),
    ]);
    expect(stats.holdout).toEqual({
      holdoutCustomers: 4,
      holdoutConversions: 1,
      holdoutConversionRate: 0.25,
      treatedCustomers: 4,
      treatedConversions: 2,
      treatedConversionRate: 0.5,
      lift: 1,
    });
    expect(await journeyStepStats(db.pool(), 'no-such-journey')).toEqual({
      journey: 'no-such-journey',
      steps: [],
      channels: [],
      holdout: {
        holdoutCustomers: 0,
        holdoutConversions: 0,
        holdoutConversionRate: null,
        treatedCustomers: 0,
        treatedConversions: 0,
        treatedConversionRate: null,
        lift: null,
      },
    });
  });

  it('lists what one customer was sent and did with it, newest first', async () => {
    const history = await recipientHistory(db.pool(), 'w1');
    expect(history.map((m) => [m.journey, m.step, m.status])).toEqual([
      ['promo', 'spring-sale', 'sent'],
      ['welcome', 'best-content', 'sent'],
      ['welcome', 'welcome', 'sent'],
    ]);
    expect(history[2]).toMatchObject({
      id: ids.m1,
      variant: 'A',
      channel: 'email',
      holdout: false,
      transactional: false,
      createdAt: at(T0),
      sentAt: at(T0 + M),
      events: [
        { type: 'delivered', url: null, occurredAt: at(T0 + 2 * M) },
        { type: 'opened', url: null, occurredAt: at(T0 + H) },
        { type: 'clicked', url: 'https://shop.example/new', occurredAt: at(T0 + 2 * H) },
        { type: 'opened', url: null, occurredAt: at(T0 + 2.5 * H) },
        { type: 'opened', url: null, occurredAt: at(T0 + 3 * H) },
      ],
    });
    expect((await recipientHistory(db.pool(), 'w5'))[0]).toMatchObject({
      status: 'suppressed',
      sentAt: null,
      events: [],
    });
    expect(await recipientHistory(db.pool(), 'nobody')).toEqual([]);
  });
});
