// npm run bench: what Journeys sustains on this machine, as numbers side by side with a raw
// baseline measured in the same run on the same servers (no pass or fail):
//   raw          signalWithStart straight into the customer workflow, one event a signal
//   /v1/track    requests answered (the event stored), one event each
//   /v1/batch    requests answered, 100 events each
//   delivery     what the dispatcher delivers from a stored backlog into the workflows (events in
//                their histories): spread over many customers, and in bursts per customer
//   lag          accepted -> delivered, while /v1/track runs at half the measured delivery rate
//   sign-up      "Signed Up" -> the confirmation email accepted by SMTP
//   emails       Order Completed -> order confirmations at the sink, beside raw pooled nodemailer
//                and the server's trivial-workflow ceiling; what each email cost the server; a
//                back-in-stock announcement to 20,000 waiting customers, restock to last email
//   sleeping     the worker's resident memory at 0, 1,000 and 10,000 sleeping customers (each with
//                an abandoned-cart journey asleep), beside the sticky cache's size
//   memory       the API's, the worker's and the dispatcher's resident memory afterwards
//   channels     send latency per channel: one email, text or webhook call through its send
//                activity's real path (the outbox decision in PostgreSQL, render, hand-off, marks),
//                one at a time and 8 in flight, beside the raw hand-off to the same receiver (an
//                SMTP sink, the Twilio stand-in, the webhook receiver); on a PostgreSQL of its own,
//                without the stack, after it
//   simulate     `npm run simulate` for a year of each shipped journey's scripted customer, beside
//                an empty year (the product's start, a year of nothing, its stop), in-process
//   The worker runs in its own process, as deployed; each phase starts with the worker idle.
//   segments     segment evaluation per event in the customer workflow (CPU, history events) beside
//                none, and GET /v1/segments/:name/customers on 100,000 customers (plan and time)
// Flags: --only sleeping|ingest|emails|channels|simulate|segments, --segment-customers N (100000), --customers N (1000), --events N (5000), --concurrency N (64),
// --batches N (100), --signups N (50), --orders N (300), --audience N (20000), --sleeping N (10000),
// --messages N (300).
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { Pool as HttpPool } from 'undici';
import { backlog } from '../src/db/dispatch';
import { storeEvents } from '../src/db/events';
import type { CustomerEvent } from '../src/shared/events';
import { benchChannels } from './bench/channels';
import { benchAnnouncement, benchEmails } from './bench/emails';
import { benchSleepingMemory } from './bench/memory';
import { benchSimulate } from './bench/simulate';
import { benchSegments } from './bench/segments';
import { loadEnv } from '../src/config/env';
import { CACHED_WORKFLOW_KIB, cachedWorkflowsFor } from '../src/worker/cache-size';
import { settled, startStack, WRITE_KEY, type Stack } from './bench/stack';
import { timed } from './bench/timed';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number`);
  return value;
};

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

interface Row {
  path: string;
  events: number;
  seconds: number;
  latencies?: number[];
  note?: string;
}

/**
 * The load generator's HTTP client: undici's pool, keep-alive, one socket per request in flight.
 * It shares the machine's two cores with everything measured, and Node's fetch costs more CPU a
 * request than the API's whole handling of it.
 */
function httpClient(apiUrl: string, connections: number) {
  const pool = new HttpPool(apiUrl, { connections });
  return {
    async post(path: string, body: object): Promise<void> {
      const res = await pool.request({
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_KEY}` },
        body: JSON.stringify(body),
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`POST ${path} answered ${res.statusCode}: ${text}`);
    },
    async get(path: string): Promise<void> {
      const res = await pool.request({ path, method: 'GET' });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`GET ${path} answered ${res.statusCode}: ${text}`);
    },
    close: () => pool.close(),
  };
}

const event = (run: string, i: number, customers: number): CustomerEvent => ({
  messageId: `${run}-${i}`,
  type: 'track',
  event: 'Page Viewed',
  userId: `b-${i % customers}`,
  timestamp: new Date().toISOString(),
  properties: { path: `/p/${i}` },
});

