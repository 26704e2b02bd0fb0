import { journeyStepStats, recipientHistory } from '../../src/db/stats/journey-stats';
import { noStats } from '../fixtures/stats';
import { useMigratedPostgres } from '../helpers/postgres';
import { statsRecords } from './records';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const T0 = Date.parse('2026-05-04T09:00:00Z');
const at = (ms: number) => new Date(ms);

describe("statistics: a person's opens and clicks, a machine's apart", () => {
  const db = useMigratedPostgres();
  const { message, event, order } = statsRecords(db.pool);
  const welcome = { journey: 'welcome', step: 'welcome', at: T0 };

  beforeAll(async () => {
    // m1: Apple's proxy prefetched it (sent a minute after T0), and the person opened it later.
    await message('m1', { ...welcome, customer: 'p1' });
    await event('m1', 'delivered', T0 + M);
    await event('m1', 'opened', T0 + 2 * M, null, 'privacy-proxy');
    await event('m1', 'opened', T0 + H);
    // m2: only the prefetch, and an order soon after: no touch, so no conversion for the email.
    await message('m2', { ...welcome, customer: 'p2' });
    await event('m2', 'delivered', T0 + M);
    await event('m2', 'opened', T0 + 2 * M, null, 'privacy-proxy');
    await order('o2', 'p2', T0 + 3 * M, 50);
    // m3: a gateway clicked both links seconds after delivery; the person clicked one an hour later.
    await message('m3', { ...welcome, customer: 'p3' });
    await event('m3', 'delivered', T0 + M);
    await event('m3', 'clicked', T0 + M + 2 * S, 'https://shop.example/a', 'scanner');
    await event('m3', 'clicked', T0 + M + 2 * S, 'https://shop.example/b', 'scanner');
    await event('m3', 'clicked', T0 + H, 'https://shop.example/a');
  });

  it("counts a person's opens and clicks as opens and clicks, a machine's as machine opens and clicks", async () => {
    const { steps } = await journeyStepStats(db.pool(), 'welcome');
    expect(steps).toEqual([
      {
        ...noStats,
        step: 'welcome',
        variant: null,
        channel: 'email',
        sent: 3,
        delivered: 3,
        opens: 1,
        uniqueOpens: 1, // m2's prefetch is no open
        clicks: 1,
        uniqueClicks: 1,
        machineOpens: 2,
        machineClicks: 2,
        openRate: 1 / 3,
        clickRate: 1 / 3,
        conversions: 0, // o2 followed only the prefetch
        firstActivityAt: at(T0),
        lastActivityAt: at(T0 + H),
      },
    ]);
  });

  it("shows each open and click with the machine's reason in the customer's messages", async () => {
    const [m3] = await recipientHistory(db.pool(), 'p3');
    expect(m3.events.map((e) => [e.type, e.url, e.machine])).toEqual([
      ['delivered', null, null],
      ['clicked', 'https://shop.example/a', 'scanner'],
      ['clicked', 'https://shop.example/b', 'scanner'],
      ['clicked', 'https://shop.example/a', null],
    ]);
  });
});
