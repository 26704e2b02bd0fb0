import { Pool } from 'pg';
import type { Queryable } from './queryable';

/**
 * A pg pool for a DATABASE_URL-style connection string (numeric columns come back as strings:
 * convert). An idle connection the server drops (a restart, Ctrl-C reaching an embedded server
 * first) is logged, not a crash: the pool replaces it on next use. So is a connection dropped
 * while checked out (`pool.connect()`, e.g. a transaction): pg emits 'error' on such a client even
 * when the query in flight fails with the same error, and an 'error' nobody listens to would end
 * the process. Its user hears of it through that query, or the next, and releases it; the pool
 * then discards it.
 */
export function createPool(connectionString: string, max = 10, log: (err: Error) => void = () => {}): Pool {
  const pool = new Pool({ connectionString, max });
  pool.on('error', log);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** Whether PostgreSQL answers: one trivial statement (readiness checks). */
export async function ping(db: Queryable): Promise<void> {
  await db.query('SELECT 1');
}