/** Until nothing waits to be delivered; the seconds it took from `since`. */
async function drained(stack: Stack, since: number): Promise<number> {
  while ((await backlog(stack.pool)).pending > 0) await new Promise((r) => setTimeout(r, 20));
  return (performance.now() - since) / 1000;
}

function print(rows: Row[], baseline: Row): void {
  const rate = (r: Row) => r.events / r.seconds;
  const cell = (text: string, width: number) => text.padEnd(width);
  console.log(
    `\n${cell('path', 44)}${cell('events/s', 10)}${cell('vs raw', 9)}${cell('p50', 10)}${cell('p99', 10)}note`,
  );
  for (const r of rows) {
    const lat = (p: number) => (r.latencies ? `${percentile(r.latencies, p).toFixed(1)} ms` : '');
    console.log(
      `${cell(r.path, 44)}${cell(rate(r).toFixed(0), 10)}${cell(`${(rate(r) / rate(baseline)).toFixed(2)}x`, 9)}${cell(lat(50), 10)}${cell(lat(99), 10)}${r.note ?? ''}`,
    );
  }
}

const PHASES = ['sleeping', 'ingest', 'emails', 'channels', 'simulate', 'segments'] as const;
/** Phases that bring their own servers and need none of the stack. */
const ON_THEIR_OWN: readonly Phase[] = ['channels', 'simulate', 'segments'];
type Phase = (typeof PHASES)[number];

async function main(): Promise<void> {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  if (only !== undefined && !PHASES.includes(only as Phase))
    throw new Error(`--only must be one of ${PHASES.join(', ')}`);
  // Sleeping customers first: the worker's memory before any other phase has used it.
  const phases: readonly Phase[] = only ? [only as Phase] : PHASES;
  const progress = (line: string) => console.log(`  ${line}`);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  // The channels and simulate phases need none of the stack: they run after it, on servers of their own.
  if (phases.some((phase) => !ON_THEIR_OWN.includes(phase))) await withStack(phases, progress);
  if (phases.includes('channels')) await channels(progress);
  if (phases.includes('simulate')) await simulations(progress);
  if (phases.includes('segments')) await segments(progress);
}

/** What segments cost per event in the customer workflow, and reading a segment's members. */
async function segments(progress: (line: string) => void) {
  console.log('\nSegments: evaluation per event, history per event, members on 100,000 customers...');
  const r = await benchSegments(progress, arg('segment-customers', 100_000));
  const cell = (text: string, width: number) => text.padEnd(width);
  const base = r.perEvent[0].microseconds;
  console.log(`\n${cell('per event, in the customer workflow (CPU)', 44)}${cell('µs/event', 10)}vs baseline`);
  for (const row of r.perEvent)
    console.log(
      `${cell(row.label, 44)}${cell(row.microseconds.toFixed(2), 10)}${(row.microseconds / base).toFixed(2)}x`,
    );
  console.log(
    `\n${cell('500 events of one customer, through the product', 50)}${cell('history events/event', 22)}CPU ms/event (API, dispatcher, worker)`,
  );
  for (const row of r.history)
    console.log(`${cell(row.label, 50)}${cell(row.historyPerEvent.toFixed(2), 22)}${row.cpuMsPerEvent.toFixed(2)}`);
  console.log(
    `\nGET /v1/segments/:name/customers, ${r.customers.toLocaleString('en')} customers in each of 6 segments (median of 50)`,
  );
  for (const row of r.members) console.log(`${cell(row.label, 50)}${row.ms.toFixed(1)} ms\n    ${row.plan}`);
}

/** A simulated year of each shipped journey, beside an empty year. */
async function simulations(progress: (line: string) => void) {
  console.log('\nA simulated year per shipped journey (npm run simulate, in this process)...');
  const { empty, journeys } = await benchSimulate(progress);
  const cell = (text: string, width: number) => text.padEnd(width);
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `\n${cell('journey', 22)}${cell('the year', 11)}${cell('with start and stop', 22)}${cell('sent', 6)}vs an empty year`,
  );
  for (const r of [empty, ...journeys]) {
    const vs = r === empty ? '' : `${(r.totalMs / empty.totalMs).toFixed(2)}x`;
    console.log(
      `${cell(r.journey, 22)}${cell(s(r.simulatedMs), 11)}${cell(s(r.totalMs), 22)}${cell(String(r.sent), 6)}${vs}`,
    );
  }
  const slowest = Math.max(...journeys.map((r) => r.totalMs));
  console.log(`slowest year with start and stop: ${s(slowest)} (target: under 10 s)`);
}

