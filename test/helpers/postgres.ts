import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { migrate } from '../../src/db/migrate';

/** The server jest's global setup prepared: DATABASE_URL, or the embedded one. */
function serverUrl(): string {
  const url = process.env.JOURNEYS_TEST_DATABASE_URL;
  if (!url) throw new Error('JOURNEYS_TEST_DATABASE_URL is unset: run tests through jest (test/global-setup.ts)');
  return url;
}

async function admin<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database for this suite on the test server; dropped after the suite.
 * Returns a getter for the pool, valid inside tests and beforeAll hooks declared after it.
 */
export function usePostgres(): { pool: () => Pool; url: () => string } {
  const name = `journeys_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let pool: Pool | undefined;
  let url: string | undefined;
  beforeAll(async () => {
    await admin((c) => c.query(`CREATE DATABASE ${name}`));
    const u = new URL(serverUrl());
    u.pathname = `/${name}`;
    url = u.toString();
    pool = new Pool({ connectionString: url, max: 10 });
  });
  afterAll(async () => {
    // end() resolves once it has asked each client to close, not once they have: the FORCE below
    // can reach one still closing (on a busy machine), and its error would fail the suite.
    pool?.on('error', () => {});
    await pool?.end();
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });
  return {
    pool: () => pool ?? fail('usePostgres: the pool exists only once beforeAll has run'),
    url: () => url ?? fail('usePostgres: the url exists only once beforeAll has run'),
  };
}

function fail(message: string): never {
  throw new Error(message);
}

/** A fresh database for this suite with Journeys' schema applied. */
export function useMigratedPostgres(): { pool: () => Pool; url: () => string } {
  const db = usePostgres();
  beforeAll(async () => {
    await migrate(db.pool());
  });
  return db;
}
