import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { migrate } from '../../src/db/migrate';
import { createPool } from '../../src/db/pool';
import { Dispatcher } from '../../src/dispatcher/dispatcher';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres';
import { freePort } from '../../src/dev/free-port';
import { startDevServer } from '../../src/dev/temporal-dev-server';
import { spawn, type ChildProcess } from 'node:child_process';

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
  const worker = run('src/worker/main.ts', {
    ...common,
    SMTP_URL: smtpUrl,
    WORKER_METRICS_PORT: String(workerMetricsPort),
  });
  const apiPort = await freePort();
  const api = run('src/api/main.ts', {
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

  return {
    apiUrl,
    pool,
    temporal: temporal.client,
    dispatcher,
    /** The API's and the worker's resident memory now (MiB), from /proc. */
    memory: () => ({ api: residentMiB(api.pid), worker: residentMiB(worker.pid) }),
    /** Workflow tasks the worker has completed so far (its SDK metrics). */
    async workflowTasks(): Promise<number> {
      const text = await (await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)).text();
      let total = 0;
      for (const m of text.matchAll(/^temporal_workflow_task_execution_latency\w*_count(?:\{[^}]*\})? (\d+)/gm)) {
        total += Number(m[1]);
      }
      return total;
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
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

const ROOT = path.join(__dirname, '..', '..');

/** A production entry point in a process of its own, its errors on ours. */
function run(entry: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

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