async function withStack(phases: readonly Phase[], progress: (line: string) => void): Promise<void> {
  const concurrency = arg('concurrency', 64);

  console.log('Starting a dev server, PostgreSQL, an SMTP sink, the worker, the dispatcher and the API...');
  const mailed = new Map<string, number>();
  const stack = await startStack((to) => mailed.set(to, performance.now()));
  const http = httpClient(stack.apiUrl, concurrency);
  try {
    if (phases.includes('sleeping')) await sleeping(stack, progress);
    if (phases.includes('ingest')) await ingest(stack, http, mailed, progress);
    if (phases.includes('emails')) await emails(stack, http, mailed, progress);
    const { api, worker } = stack.memory();
    const own = process.memoryUsage().rss / 2 ** 20;
    console.log(
      `\nmemory (RSS): API ${api} MiB, worker ${worker} MiB, this process (the client and the dispatcher) ${own.toFixed(0)} MiB`,
    );
  } finally {
    await http.close();
    await stack.stop();
  }
}

/**
 * One message through each channel's send activity (decision and outbox row in PostgreSQL, render,
 * hand-off, marks), beside the raw hand-off to the same receiver: latency one at a time, and
 * throughput with 8 in flight.
 */
async function channels(progress: (line: string) => void) {
  const messages = arg('messages', 300);
  const concurrency = 8;
  console.log('\nSend latency per channel (the send activities called as functions, no Temporal)...');
  const results = await benchChannels({ messages, concurrency, progress });
  const cell = (text: string, width: number) => text.padEnd(width);
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  console.log(
    `\nsend latency per channel: ${messages} messages one at a time, then ${messages} with ${concurrency} in flight, each to a customer and key of its own`,
  );
  console.log(
    `${cell('channel', 9)}${cell('path', 42)}${cell('in flight', 11)}${cell('p50', 10)}${cell('p95', 10)}${cell('p99', 10)}${cell('msg/s', 8)}vs raw (p50, msg/s)`,
  );
  for (const r of results) {
    for (const mode of ['serial', 'concurrent'] as const) {
      const inFlight = mode === 'serial' ? 1 : concurrency;
      const rate = (run: { seconds: number }) => messages / run.seconds;
      const row = (pathName: string, run: { latencies: number[]; seconds: number }, vs: string) =>
        console.log(
          `${cell(r.channel, 9)}${cell(pathName, 42)}${cell(String(inFlight), 11)}${[50, 95, 99].map((p) => cell(ms(percentile(run.latencies, p)), 10)).join('')}${cell(rate(run).toFixed(0), 8)}${vs}`,
        );
      const raw = r.raw[mode];
      const real = r.real[mode];
      row(r.rawPath, raw, '');
      const slower = percentile(real.latencies, 50) / percentile(raw.latencies, 50);
      row(r.realPath, real, `${slower.toFixed(1)}x, ${(rate(real) / rate(raw)).toFixed(2)}x`);
    }
  }
  console.log('\nwhere a message of the real path spends its time, one at a time (means):');
  for (const r of results) {
    const s = r.split;
    const rest = s.total - s.transaction - s.writes - s.render;
    const rawMean = r.raw.serial.latencies.reduce((x, y) => x + y, 0) / messages;
    console.log(
      `  ${cell(r.channel, 8)} ${ms(s.total)}: decision transaction ${ms(s.transaction)} (${s.transactionQueries.toFixed(0)} statements), other PostgreSQL writes ${ms(s.writes)} (${s.writeQueries.toFixed(0)}), rendering ${ms(s.render)}, the rest ${ms(rest)} (the hand-off; raw alone ${ms(rawMean)})`,
    );
  }
}

