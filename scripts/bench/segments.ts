// The segments phase of `npm run bench`: what segments cost where they are evaluated and where
// they are read, each beside a baseline measured in the same run:
//   per event   the customer workflow's own work for one event (the lifecycle, in process), with the
//               shipped segments and with 50 of them, beside the lifecycle alone
//   history     events in a customer's history per event taken, through the real product (the
//               simulator's sandbox: API, dispatcher, worker, a time-skipping server), with the
//               shipped segments beside none, and this process's CPU per event
//   members     GET /v1/segments/:name/customers on 100,000 customers (a first and a deep page):
//               the query plan and the median time of 50 requests, beside a page of one member
import { performance } from 'node:perf_hooks';
import { configSchema, type JourneysConfig } from '../../src/config/schema';
import { applyEvent, newCustomerState, stageAt } from '../../src/workflows/customer/lifecycle';
import { applyToAudience, newAudienceState, type SegmentDefinitions } from '../../src/shared/segments';
import type { CustomerEvent } from '../../src/shared/events';
import { customerStateQuery, customerWorkflowId } from '../../src/shared/signals';
import { SIMULATION_ADMIN_KEY, SIMULATION_KEY, startSandbox } from '../../src/simulate/sandbox';

export interface SegmentBench {
  perEvent: { label: string; microseconds: number }[];
  history: { label: string; historyPerEvent: number; cpuMsPerEvent: number }[];
  members: { label: string; ms: number; plan: string }[];
  customers: number;
}

/** A customer's day-to-day, as Segment calls: pages, products (shoes and hats), orders, now and then a trait. */
function calls(customerId: string, n: number, start: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => {
    const base = {
      messageId: `bench-${customerId}-${i}`,
      userId: customerId,
      timestamp: new Date(start + i * 60_000).toISOString(),
    };
    if (i % 50 === 0) return { ...base, type: 'identify', traits: { locale: i % 100 ? 'de' : 'en' } };
    if (i % 10 === 0)
      return { ...base, type: 'track', event: 'Order Completed', properties: { order_id: `o-${i}`, revenue: 40 } };
    const category = i % 3 ? 'shoes' : 'hats';
    if (i % 2)
      return { ...base, type: 'track', event: 'Product Viewed', properties: { product_id: `p-${i}`, category } };
    return { ...base, type: 'page', name: 'Product list', properties: { path: `/p/${i}` } };
  });
}

/** The same calls as the customer workflow gets them. */
const events = (customerId: string, n: number, start: number): CustomerEvent[] =>
  calls(customerId, n, start).map((c) => ({
    ...(c as unknown as CustomerEvent),
    event: c.type === 'track' ? (c.event as string) : (c.type as string),
  }));

/** 50 segments of every kind: windows over several events, traits, groups, combinations. */
function manySegments(shipped: SegmentDefinitions): SegmentDefinitions {
  const many: SegmentDefinitions = { ...shipped };
  for (let i = 0; i < 45; i++) {
    many[`bench-${i}`] =
      i % 3 === 0
        ? {
            event: 'Product Viewed',
            where: { category: i % 2 ? 'shoes' : 'hats' },
            within: `${i + 1} days`,
            atLeast: i,
          }
        : i % 3 === 1
          ? { event: 'Order Completed', sum: 'revenue', within: `${i * 10} days`, atLeast: i * 20 }
          : {
              all: [
                { trait: 'locale', equals: 'de' },
                { metric: 'orders', atLeast: i },
              ],
            };
  }
  return many;
}

function perEventCost(config: JourneysConfig, defs: SegmentDefinitions | undefined, n: number): number {
  const start = Date.now();
  const state = newCustomerState('bench', new Date(start).toISOString());
  if (defs) state.audience = newAudienceState();
  const stream = events('bench', n, start);
  const began = performance.now();
  for (const event of stream) {
    const now = Date.parse(event.timestamp);
    applyEvent(state, event, event.timestamp);
    state.stage = stageAt(state, now, config.lifecycle);
    if (defs) applyToAudience(state, event, defs, now);
  }
  return ((performance.now() - began) * 1000) / n;
}

