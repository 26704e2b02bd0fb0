import { createPool } from '../../src/db/pool';
import { eventually } from '../helpers/eventually';
import { usePostgres } from '../helpers/postgres';

describe('PostgreSQL', () => {
  const db = usePostgres();

  it('round-trips a row, jsonb included', async () => {
    await db.pool().query('CREATE TABLE things (id text PRIMARY KEY, traits jsonb NOT NULL, at timestamptz NOT NULL)');
    const at = new Date('2026-11-23T09:00:00Z');
    await db.pool().query('INSERT INTO things VALUES ($1, $2, $3)', ['t1', { plan: 'pro', tags: ['a'] }, at]);
    const { rows } = await db.pool().query('SELECT * FROM things');
    expect(rows).toEqual([{ id: 't1', traits: { plan: 'pro', tags: ['a'] }, at }]);
  });

  it('gives each suite its own database', async () => {
    const { rows } = await db.pool().query('SELECT current_database() AS name');
    expect(rows[0].name).toMatch(/^journeys_test_[0-9a-f]{12}$/);
  });

  it('survives a connection the server drops while it is checked out (createPool)', async () => {
    // pg emits 'error' on a checked-out client whose connection ends (PostgreSQL restarting); with
    // nobody listening, that is an uncaught exception and the process (API, dispatcher) ends.
    const pool = createPool(db.url(), 2);
    try {
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      let ended = false;
      client.once('end', () => (ended = true));
      await db.pool().query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      await eventually(() => ended, 'the connection to end');
      await expect(client.query('SELECT 1')).rejects.toThrow();
      client.release();
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]); // a new connection
    } finally {
      await pool.end();
    }
  });
});
