import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrate';
import { usePostgres } from '../helpers/postgres';

describe('migrations', () => {
  const db = usePostgres();

  it('applies every migration once, in order, and records it', async () => {
    const first = await Promise.all([migrate(db.pool()), migrate(db.pool())]); // two processes starting at once
    expect(first.flat()).toEqual(
      fs
        .readdirSync(MIGRATIONS_DIR)
        .filter((f) => f.endsWith('.sql'))
        .sort(),
    );
    expect(await migrate(db.pool())).toEqual([]);
    const { rows } = await db.pool().query('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows.map((r) => r.name)).toContain('001_initial.sql');
    const tables = await db
      .pool()
      .query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name");
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['customers', 'events', 'messages', 'message_events', 'suppressions', 'carts', 'orders']),
    );
  });

  it('rolls a failing migration back whole and names it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journeys-migrations-'));
    fs.writeFileSync(path.join(dir, '900_half.sql'), 'CREATE TABLE half_done (id int); SELECT no_such_function();');
    await expect(migrate(db.pool(), dir)).rejects.toThrow(/migration 900_half.sql failed/);
    const { rows } = await db.pool().query("SELECT to_regclass('half_done') AS t");
    expect(rows[0].t).toBeNull();
  });
});
