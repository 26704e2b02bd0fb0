import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres';
import { freePort } from '../../src/dev/free-port';
import type { Stack } from '../../src/dev/lifecycle';
import { startDevServer } from '../../src/dev/temporal-dev-server';
import { REPO_ROOT } from './options';

// What the API needs, for real, on loopback and free ports: PostgreSQL (embedded, or a fresh
// database on DATABASE_URL's server), a Temporal dev server (the provisioned CLI), an SMTP sink,
// and the production entry points of the worker and the API as processes, each with its own log.

/** npm start's keys: a failure's curl command reproduces against npm start as printed. */
export const WRITE_KEY = 'dev_write_key';
export const ADMIN_KEY = 'dev_admin_key';
const SIGNING_SECRET = 'fuzz-only-signing-secret-0123456789';

export interface FuzzStack {
  apiUrl: string;
  apiLog: string;
  workerLog: string;
  /** The embedded PostgreSQL's log (absent with DATABASE_URL). */
  postgresLog: string;
  /** Messages the SMTP sink accepted so far. */
  mailCount: () => number;
}

type Log = (line: string) => void;

/**
 * A database of its own on the server DATABASE_URL names, dropped afterwards; or an embedded server
 * whose log is kept in `logFile` (the API answers 503 to some errors without logging them; the
 * server's log names them).
 */
async function postgres(dir: string, logFile: string, stack: Stack, log: Log): Promise<string> {
  const given = process.env.DATABASE_URL?.trim();
  if (!given) {
    log('[fuzz] starting PostgreSQL (embedded)...');
    const out = fs.createWriteStream(logFile);
    const server = await onFreePorts('PostgreSQL', log, () =>
      startEmbeddedPostgres({
        dataDir: path.join(dir, 'pg'),
        persistent: false,
        onLog: (m) => {
          if (!out.writableEnded) out.write(m);
        },
      }),
    );
    stack.push('PostgreSQL', async () => {
      await server.stop();
      await new Promise((resolve) => out.end(resolve));
    });
    return server.url;
  }
  const name = `journeys_fuzz_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: given });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  log(`[fuzz] creating database ${name} on DATABASE_URL's server...`);
  await admin(`CREATE DATABASE ${name}`);
  stack.push(`database ${name}`, () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(given);
  url.pathname = `/${name}`;
  return url.toString();
}

/** An SMTP server on loopback that accepts and counts every message. */
async function smtpSink(stack: Stack): Promise<{ url: string; count: () => number }> {
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    hideSTARTTLS: true,
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        count++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stack.push('the SMTP sink', () => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, count: () => count };
}

interface Proc {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Once it has exited and its output is read to the end. */
  closed: Promise<void>;
  /** Resolves with the first log line that `test` accepts; rejects if the process ends first. */
  waitForLine(test: (line: string) => boolean, what: string): Promise<void>;
}

/** A production entry point (`node --import tsx src/...`) with only the environment given, logging to `logFile`. */
function spawnEntry(name: string, entry: string, env: Record<string, string>, logFile: string, stack: Stack): Proc {
  const out = fs.createWriteStream(logFile, { flags: 'a' }); // a retried start keeps the earlier lines
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const watchers: { test: (line: string) => boolean; resolve: () => void }[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      if (!out.writableEnded) out.write(`${line}\n`);
      for (const w of watchers.splice(0)) {
        if (w.test(line)) w.resolve();
        else watchers.push(w);
      }
    });
  }
  stack.push(`the ${name} (pid ${child.pid})`, async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM'); // the worker drains (activities in flight get up to 30 s)
      const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
      await exited;
      clearTimeout(timer);
    }
    await closed; // every line it wrote is in its log
    await new Promise((resolve) => out.end(resolve));
  });
  return {
    child,
    exited,
    closed,
    waitForLine: (test, what) =>
      new Promise<void>((resolve, reject) => {
        watchers.push({ test, resolve });
        void exited.then((code) =>
          reject(new Error(`the ${name} exited (${code}) before ${what}; see ${path.relative(REPO_ROOT, logFile)}`)),
        );
      }),
  };
}

