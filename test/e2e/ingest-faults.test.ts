import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import type { Pool } from 'pg';
import { loadEnv } from '../../src/config/env';
import { TASK_QUEUE } from '../../src/config/task-queue';
import { temporalClientConnection } from '../../src/config/temporal-connection';
import { devServerArgs } from '../../src/dev/dev-server-args';
import { freePort } from '../../src/dev/free-port';
import { devServerOptions } from '../../src/dev/provision';
import { ServerProcess } from '../../src/dev/server-process';
import { ensureTemporalCli } from '../../src/dev/temporal-cli';
import { migrate } from '../../src/db/migrate';
import { createPool } from '../../src/db/pool';
import { Dispatcher } from '../../src/dispatcher/dispatcher';
import { useDispatcher } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import {
  batch,
  call,
  expectedCounts,
  latencies,
  pending,
  post,
  processedCounts,
  sendAll,
  single,
  unexpected,
  useHttpApi,
  type Answer,
  type Req,
} from '../helpers/ingest-load';
import { StubActivities, useWorker } from '../helpers/journeys';
import { useMigratedPostgres } from '../helpers/postgres';
import {
  killWorker,
  startPostgresProcess,
  startWorkerProcess,
  useWorkerProcesses,
  untilWorkerStarted,
  WORKER_START_S,
  type PostgresProcess,
  type WorkerProcess,
} from '../helpers/killable-processes';
import { useSmtpSink } from '../helpers/smtp-sink';
import { stopBeforeTeardown, useDevServerEnv } from '../helpers/temporal';

// The faults the ingestion path must survive, each through the real path: the API served over
// HTTP, PostgreSQL, a dispatcher, a real Temporal dev server and a worker running the real
// workflows. Accepting an event is storing it, so:
//  - a worker killed during a burst changes nothing the client sees, and loses or repeats nothing;
//  - Temporal down changes nothing the client sees either: events wait in PostgreSQL, then arrive once;
//  - PostgreSQL down is the one 503, and a 503 stored nothing, so the client's retry is the one copy.
// The numbers each fault measured are printed (console.log) for whoever reads the run.

// ---------------------------------------------------------------------------------------------

describe('a worker killed with SIGKILL and restarted during a burst', () => {
  const CUSTOMERS = 100;
  const EVENTS = 2000;
  const env = useDevServerEnv();
  const db = useMigratedPostgres();
  const smtp = useSmtpSink();
  // As in the API process: the test's dispatcher delivers what the API stores.
  useDispatcher(() => ({ pool: db.pool(), temporal: env().client, listenUrl: db.url() }));
  const api = useHttpApi(() => ({ pool: db.pool(), temporal: env().client }));
  const workers = useWorkerProcesses(() => ({
    DATABASE_URL: db.url(),
    SMTP_URL: smtp.url(),
    TEMPORAL_ADDRESS: env().address,
  }));
  beforeAll(
    async () => {
      await untilWorkerStarted(workers.start());
    },
    (WORKER_START_S + 60) * 1000,
  );

  it('answers every request 2xx, and every event is processed once', async () => {
    // 2,000 events over 100 customers: half as single calls, half in batches of 10 spanning
    // customers, and one single in 20 sent twice (a client retrying a request it thinks was lost).
    const customer = (i: number) => `burst-${i % CUSTOMERS}`;
    const singles = Array.from({ length: EVENTS / 2 }, (_, i) => single(call(customer(i))));
    const batches = Array.from({ length: EVENTS / 20 }, (_, b) =>
      batch(Array.from({ length: 10 }, (_, i) => call(customer(b * 7 + i * 13)))),
    );
    const reqs: Req[] = [];
    singles.forEach((r, i) => {
      reqs.push(r);
      if (i % 10 === 9) reqs.push(batches[(i - 9) / 10]);
      if (i % 20 === 19) reqs.push(singles[i - 10]);
    });
    const expected = expectedCounts(reqs);
    expect(Object.values(expected).reduce((a, b) => a + b, 0)).toBe(EVENTS);
    expect(Object.keys(expected)).toHaveLength(CUSTOMERS);

    // Halfway through the answers, the worker dies mid-work; a new one starts (it takes a while:
    // it bundles the workflows), while the burst goes on.
    let atKill: { answered: number; pending: number; at: number } | undefined;
    let kill: Promise<void> | undefined;
    const started = Date.now();
    const answers = await sendAll(api.url(), reqs, 8, (_a, answered) => {
      if (answered !== Math.floor(reqs.length / 2)) return;
      kill = (async () => {
        await killWorker(workers.all[0]);
        const at = Date.now();
        atKill = { answered, pending: await pending(db.pool()), at };
        workers.start();
      })();
    });
    const ms = Date.now() - started;
    await kill;

    console.log(
      `worker kill: ${answers.length} requests (${EVENTS} events) in ${ms} ms, ${latencies(answers)}; ` +
        `killed after ${atKill!.answered} answers, with ${atKill!.pending} events then undelivered`,
    );
    expect(unexpected(answers, (a) => a.status >= 200 && a.status < 300)).toEqual([]);
    expect(answers).toHaveLength(reqs.length);

    // The new worker picks up what the dead one held (its workflow tasks time out and move over).
    const recovering = Date.now();
    await untilWorkerStarted(workers.all[1]);
    const startedLine = workers.all[1].lines.find((l) => l.includes('"worker started"'))!;
    const workerUp = (JSON.parse(startedLine) as { time: number }).time - atKill!.at;
    await eventually(async () => (await pending(db.pool())) === 0, 'every stored event delivered', 300);
    const actual = await processedCounts(() => env().client, expected, 300);
    console.log(
      `worker kill: new worker up ${workerUp} ms after the kill; all processed ${Date.now() - recovering} ms after the burst`,
    );
    expect(actual).toEqual(expected);

    // Stored once each, all delivered, nothing waiting; the API logged no error.
    const { rows } = await db
      .pool()
      .query<{ total: number; distinct: number; delivered: number }>(
        'SELECT count(*)::int AS total, count(DISTINCT message_id)::int AS distinct, count(delivered_at)::int AS delivered FROM events',
      );
    expect(rows[0]).toEqual({ total: EVENTS, distinct: EVENTS, delivered: EVENTS });
    expect(await pending(db.pool())).toBe(0);
    expect(api.logged).toEqual([]);
  }, 900_000);
});

