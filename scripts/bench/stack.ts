import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { migrate } from '../../src/db/migrate';
import { createPool } from '../../src/db/pool';
import { Dispatcher } from '../../src/dispatcher/dispatcher';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres';
import { freePort } from '../../src/dev/free-port';
import { startDevServer } from '../../src/dev/temporal-dev-server';
import { spawn, type ChildProcess } from 'node:child_process';
import { TASK_QUEUE } from '../../src/config/task-queue';
import type { CustomerEvent } from '../../src/shared/events';
import { CustomerId } from '../../src/shared/search-attributes';
import { customerWorkflowId, eventsSignal } from '../../src/shared/signals';
import type { customer } from '../../src/workflows/customer';

export const WRITE_KEY = 'bench-write-key';

/**
 * Every part on loopback, in a temporary folder: dev server, PostgreSQL, an SMTP sink, the
 * production worker and API in processes of their own, and a dispatcher the bench starts and
 * stops itself (to measure acceptance and delivery apart).
 */
export async function startStack(onMail: (to: string) => void) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journeys-bench-'));
  fs.chmodSync(dir, 0o755); // as root, PostgreSQL runs as its own user and must reach its folder
  const temporal = await startDevServer({ dataDir: dir, port: await freePort(), uiPort: await freePort() }, () => {});
  const postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), persistent: false });
  const pool = createPool(postgres.url, 60);
  await migrate(pool);
  const smtp = new SMTPServer({
    authOptional: true,
    hideSTARTTLS: true,
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        for (const r of session.envelope.rcptTo) onMail(r.address);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  // The production worker and API, each in a process of its own, as deployed: the worker's
  // workflow tasks and the bench's own client never hold up the API's event loop.
  const common = {
    PATH: process.env.PATH!,
    HOME: process.env.HOME!,
    DATABASE_URL: postgres.url,
    SIGNING_SECRET: 'x'.repeat(32),
    TEMPORAL_ADDRESS: temporal.address,
    JOURNEYS_CONFIG: path.join(ROOT, 'config', 'dev.json'),
    LOG_LEVEL: 'warn',
  };
  const workerMetricsPort = await freePort();
  const worker = run('worker/main.js', {
    ...common,
    SMTP_URL: smtpUrl,
    WORKER_METRICS_PORT: String(workerMetricsPort),
    // The cache is a trade of memory for throughput: `WORKER_CACHE_MIB=1024 npm run bench` measures it.
    ...(process.env.WORKER_CACHE_MIB ? { WORKER_CACHE_MIB: process.env.WORKER_CACHE_MIB } : {}),
    ...parseEnv(fs.readFileSync(path.join(ROOT, 'deploy', 'worker.env'), 'utf8')), // as compose runs it
  });
  const apiPort = await freePort();
  const api = run('api/main.js', {
    ...common,
    PORT: String(apiPort),
    API_KEYS: WRITE_KEY,
    ADMIN_API_KEYS: 'bench-admin-key',
    API_RATE_LIMIT_PER_MINUTE: '0',
    API_DISPATCHER: 'false', // the bench runs the dispatcher itself
  });
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  while (
    !(await fetch(`${apiUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (api.exitCode !== null) throw new Error(`the API exited with ${api.exitCode}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  let signals = 0;
  const dispatcher = new Dispatcher({
    pool,
    temporal: temporal.client,
    listenUrl: postgres.url,
    onDelivered: () => signals++,
  });

  const stack = {
    apiUrl,
    smtpUrl,
    pool,
    temporal: temporal.client,
    temporalAddress: temporal.address,
    dispatcher,
    /** CPU seconds each part has used so far, from /proc (PostgreSQL: the postmaster and its backends). */
    cpu: () => ({
      server: cpuSeconds(processesMentioning(dir, 'start-dev')),
      postgres: cpuSeconds(postgresProcesses(path.join(dir, 'pg'))),
      worker: cpuSeconds([worker.pid!]),
      api: cpuSeconds([api.pid!]),
      bench: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    }),
    /** The API's and the worker's resident memory now (MiB), from /proc. */
    memory: () => ({ api: residentMiB(api.pid), worker: residentMiB(worker.pid) }),
    /** Workflow tasks the worker has completed so far (its SDK metrics). */
    workflowTasks: () => metricCount(workerMetricsPort, 'temporal_workflow_task_execution_latency'),
    /** Activity tasks (from the server, not local activities) the worker has completed so far. */
    activityTasks: () => metricCount(workerMetricsPort, 'temporal_activity_execution_latency'),
    /** Until the worker has processed everything it was given (see `settled`). */
    idle: async (): Promise<void> => void (await settled(stack, performance.now())),
    /** One event straight into its customer's workflow (signal-with-start), no API or dispatcher. */
    signalRaw: async (e: CustomerEvent): Promise<void> => {
      await temporal.client.workflow.signalWithStart<typeof customer, [CustomerEvent[]]>('customer', {
        workflowId: customerWorkflowId(e.userId),
        taskQueue: TASK_QUEUE,
        args: [{ customerId: e.userId }],
        signal: eventsSignal,
        signalArgs: [[e]],
        typedSearchAttributes: [{ key: CustomerId, value: e.userId }],
      });
    },
    /** Signals the dispatcher has sent so far. */
    signals: async () => signals,
    async stop() {
      await dispatcher.stop();
      await Promise.all([api, worker].map((child) => stopped(child)));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await pool.end();
      await postgres.stop();
      await temporal.teardown();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

/** How long the worker completes no workflow task before what was delivered counts as processed. */
const QUIET_MS = 1000;

/**
 * Until the worker has processed what was delivered: no workflow task waiting in the task queue
 * and none completed for QUIET_MS (the queue alone is not enough: a cached workflow's tasks go to
 * the worker's own sticky queue). The seconds from `since` to the last task completed.
 */
export async function settled(stack: Stack, since: number): Promise<number> {
  let tasks = await stack.workflowTasks();
  let lastTask = performance.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await stack.workflowTasks();
    if (now !== tasks) {
      tasks = now;
      lastTask = performance.now();
      continue;
    }
    if (performance.now() - lastTask < QUIET_MS) continue;
    const { stats } = await stack.temporal.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: TASK_QUEUE, kind: 1 },
      taskQueueType: 1, // workflow tasks
      reportStats: true,
    });
    if (Number(stats?.approximateBacklogCount ?? 0) === 0) return Math.max(0, lastTask - since) / 1000;
  }
}

/** The sum of a histogram's counts across its labels, from the worker's SDK metrics. */
async function metricCount(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let total = 0;
  for (const m of text.matchAll(new RegExp(`^${name}\\w*_count(?:\\{[^}]*\\})? (\\d+)`, 'gm'))) total += Number(m[1]);
  return total;
}

const ROOT = path.join(__dirname, '..', '..');

/**
 * A production entry point in a process of its own, its errors on ours: the built code in dist/
 * (`npm run bench` builds it first), with the prebuilt workflow bundle, as deployed.
 */
function run(entry: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [path.join('dist', entry)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const pids = (): number[] =>
  fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
const readProc = (pid: number, file: string): string => {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return ''; // it has exited meanwhile
  }
};

/** Processes whose command line has every one of `words` (the dev server names its folder). */
function processesMentioning(...words: string[]): number[] {
  return pids().filter((pid) => {
    const cmdline = readProc(pid, 'cmdline');
    return words.every((w) => cmdline.includes(w));
  });
}

/** The postmaster of the cluster in `dataDir` and its children (backends, background workers). */
function postgresProcesses(dataDir: string): number[] {
  const postmaster = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return [postmaster, ...pids().filter((pid) => parentOf(pid) === postmaster)];
}

/** Fields after the command name in /proc/<pid>/stat (the name may hold spaces). */
const statFields = (pid: number): string[] => {
  const stat = readProc(pid, 'stat');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
};
const parentOf = (pid: number): number => Number(statFields(pid)[1]);
/** User and system time, in clock ticks of 1/100 s. */
const cpuSeconds = (list: number[]): number =>
  list.reduce((sum, pid) => {
    const f = statFields(pid);
    return sum + (Number(f[11] ?? 0) + Number(f[12] ?? 0)) / 100;
  }, 0);

function residentMiB(pid: number | undefined): number {
  const status = pid ? fs.readFileSync(`/proc/${pid}/status`, 'utf8') : '';
  return Math.round(Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024);
}

/** SIGTERM, and its exit. */
function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  return exited;
}
