import { journeysReport, journeyStepStats, recipientHistory } from '../../src/db/stats/journey-stats';
import { useMigratedPostgres } from '../helpers/postgres';
import { noStats } from '../fixtures/stats';
import { statsRecords } from './records';

const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const T0 = Date.parse('2026-04-01T09:00:00Z');
const at = (ms: number) => new Date(ms);

describe('journey statistics per channel', () => {
  const db = useMigratedPostgres();
  const { message, event, order } = statsRecords(db.pool);
  const cart = { journey: 'abandoned-cart' };

  beforeAll(async () => {
    // The first reminder is an email; c8 is held out of it. c1 opens it and orders.
    await message('e1', { ...cart, customer: 'c1', step: 'reminder', at: T0 });
    await event('e1', 'delivered', T0 + M); // SMTP accepted it
    await event('e1', 'opened', T0 + H);
    await order('o1', 'c1', T0 + 2 * H, 25);
    await message('h8', { ...cart, customer: 'c8', step: 'reminder', holdout: true, at: T0 });
    await order('o8', 'c8', T0 + 2 * H, 40); // the holdout converts

    // The second reminder goes by email to c2, who has no SMS consent, and by SMS to c3..c6.
    const second = { ...cart, step: 'second-reminder', at: T0 + D };
    await message('e2', { ...second, customer: 'c2' });
    await event('e2', 'delivered', T0 + D + M);
    await event('e2', 'clicked', T0 + D + H, 'https://shop.example/cart');
    // c3 gets the text, clicks its short link and orders: the order is the text's.
    await message('s3', { ...second, customer: 'c3', channel: 'sms' });
    await event('s3', 'delivered', T0 + D + 2 * M);
    await event('s3', 'clicked', T0 + D + H, 'https://shop.example/cart');
    await order('o3', 'c3', T0 + D + 2 * H, 90);
    // c4's text was taken by the provider, which then reported it undelivered.
    const undelivered = { status: 'failed', reason: 'SMS undelivered (30005)', sentAt: T0 + D + M };
    await message('s4', { ...second, customer: 'c4', channel: 'sms', ...undelivered });
    await event('s4', 'undelivered', T0 + D + 3 * M);
    // c5's text is delivered, and c5 replies STOP.
    await message('s5', { ...second, customer: 'c5', channel: 'sms' });
    await event('s5', 'delivered', T0 + D + 2 * M);
    await event('s5', 'unsubscribed', T0 + D + 30 * M);
    // The provider refused c6's number outright: never handed over.
    await message('s6', {
      ...second,
      customer: 'c6',
      channel: 'sms',
      status: 'failed',
      reason: 'SMS provider (21610)',
    });

    // A webhook tells the CRM, for held-out customers too: c1's and c8's calls are answered, c3's
    // is refused with a 422 and c7's was never made.
    const sync = { ...cart, step: 'crm-sync', channel: 'webhook' as const, at: T0 + 2 * D };
    for (const [name, customer] of [
      ['w1', 'c1'],
      ['w8', 'c8'],
    ]) {
      await message(name, { ...sync, customer, responseStatus: 204 });
      await event(name, 'delivered', T0 + 2 * D + M);
    }
    await message('w3', {
      ...sync,
      customer: 'c3',
      status: 'failed',
      reason: 'webhook answered 422',
      responseStatus: 422,
    });
    await message('w7', { ...sync, customer: 'c7', status: 'failed', reason: 'no WEBHOOK_SECRET' });

    // Another journey, for the channels of all journeys together: an email and a text to c9.
    await message('e9', { journey: 'welcome', step: 'hello', customer: 'c9', at: T0 + 3 * D });
    await message('s9', { journey: 'welcome', step: 'hello-text', customer: 'c9', channel: 'sms', at: T0 + 3 * D });
    await event('s9', 'delivered', T0 + 3 * D + 2 * M);
  });

  const reminderByEmail = {
    ...noStats,
    sent: 1,
    delivered: 1,
    opens: 1,
    uniqueOpens: 1,
    heldOut: 1,
    conversions: 1,
    revenue: 25,
    openRate: 1,
    clickRate: 0,
    firstActivityAt: at(T0),
    lastActivityAt: at(T0 + H),
  };
  const secondReminderByEmail = {
    ...noStats,
    sent: 1,
    delivered: 1,
    clicks: 1,
    uniqueClicks: 1,
    openRate: 0,
    clickRate: 1,
    firstActivityAt: at(T0 + D),
    lastActivityAt: at(T0 + D + H),
  };
  const secondReminderBySms = {
    ...noStats,
    sent: 3, // s3, s5, and s4 (reported undelivered afterwards); not s6
    delivered: 2,
    undelivered: 1,
    failed: 2, // s4 undelivered, s6 refused
    clicks: 1,
    uniqueClicks: 1,
    unsubscribes: 1, // c5's STOP
    conversions: 1, // o3, by the click on the short link
    revenue: 90,
    openRate: null, // a text has no opens
    clickRate: 0.5, // per delivered text
    firstActivityAt: at(T0 + D),
    lastActivityAt: at(T0 + D + H),
  };
  const crmSyncByWebhook = {
    ...noStats,
    sent: 2, // answered 2xx
    delivered: 2,
    failed: 2, // refused with a 422, or never made
    openRate: null,
    clickRate: null,
    firstActivityAt: at(T0 + 2 * D),
    lastActivityAt: at(T0 + 2 * D + M),
  };

  it('gives a step sent by email to some customers and by SMS to others a row per channel', async () => {
    const stats = await journeyStepStats(db.pool(), 'abandoned-cart');
    expect(stats.steps).toEqual([
      { step: 'reminder', variant: null, channel: 'email', ...reminderByEmail },
      { step: 'second-reminder', variant: null, channel: 'email', ...secondReminderByEmail },
      { step: 'second-reminder', variant: null, channel: 'sms', ...secondReminderBySms },
      { step: 'crm-sync', variant: null, channel: 'webhook', ...crmSyncByWebhook },
    ]);
  });

  it("counts texts by the provider's reports, an order after a short-link click, and a STOP as an opt-out", async () => {
    const sms = (await journeyStepStats(db.pool(), 'abandoned-cart')).steps.find((s) => s.channel === 'sms');
    expect(sms).toMatchObject({ sent: 3, delivered: 2, undelivered: 1, failed: 2 });
    expect(sms).toMatchObject({ uniqueClicks: 1, conversions: 1, revenue: 90 });
    expect(sms).toMatchObject({ unsubscribes: 1 });
  });

  it('counts webhook calls answered 2xx as sent, the others as failed, and keeps them out of the holdout', async () => {
    const stats = await journeyStepStats(db.pool(), 'abandoned-cart');
    expect(stats.steps.find((s) => s.channel === 'webhook')).toMatchObject({ sent: 2, failed: 2 });
    // c8's call was made, but c8 stays held out; c6 (never handed a text) and c7 (a call only) were not treated.
    expect(stats.holdout).toEqual({
      holdoutCustomers: 1,
      holdoutConversions: 1,
      holdoutConversionRate: 1,
      treatedCustomers: 5, // c1..c5
      treatedConversions: 2, // c1 and c3
      treatedConversionRate: 0.4,
      lift: expect.closeTo(-0.6, 10),
    });
  });

  it("sums a journey by channel, with rates on each channel's own base", async () => {
    const emails = {
      ...noStats,
      channel: 'email',
      sent: 2,
      delivered: 2,
      opens: 1,
      uniqueOpens: 1,
      clicks: 1,
      uniqueClicks: 1,
      heldOut: 1,
      conversions: 1,
      revenue: 25,
      openRate: 0.5,
      clickRate: 0.5,
      firstActivityAt: at(T0),
      lastActivityAt: at(T0 + D + H),
    };
    const channels = [emails, { channel: 'sms', ...secondReminderBySms }, { channel: 'webhook', ...crmSyncByWebhook }];
    expect((await journeyStepStats(db.pool(), 'abandoned-cart')).channels).toEqual(channels);

    const { journeys } = await journeysReport(db.pool());
    expect(journeys[0]).toEqual({
      ...noStats,
      journey: 'abandoned-cart',
      sent: 7,
      delivered: 6,
      undelivered: 1,
      failed: 4,
      opens: 1,
      uniqueOpens: 1,
      clicks: 2,
      uniqueClicks: 2,
      unsubscribes: 1,
      heldOut: 1,
      conversions: 2,
      revenue: 115,
      openRate: 0.5, // per delivered email
      clickRate: 0.5, // per delivered email or text: 2 of 4
      firstActivityAt: at(T0),
      lastActivityAt: at(T0 + 2 * D + M),
      channels,
      holdout: expect.objectContaining({ holdoutCustomers: 1, treatedCustomers: 5 }),
    });
  });

  it('sums every journey together by channel', async () => {
    const { journeys, channels } = await journeysReport(db.pool());
    expect(journeys.map((j) => [j.journey, j.channels.map((c) => c.channel)])).toEqual([
      ['abandoned-cart', ['email', 'sms', 'webhook']],
      ['welcome', ['email', 'sms']],
    ]);
    expect(channels).toEqual([
      expect.objectContaining({ channel: 'email', sent: 3, delivered: 3, openRate: 1 / 3, conversions: 1 }),
      expect.objectContaining({ channel: 'sms', sent: 4, delivered: 3, undelivered: 1, failed: 2, unsubscribes: 1 }),
      expect.objectContaining({ channel: 'webhook', sent: 2, failed: 2, clickRate: null }),
    ]);
    expect(channels.find((c) => c.channel === 'sms')).toMatchObject({ conversions: 1, revenue: 90 });
  });

  it('names the channel of each message in the recipient history', async () => {
    const history = await recipientHistory(db.pool(), 'c3');
    expect(history.map((m) => [m.step, m.channel, m.status, m.reason])).toEqual([
      ['crm-sync', 'webhook', 'failed', 'webhook answered 422'],
      ['second-reminder', 'sms', 'sent', null],
    ]);
    expect(history[1].events.map((e) => [e.type, e.url])).toEqual([
      ['delivered', null],
      ['clicked', 'https://shop.example/cart'],
    ]);
  });
});
