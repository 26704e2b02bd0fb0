import type { Pool, PoolClient } from 'pg';

/** Runs `work` in one transaction on a client of its own: committed if it resolves, rolled back if it throws. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined); // the connection may be what failed
    throw err;
  } finally {
    client.release();
  }
}