const pinoMessage = (msg: string) => (line: string) => {
  try {
    return (JSON.parse(line) as { msg?: unknown }).msg === msg;
  } catch {
    return false;
  }
};

/**
 * Ports are picked free, then taken a moment later: on a busy machine another process can take one
 * in between. Such a start is tried again on other ports, up to three times.
 */
async function onFreePorts<T>(what: string, log: Log, start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= 3 || !/EADDRINUSE|address already in use/i.test(String((err as Error)?.message ?? err))) throw err;
      log(`[fuzz] ${what}: a port it was given was taken meanwhile; trying other ports`);
    }
  }
}

async function waitReady(url: string, api: Proc, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (api.child.exitCode !== null) throw new Error(`the API exited (${api.child.exitCode}) before it was ready`);
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) });
      last = `${res.status} ${await res.text()}`;
      if (res.status === 200) return;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the API was not ready within ${timeoutMs / 1000} s: ${last}`);
}

/** Starts everything, pushing each part's stop on `stack` as soon as it runs. */
export async function startFuzzStack(reportDir: string, stack: Stack, log: Log): Promise<FuzzStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journeys-fuzz-'));
  fs.chmodSync(dir, 0o755); // as root, PostgreSQL runs as its own user and must reach its folder
  stack.push('the temporary folder', () => fs.rmSync(dir, { recursive: true, force: true }));

  log('[fuzz] starting the Temporal dev server...');
  let temporalPort = 0;
  const temporal = await onFreePorts('the Temporal dev server', log, async () => {
    temporalPort = await freePort();
    return startDevServer({ dataDir: dir, port: temporalPort, uiPort: await freePort() }, log);
  });
  stack.push('the Temporal dev server', () => temporal.teardown());
  const postgresLog = path.join(reportDir, 'postgres.log');
  const databaseUrl = await postgres(dir, postgresLog, stack, log);
  const smtp = await smtpSink(stack);

  // Links in emails point at the API's first port; nothing follows them in a fuzz run.
  let apiUrl = `http://127.0.0.1:${await freePort()}`;
  const common = {
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    SIGNING_SECRET,
    PUBLIC_URL: apiUrl,
    // Journeys on short delays, so the worker sends real email while the fuzzer runs.
    JOURNEYS_CONFIG: path.join(REPO_ROOT, 'config', 'dev.json'),
    LOG_LEVEL: 'info',
  };
  const workerLog = path.join(reportDir, 'worker.log');
  const apiLog = path.join(reportDir, 'api.log');
  log('[fuzz] starting the worker (bundling the workflows) and the API...');
  const worker = spawnEntry(
    'worker',
    'src/worker/main.ts',
    { ...common, SMTP_URL: smtp.url, WORKER_METRICS_PORT: '0' },
    workerLog,
    stack,
  );
  const startApi = async () => {
    const api = spawnEntry(
      'API',
      'src/api/main.ts',
      {
        ...common,
        PORT: new URL(apiUrl).port,
        API_KEYS: WRITE_KEY,
        ADMIN_API_KEYS: ADMIN_KEY,
        // The fuzzer is one key sending as fast as it can: a 429 would hide what the API does.
        API_RATE_LIMIT_PER_MINUTE: '0',
      },
      apiLog,
      stack,
    );
    try {
      await api.waitForLine(pinoMessage('api started'), 'it started');
      await waitReady(apiUrl, api, 120_000);
    } catch (err) {
      if (api.child.exitCode === null && api.child.signalCode === null) throw err;
      await api.closed; // its output is all in its log
      if (fs.readFileSync(apiLog, 'utf8').includes('EADDRINUSE')) {
        apiUrl = `http://127.0.0.1:${await freePort()}`;
        throw new Error(`EADDRINUSE: ${(err as Error).message}`);
      }
      throw err;
    }
  };
  await Promise.all([
    worker.waitForLine(pinoMessage('worker started'), 'it started'),
    onFreePorts('the API', log, startApi),
  ]);
  log(`[fuzz] ready: API ${apiUrl}, Temporal 127.0.0.1:${temporalPort}, SMTP ${smtp.url}`);
  return { apiUrl, apiLog, workerLog, postgresLog, mailCount: smtp.count };
}