/** One customer's `n` events through the sandboxed product; its history length and this process's CPU. */
async function throughProduct(config: JourneysConfig, n: number, progress: (line: string) => void) {
  const sandbox = await startSandbox(config, progress);
  try {
    const customerId = 'bench-history';
    const stream = calls(customerId, n, Date.now() - n * 60_000);
    const cpu = process.cpuUsage();
    for (let i = 0; i < stream.length; i += 100) {
      const res = await fetch(`${sandbox.apiUrl}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SIMULATION_KEY}` },
        body: JSON.stringify({ batch: stream.slice(i, i + 100) }),
      });
      const body = await res.text();
      if (!res.ok || body.includes('"rejected"')) throw new Error(`POST /v1/batch answered ${res.status}: ${body}`);
    }
    const handle = sandbox.env.client.workflow.getHandle(customerWorkflowId(customerId));
    for (;;) {
      const state = await handle.query(customerStateQuery).catch(() => undefined);
      if (state?.eventsProcessed === n) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const used = process.cpuUsage(cpu);
    const { events: history } = await handle.fetchHistory();
    return { historyPerEvent: history!.length / n, cpuMsPerEvent: (used.user + used.system) / 1000 / n };
  } finally {
    await sandbox.stop();
  }
}

async function membersPages(customers: number, progress: (line: string) => void) {
  const config = configSchema.parse({});
  const sandbox = await startSandbox(config, progress);
  try {
    progress(`${customers.toLocaleString('en')} customers in 6 segments...`);
    const segments = ['vip', 'best-customers', 'frequent-buyers', 'german-speaking', 'shoe-browsers', 'bench-other'];
    await sandbox.pool.query(
      `INSERT INTO segment_members (segment, customer_id, since)
       SELECT s, 'customer-' || lpad(i::text, 7, '0'), now() FROM generate_series(1, $1) i, unnest($2::text[]) s`,
      [customers, segments],
    );
    await sandbox.pool.query('ANALYZE segment_members');
    const deep = `customer-${String(Math.floor(customers / 2)).padStart(7, '0')}`;
    const plan = async (sql: string, params: unknown[]) =>
      (await sandbox.pool.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${sql}`, params)).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n    ');
    const page = `SELECT customer_id, since FROM segment_members
      WHERE segment = $1 AND ($2::text IS NULL OR customer_id > $2) ORDER BY customer_id LIMIT $3`;
    const timedGet = async (path: string) => {
      const samples: number[] = [];
      for (let i = 0; i < 50; i++) {
        const began = performance.now();
        const res = await fetch(`${sandbox.apiUrl}${path}`, {
          headers: { authorization: `Bearer ${SIMULATION_ADMIN_KEY}` },
        });
        await res.text();
        if (!res.ok) throw new Error(`GET ${path} answered ${res.status}`);
        samples.push(performance.now() - began);
      }
      return samples.sort((a, b) => a - b)[25];
    };
    return [
      {
        label: 'GET first page (100)',
        ms: await timedGet('/v1/segments/vip/customers?limit=100'),
        plan: await plan(page, ['vip', null, 100]),
      },
      {
        label: 'GET deep page (100, after the 50,000th)',
        ms: await timedGet(`/v1/segments/vip/customers?limit=100&after=${deep}`),
        plan: await plan(page, ['vip', deep, 100]),
      },
      {
        label: 'GET /v1/segments (counts all 6)',
        ms: await timedGet('/v1/segments'),
        plan: await plan('SELECT segment, count(*) AS members FROM segment_members GROUP BY segment', []),
      },
      {
        label: 'baseline: GET one member (limit 1)',
        ms: await timedGet('/v1/segments/vip/customers?limit=1'),
        plan: await plan(page, ['vip', null, 1]),
      },
    ];
  } finally {
    await sandbox.stop();
  }
}

export async function benchSegments(progress: (line: string) => void, customers = 100_000): Promise<SegmentBench> {
  const config = configSchema.parse({});
  // No segments at all, and a loyalty journey for every customer (its audience named one).
  const everyone = { require: [], exclude: [], exitOnLeave: false };
  const none: JourneysConfig = {
    ...config,
    segments: {},
    journeys: { ...config.journeys, loyalty: { ...config.journeys.loyalty, audience: everyone } },
  };
  const n = 100_000;
  perEventCost(config, config.segments, 10_000); // warm up
  const perEvent = [
    { label: 'lifecycle alone (baseline)', microseconds: perEventCost(config, undefined, n) },
    {
      label: `+ ${Object.keys(config.segments).length} shipped segments`,
      microseconds: perEventCost(config, config.segments, n),
    },
    { label: '+ 50 segments', microseconds: perEventCost(config, manySegments(config.segments), n) },
  ];
  progress('one customer, 500 events, through the product: no segments...');
  const without = await throughProduct(none, 500, progress);
  progress('... and the shipped segments');
  const withSegments = await throughProduct(config, 500, progress);
  const history = [
    { label: 'no segments (baseline)', ...without },
    { label: `${Object.keys(config.segments).length} shipped segments`, ...withSegments },
  ];
  const members = await membersPages(customers, progress);
  return { perEvent, history, members, customers };
}
