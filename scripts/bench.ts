// npm run bench: what Journeys sustains on this machine, as numbers (no pass or fail).
//   ingest      events/s and request latency through POST /v1/track (stored, then delivered to the
//               customer workflow by update-with-start), at a given concurrency
//   sign-up     latency from "Signed Up" to the confirmation email accepted by SMTP
//   memory      the process's RSS and heap afterwards (API + worker in one process)
// Flags: --events N (2000), --customers N (200), --concurrency N (16), --signups N (50).
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { startStack, WRITE_KEY } from './bench/stack';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number`);
  return value;
};

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (n: number): string => `${n.toFixed(1)} ms`;

async function track(apiUrl: string, body: object): Promise<void> {
  const res = await fetch(`${apiUrl}/v1/track`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${WRITE_KEY}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST /v1/track answered ${res.status}: ${await res.text()}`);
}

/** Runs `jobs` with at most `concurrency` in flight; returns each job's latency in ms. */
async function timed(jobs: (() => Promise<void>)[], concurrency: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        const start = performance.now();
        await job();
        latencies.push(performance.now() - start);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const events = arg('events', 2000);
  const customers = arg('customers', 200);
  const concurrency = arg('concurrency', 16);
  const signups = arg('signups', 50);
  Runtime.install({ logger: new DefaultLogger('ERROR') });

  console.log('Starting a dev server, PostgreSQL, an SMTP sink, the worker and the API...');
  const mailed = new Map<string, number>();
  const stack = await startStack((to) => mailed.set(to, performance.now()));
  try {
    // Warm-up: every customer's workflow exists, so the run measures steady state, not first starts.
    await timed(
      Array.from({ length: customers }, (_, c) => () => track(stack.apiUrl, { userId: `b-${c}`, event: 'Warmed Up' })),
      concurrency,
    );

    const started = performance.now();
    const latencies = await timed(
      Array.from(
        { length: events },
        (_, i) => () =>
          track(stack.apiUrl, {
            userId: `b-${i % customers}`,
            messageId: `bench-${i}`,
            event: 'Page Viewed',
            properties: { path: `/p/${i}` },
          }),
      ),
      concurrency,
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`\ningest: ${events} events, ${customers} customers, ${concurrency} in flight`);
    console.log(`  throughput  ${(events / seconds).toFixed(0)} events/s (${seconds.toFixed(1)} s)`);
    console.log(
      `  latency     p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, p99 ${ms(percentile(latencies, 99))}`,
    );

    const sent = new Map<string, number>();
    await timed(
      Array.from({ length: signups }, (_, i) => async () => {
        const email = `signup-${i}@bench.test`;
        await fetch(`${stack.apiUrl}/v1/identify`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${WRITE_KEY}` },
          body: JSON.stringify({ userId: `s-${i}`, traits: { email } }),
        });
        sent.set(email, performance.now());
        await track(stack.apiUrl, { userId: `s-${i}`, event: 'Signed Up' });
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
      `  latency     p50 ${ms(percentile(delays, 50))}, p95 ${ms(percentile(delays, 95))}, max ${ms(delays[delays.length - 1])}`,
    );

    const memory = process.memoryUsage();
    console.log(
      `\nmemory (API + worker, one process): RSS ${(memory.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB`,
    );
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
