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
});