type Http = ReturnType<typeof httpClient>;

/** Order confirmations through the whole product, beside raw nodemailer and the server's ceiling. */
async function emails(stack: Stack, http: Http, mailed: Map<string, number>, progress: (line: string) => void) {
  const orders = arg('orders', 300);
  const options = {
    orders,
    concurrency: 16,
    workflowConcurrency: arg('concurrency', 64),
    post: http.post,
    mailed,
    progress,
  };
  const r = await benchEmails(stack, options);
  const ratio = (x: number, of: number) => `${((100 * x) / of).toFixed(1)} %`;
  console.log(`\n${orders} order confirmations (Order Completed -> the email at the SMTP sink, 16 in flight)`);
  console.log(`  raw pooled nodemailer, same email, same sink   ${r.rawPerSecond.toFixed(0)} emails/s`);
  console.log(
    `  trivial workflows, started and finished        ${r.trivialPerSecond.toFixed(1)} executions/s (before the orders ${r.trivialRuns[0].toFixed(1)}, after ${r.trivialRuns[1].toFixed(1)})`,
  );
  console.log(
    `  Journeys                                       ${r.emailsPerSecond.toFixed(1)} emails/s: ${ratio(r.emailsPerSecond, r.rawPerSecond)} of raw, ${ratio(r.emailsPerSecond, r.trivialPerSecond)} of the trivial-workflow ceiling`,
  );
  console.log(
    `  order -> email                                 p50 ${percentile(r.latencies, 50).toFixed(0)} ms, p99 ${percentile(r.latencies, 99).toFixed(0)} ms`,
  );
  console.log(
    `  per email: ${r.journeyEventsPerEmail.toFixed(1)} history events in the journey, ${r.customerEventsPerOrder.toFixed(1)} in the customer workflow, ${r.workflowTasksPerEmail.toFixed(1)} workflow tasks, ${r.activityTasksPerEmail.toFixed(1)} activity tasks`,
  );
  // Where the time goes: which part was busy (the two cores are shared by all of them).
  const cpu = Object.entries(r.cpuPerEmail)
    .map(([part, ms]) => `${part} ${ms.toFixed(1)} ms (${((ms * orders) / 10 / r.seconds).toFixed(0)} % of a core)`)
    .join(', ');
  console.log(`  CPU per email, first order to idle (${r.seconds.toFixed(1)} s): ${cpu}`);
  const audience = arg('audience', 20_000);
  const announced = await benchAnnouncement(stack, { ...options, audience });
  console.log(`\nback in stock to ${audience} waiting customers (restock -> the last email at the sink)`);
  console.log(
    `  Journeys, pages of 100 through one activity each   ${announced.toFixed(0)} emails/s: ${ratio(announced, r.rawPerSecond)} of raw (${(audience / announced).toFixed(0)} s)`,
  );
}

/** The worker's resident memory as sleeping customers grow, beside its sticky cache's size. */
async function sleeping(stack: Stack, progress: (line: string) => void) {
  const most = arg('sleeping', 10_000);
  const checkpoints = [0, 1000, most].filter((n, i, all) => n <= most && all.indexOf(n) === i);
  const rows = await benchSleepingMemory(stack, { checkpoints, concurrency: arg('concurrency', 64), progress });
  const { WORKER_CACHE_MIB } = loadEnv({}); // the stack's worker runs with the defaults
  const cached = cachedWorkflowsFor(WORKER_CACHE_MIB);
  const idle = rows[0].workerMiB;
  console.log(
    `\nworker memory with sleeping customers (each a customer workflow and a cart journey asleep); sticky cache ${cached} workflows (WORKER_CACHE_MIB ${WORKER_CACHE_MIB})`,
  );
  // Two workflows a customer: once they outnumber the cache, it is full and the growth is its cost.
  const full = rows.find((r) => r.customers * 2 >= cached);
  for (const r of rows) {
    let note = r.customers ? `, +${r.workerMiB - idle} MiB over idle` : ' (idle)';
    if (r === full) {
      const kib = ((r.workerMiB - idle) * 1024) / cached;
      note += `: ${kib.toFixed(0)} KiB a cached workflow (cache-size.ts assumes ${CACHED_WORKFLOW_KIB})`;
    }
    console.log(`  ${String(r.customers).padStart(6)} customers   RSS ${r.workerMiB} MiB${note}`);
  }
}