// ---------------------------------------------------------------------------------------------

describe('Temporal stopped for 60 s', () => {
  const OUTAGE_MS = 60_000;
  const CUSTOMERS = 40;
  const db = useMigratedPostgres();
  const smtp = useSmtpSink();
  // A dev server of our own, on a SQLite file, so it can be stopped and started again on the same
  // port and data (as npm start runs it): workflows started before the outage are there after it.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'journeys-faults-temporal-'));
  let server: ServerProcess | undefined;
  let startServer: () => Promise<ServerProcess>;
  // The API process's own client: lazy, as src/api/main.ts makes it, and kept through the outage.
  let connection: Connection | undefined;
  let client: Client | undefined;
  let dispatcher: Dispatcher | undefined;
  const failures = { temporal: 0, postgres: 0, bug: 0 };
  let firstDelivery: number | undefined;
  let worker: WorkerProcess | undefined;

  beforeAll(
    async () => {
      const cli = await ensureTemporalCli(() => undefined);
      if (!cli.path) throw new Error('this test needs the provisioned Temporal CLI');
      const port = await freePort();
      const args = devServerArgs(
        {
          ...devServerOptions(cli),
          dbFilename: path.join(dataDir, 'temporal.sqlite'),
          log: { format: 'pretty', level: 'never' },
          extraArgs: ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL'],
        },
        port,
      );
      startServer = () => ServerProcess.start({ name: 'the Temporal dev server', command: cli.path!, args, port });
      server = await startServer();
      connection = Connection.lazy(temporalClientConnection(loadEnv({ TEMPORAL_ADDRESS: server.address })));
      client = new Client({ connection });
      // As the API runs it: production's defaults (poll each second, retry a failed customer after 5 s).
      dispatcher = new Dispatcher({
        pool: db.pool(),
        temporal: client,
        listenUrl: db.url(),
        onFailure: (service) => failures[service]++,
        onDelivered: () => (firstDelivery ??= Date.now()),
      });
      dispatcher.start();
      worker = startWorkerProcess({ DATABASE_URL: db.url(), SMTP_URL: smtp.url(), TEMPORAL_ADDRESS: server.address });
      await untilWorkerStarted(worker);
    },
    (WORKER_START_S + 180) * 1000,
  );
  const api = useHttpApi(() => ({ pool: db.pool(), temporal: client! }));

  afterAll(async () => {
    await killWorker(worker);
    await dispatcher?.stop();
    await connection?.close();
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    // The SDK's runtime (the test helpers install it) ends when the last native connection closes;
    // this suite opens none, so run alone (-t) it would keep jest from exiting.
    await Runtime._instance?.shutdown();
  });

  it('keeps answering 200 in milliseconds, and delivers everything once after it returns', async () => {
    const customer = (i: number) => `outage-${i % CUSTOMERS}`;
    // Before: half the customers have a workflow already, which must survive the outage.
    const before = Array.from({ length: CUSTOMERS / 2 }, (_, i) => single(call(customer(i))));
    expect(unexpected(await sendAll(api.url(), before, 4), (a) => a.status === 200)).toEqual([]);
    const warm = await processedCounts(() => client!, expectedCounts(before), 120);
    expect(warm).toEqual(expectedCounts(before));

    await server!.stop();
    const down = Date.now();

    // While it is down, clients keep sending (two in flight, a short pause between): singles to
    // every customer, and batches spanning old and new ones. Each must be stored and answered at
    // once; none may wait on Temporal.
    const during: Answer[] = [];
    const sent: Req[] = [];
    let i = 0;
    const sender = async () => {
      while (Date.now() - down < OUTAGE_MS) {
        const n = i++;
        const req =
          n % 5 === 4
            ? batch(Array.from({ length: 5 }, (_, k) => call(customer(n + k * 9))))
            : single(call(customer(n)));
        sent.push(req);
        during.push(await post(api.url(), req));
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await Promise.all([sender(), sender()]);
    const eventsDuring = sent.flatMap((r) => r.calls).length;
    console.log(
      `Temporal outage: ${during.length} requests (${eventsDuring} events) in ${Date.now() - down} ms, ${latencies(during)}`,
    );
    // Each answered 200, and at once: one that waited on Temporal would take the dispatcher's 10 s
    // delivery deadline at least. Half that leaves room for a busy machine (one run saw a 2.4 s
    // stall in the test process); the p99 above is the measure.
    expect(unexpected(during, (a) => a.status === 200 && a.ms < 5000)).toEqual([]);
    // All stored, none delivered: they wait in PostgreSQL. The dispatcher tried, and saw Temporal down.
    expect(await pending(db.pool())).toBe(eventsDuring);
    expect(failures.temporal).toBeGreaterThan(0);
    expect(failures.bug).toBe(0);

    // Back on the same port and data: the dispatcher's client reconnects by itself, the worker too.
    // The customers who had a workflow keep it (their count goes on from before the outage).
    firstDelivery = undefined;
    const restarting = Date.now();
    // The server answers within a second of starting; its readiness probe, though, shares this
    // process's gRPC channel with the dispatcher's client, so it waits out that channel's reconnect
    // backoff too: this is when this process reaches Temporal again.
    server = await startServer();
    const serverUp = Date.now() - restarting;
    await eventually(async () => (await pending(db.pool())) === 0, 'every stored event delivered', 300);
    const deliveredAfter = Date.now() - restarting;
    const expected = expectedCounts([...before, ...sent]);
    const actual = await processedCounts(() => client!, expected, 300);
    console.log(
      `Temporal outage: after restarting, reached again in ${serverUp} ms, first delivery after ` +
        `${(firstDelivery ?? NaN) - restarting} ms, all delivered after ${deliveredAfter} ms, ` +
        `all processed after ${Date.now() - restarting} ms; dispatcher failures ${JSON.stringify(failures)}`,
    );
    expect(actual).toEqual(expected);
    expect(worker!.exited).toBe(false);
    expect(failures.bug).toBe(0);
    expect(api.logged).toEqual([]);
  }, 900_000);
});

// ---------------------------------------------------------------------------------------------

describe('PostgreSQL stopped', () => {
  const CUSTOMERS = 20;
  const BATCH = 10;
  const env = useDevServerEnv();
  const stub = new StubActivities(env);
  // The workflows as they run; their activities stubbed (this fault is about storing, not sending).
  useWorker(env, {
    workflowsPath: require.resolve('../../src/workflows'),
    activities: () => stub.activities,
    taskQueue: TASK_QUEUE,
  });
  // A PostgreSQL of the suite's own, to stop and start again on the same port and data.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journeys-faults-pg-'));
  const dataDir = path.join(dir, 'data');
  let postgres: PostgresProcess | undefined;
  let port = 0;
  let pool: Pool | undefined;
  beforeAll(async () => {
    fs.chmodSync(dir, 0o755); // PostgreSQL runs as its own user when we are root
    port = await freePort();
    postgres = await startPostgresProcess(dataDir, port);
    pool = createPool(postgres.url, 20); // as the API makes it: a dropped connection is not a crash
    await migrate(pool);
    // Before the dev server goes (the helper's own registration may have run with an earlier suite).
    stopBeforeTeardown(() => dispatcher().stop());
  }, 120_000);
  let lastDelivery = 0;
  const dispatcher = useDispatcher(() => ({ pool: pool!, temporal: env().client, listenUrl: postgres!.url }), {
    onDelivered: () => (lastDelivery = Date.now()),
  });
  const api = useHttpApi(() => ({ pool: pool!, temporal: env().client }));
  afterAll(async () => {
    await Promise.resolve()
      .then(() => dispatcher().stop())
      .catch(() => undefined); // never made, if a hook before it failed
    await pool?.end();
    await postgres?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const rowsOf = async (req: Req): Promise<number> => {
    const { rows } = await pool!.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE message_id = ANY($1::text[])',
      [req.calls.map((c) => c.messageId)],
    );
    return rows[0].n;
  };

  it('answers 503 with Retry-After, stores nothing half, and a retried batch is stored and processed once', async () => {
    const customer = (i: number) => `pg-${i % CUSTOMERS}`;
    let b = 0;
    const nextBatch = () => {
      const n = b++;
      return batch(Array.from({ length: BATCH }, (_, k) => call(customer(n + k * 3))));
    };

    // Four clients send batches; after 40 answers PostgreSQL is stopped under them (fast shutdown:
    // statements in flight are cut), and they go on for 5 s against the stopped database.
    const answers: Answer[] = [];
    let stoppedAt: number | undefined;
    let stopping: Promise<void> | undefined;
    const sender = async () => {
      while (stoppedAt === undefined || Date.now() - stoppedAt < 5000) {
        const answer = await post(api.url(), nextBatch());
        answers.push(answer);
        if (answers.length === 40)
          stopping = postgres!.stop().then(() => {
            stoppedAt = Date.now();
          });
        if (answers.length > 2000) throw new Error('PostgreSQL did not stop');
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await Promise.all([sender(), sender(), sender(), sender()]);
    await stopping;

    const ok = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 503);
    console.log(
      `PostgreSQL outage: ${answers.length} batches, ${ok.length} answered 200, ${refused.length} 503, ${latencies(answers)}`,
    );
    // Nothing but 200 (stored) or 503 (not stored): no 500, no request left hanging.
    expect(unexpected(answers, (a) => a.status === 200 || a.status === 503)).toEqual([]);
    expect(refused.length).toBeGreaterThan(0);
    for (const a of refused) {
      expect({ retryAfter: a.retryAfter, body: a.body }).toEqual({
        retryAfter: '5',
        body: { error: { code: 'unavailable', message: 'The database is unavailable; retry later' } },
      });
    }

    // Back on the same port and data: the API's pool and the dispatcher reconnect by themselves.
    const restarting = Date.now();
    postgres = await startPostgresProcess(dataDir, port);
    const up = Date.now() - restarting;
    // Customers the dispatcher held when PostgreSQL went: it could not give them back then; it
    // does on its next round (tried again after retryAfterMs), not when their lease runs out.
    const { rows: held } = await pool!.query<{ n: number; s: number | null }>(
      'SELECT count(*)::int AS n, extract(epoch FROM max(leased_until) - now())::float8 AS s FROM dispatch_leases WHERE leased_until > now()',
    );
    // Each batch is all there or not there at all; those answered 200 are all there.
    const stored = await Promise.all(answers.map(async (a) => ({ status: a.status, rows: await rowsOf(a.req) })));
    expect(stored.filter((s) => s.rows !== 0 && s.rows !== BATCH)).toEqual([]);
    expect(stored.filter((s) => s.status === 200 && s.rows !== BATCH)).toEqual([]);

    // The clients retry what was refused, as Retry-After says (here at once): stored once each.
    const retried = await sendAll(
      api.url(),
      refused.map((a) => a.req),
      4,
    );
    expect(unexpected(retried, (a) => a.status === 200)).toEqual([]);
    const retriedAfter = Date.now() - restarting;
    const all = answers.map((a) => a.req);
    expect(await Promise.all(all.map(rowsOf))).toEqual(all.map(() => BATCH));
    const { rows } = await pool!.query<{ total: number; distinct: number }>(
      'SELECT count(*)::int AS total, count(DISTINCT message_id)::int AS distinct FROM events',
    );
    expect(rows[0]).toEqual({ total: all.length * BATCH, distinct: all.length * BATCH });

    // And delivered and processed once each.
    await eventually(async () => (await pending(pool!)) === 0, 'every stored event delivered', 300);
    const expected = expectedCounts(all);
    const actual = await processedCounts(() => env().client, expected, 300);
    console.log(
      `PostgreSQL outage: after restarting, up in ${up} ms (${held[0].n} customers still leased, ` +
        `for up to ${(held[0].s ?? 0).toFixed(1)} s), ${retried.length} batches retried by ${retriedAfter} ms, ` +
        `all delivered by ${lastDelivery - restarting} ms, all processed by ${Date.now() - restarting} ms`,
    );
    expect(actual).toEqual(expected);
    expect(api.logged).toEqual([]);
  }, 600_000);
});
