import { Pool } from 'pg';

/**
 * A pg pool for a DATABASE_URL-style connection string (numeric columns come back as strings:
 * convert). An idle connection the server drops (a restart, Ctrl-C reaching an embedded server
 * first) is logged, not a crash: the pool replaces it on next use.
 */
export function createPool(connectionString: string, max = 10, log: (err: Error) => void = () => {}): Pool {
  const pool = new Pool({ connectionString, max });
  pool.on('error', log);
  return pool;
}