/** Acceptance, delivery and lag of events, and sign-up to the confirmation email. */
async function ingest(stack: Stack, http: Http, mailed: Map<string, number>, progress: (line: string) => void) {
  const customers = arg('customers', 1000);
  const events = arg('events', 5000);
  const concurrency = arg('concurrency', 64);
  const batches = arg('batches', 100);
  const signups = arg('signups', 50);
  const rows: Row[] = [];
  // Each result as soon as it is measured, and the table at the end.
  const record = (row: Row) => {
    progress(`  ${row.path}: ${(row.events / row.seconds).toFixed(0)} events/s`);
    rows.push(row);
  };
  // Warm-up: every customer's workflow exists, so the runs measure steady state, not first starts.
  progress(`warming up ${customers} customers...`);
  stack.dispatcher.start();
  for (let i = 0; i < customers; i += 500) {
    await storeEvents(
      stack.pool,
      Array.from({ length: Math.min(500, customers - i) }, (_, j) => event('warm', i + j, customers)),
    );
  }
  await drained(stack, performance.now());
  await settled(stack, performance.now());
  await stack.dispatcher.stop();

  // The HTTP floor: the API answering its liveness probe (no body, no database), with the same
  // client and sockets. No request through Express on this machine answers faster.
  progress(`GET /healthz: ${events} requests, ${concurrency} in flight...`);
  let started = performance.now();
  const floor: Row = {
    path: 'GET /healthz (the HTTP floor)',
    events,
    latencies: await timed(
      Array.from({ length: events }, () => () => http.get('/healthz')),
      concurrency,
    ),
    seconds: 0,
    note: `${concurrency} in flight; requests/s`,
  };
  floor.seconds = (performance.now() - started) / 1000;
  record(floor);

  // Acceptance alone (the dispatcher paused, the worker idle): what the API can take.
  progress(`POST /v1/track: ${events} events, ${concurrency} in flight...`);
  started = performance.now();
  const track: Row = {
    path: 'POST /v1/track (accepted)',
    events,
    latencies: await timed(
      Array.from({ length: events }, (_, i) => () => http.post('/v1/track', event('track', i, customers))),
      concurrency,
    ),
    seconds: 0,
    note: `${concurrency} in flight`,
  };
  track.seconds = (performance.now() - started) / 1000;
  record(track);

  const batchSize = 100;
  const batchConcurrency = 16;
  progress(`POST /v1/batch: ${batches} batches of ${batchSize}, ${batchConcurrency} in flight...`);
  started = performance.now();
  const batch: Row = {
    path: `POST /v1/batch (accepted, ${batchSize} a request)`,
    events: batches * batchSize,
    latencies: await timed(
      Array.from(
        { length: batches },
        (_, b) => () =>
          http.post('/v1/batch', {
            batch: Array.from({ length: batchSize }, (_, j) => ({
              ...event('batch', b * batchSize + j, customers),
              type: 'track',
            })),
          }),
      ),
      batchConcurrency,
    ),
    seconds: 0,
    note: `${batchConcurrency} requests in flight; latency a request`,
  };
  batch.seconds = (performance.now() - started) / 1000;
  record(batch);

  // The baseline, with the API idle: Temporal's own rate for one event a signal.
  progress(`raw signalWithStart: ${events} events, ${concurrency} in flight...`);
  started = performance.now();
  const raw: Row = {
    path: 'raw signalWithStart (1 event/signal)',
    events,
    latencies: await timed(
      Array.from({ length: events }, (_, i) => () => stack.signalRaw(event('raw', i, customers))),
      concurrency,
    ),
    seconds: 0,
    note: `${concurrency} in flight, ${customers} customers; in the history`,
  };
  raw.seconds = (performance.now() - started) / 1000;
  // Processed too: what Temporal and the worker sustain for events that travel one a signal.
  const rawProcessed = raw.events / (await settled(stack, started));
  raw.note += `; processed ${rawProcessed.toFixed(0)}/s`;
  record(raw);

  // Delivery alone: the backlog the two runs above left, spread over every customer.
  const spread = (await backlog(stack.pool)).pending;
  progress(`delivering the ${spread} stored events...`);
  started = performance.now();
  stack.dispatcher.start();
  const spreadSeconds = await drained(stack, started);
  const spreadProcessed = await settled(stack, started);
  record({
    path: `delivered, spread (${customers} customers)`,
    events: spread,
    seconds: spreadSeconds,
    note: `stored -> in the histories; processed ${(spread / spreadProcessed).toFixed(0)}/s`,
  });

  // Bursts: a few customers with many events each, coalesced into few signals.
  await stack.dispatcher.stop();
  const burstCustomers = 20;
  const burst = Array.from({ length: events }, (_, i) => event('burst', i, burstCustomers));
  for (let i = 0; i < burst.length; i += 500) await storeEvents(stack.pool, burst.slice(i, i + 500));
  progress(`delivering ${events} events of ${burstCustomers} customers...`);
  const signalsBefore = await stack.signals();
  started = performance.now();
  stack.dispatcher.start();
  const burstSeconds = await drained(stack, started);
  const burstProcessed = await settled(stack, started);
  record({
    path: `delivered, bursts (${burstCustomers} customers)`,
    events,
    seconds: burstSeconds,
    note: `${(await stack.signals()) - signalsBefore} signals; processed ${(events / burstProcessed).toFixed(0)}/s`,
  });

  // Lag at half the delivery capacity, through the API, with the dispatcher running. Events that
  // trickle in travel one a signal, so that capacity is what raw signalWithStart gets processed.
  const rate = Math.max(1, Math.round(rawProcessed / 2));
  const lagEvents = Math.min(events, rate * 10);
  progress(`lag: ${lagEvents} events through /v1/track at ${rate}/s...`);
  // Open loop at the given rate, at most `concurrency` requests in flight (a client's sockets).
  started = performance.now();
  await timed(
    Array.from({ length: lagEvents }, (_, i) => async () => {
      const wait = started + (i / rate) * 1000 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await http.post('/v1/track', event('lag', i, customers));
    }),
    concurrency,
  );
  await drained(stack, started);
  const { rows: lags } = await stack.pool.query<{ ms: number }>(
    `SELECT extract(epoch FROM delivered_at - received_at)::float8 * 1000 AS ms FROM events WHERE message_id LIKE 'lag-%' ORDER BY 1`,
  );
  record({
    path: `lag at ${rate}/s (half the raw processed rate)`,
    events: lagEvents,
    seconds: (performance.now() - started) / 1000,
    latencies: lags.map((l) => l.ms),
    note: 'latency: accepted -> delivered',
  });

  print([raw, ...rows.filter((r) => r !== raw)], raw);
  await settled(stack, performance.now());

  const sent = new Map<string, number>();
  await timed(
    Array.from({ length: signups }, (_, i) => async () => {
      const email = `signup-${i}@bench.test`;
      await http.post('/v1/identify', { userId: `s-${i}`, traits: { email } });
      sent.set(email, performance.now());
      await http.post('/v1/track', { userId: `s-${i}`, event: 'Signed Up' });
    }),
    Math.min(concurrency, signups),
  );
  const deadline = Date.now() + 120_000;
  while ([...sent.keys()].some((e) => !mailed.has(e)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const delays = [...sent].filter(([e]) => mailed.has(e)).map(([e, at]) => mailed.get(e)! - at);
  delays.sort((a, b) => a - b);
  console.log(`\nsign-up to confirmation email: ${delays.length} of ${signups} arrived`);
  console.log(
    `  latency     p50 ${percentile(delays, 50).toFixed(1)} ms, p95 ${percentile(delays, 95).toFixed(1)} ms, max ${delays[delays.length - 1]?.toFixed(1)} ms`,
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
