import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type RunningPostgres } from '../src/dev/embedded-postgres';
import { provisionServers } from '../src/dev/provision';

export interface TestPostgres {
  server: RunningPostgres;
  dir: string;
}

// Runs once, in jest's main process, before any suite: provisions the Temporal servers (so
// suites only ever hit the cache) and, unless DATABASE_URL is set, one embedded PostgreSQL that
// every suite makes its own database in. Workers inherit process.env from here.
export default async function globalSetup(): Promise<void> {
  await provisionServers((line) => console.log(line));
  if (process.env.DATABASE_URL) {
    process.env.JOURNEYS_TEST_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journeys-test-pg-'));
  fs.chmodSync(dir, 0o755); // PostgreSQL runs as its own user when we are root
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), persistent: false });
  process.env.JOURNEYS_TEST_DATABASE_URL = server.url;
  (globalThis as { journeysTestPostgres?: TestPostgres }).journeysTestPostgres = { server, dir };
}
