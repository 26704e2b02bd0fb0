import type { Store } from '../shared/store';
import type { Queryable } from './queryable';

// The shop's stores (POST /v1/stores): what the nearest-store search (locations.ts) and the
// nearby-store journey's `storeDetails` activity read.

const COLUMNS = `id, name, address, latitude, longitude, opening_hours AS "openingHours", timezone`;

/** Creates or replaces stores, in one statement. Returns how many. */
export async function upsertStores(db: Queryable, stores: Store[]): Promise<number> {
  if (stores.length === 0) return 0;
  await db.query(
    `INSERT INTO stores (id, name, address, latitude, longitude, opening_hours, timezone)
     SELECT id, name, address, latitude, longitude, opening_hours, timezone
     FROM jsonb_to_recordset($1::jsonb) AS s(id text, name text, address text, latitude double precision,
       longitude double precision, opening_hours jsonb, timezone text)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, address = excluded.address,
       latitude = excluded.latitude, longitude = excluded.longitude, opening_hours = excluded.opening_hours,
       timezone = excluded.timezone, updated_at = now()`,
    [
      JSON.stringify(
        stores.map((s) => ({
          id: s.id,
          name: s.name,
          address: s.address,
          latitude: s.latitude,
          longitude: s.longitude,
          opening_hours: s.openingHours,
          timezone: s.timezone,
        })),
      ),
    ],
  );
  return stores.length;
}

export async function getStore(db: Queryable, id: string): Promise<Store | null> {
  const { rows } = await db.query<Store>(`SELECT ${COLUMNS} FROM stores WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** Up to `limit` stores in id order, after the id `after` (a page: the last id is the next page's `after`). */
export async function listStores(db: Queryable, limit: number, after?: string): Promise<Store[]> {
  const { rows } = await db.query<Store>(
    `SELECT ${COLUMNS} FROM stores WHERE $2::text IS NULL OR id > $2 ORDER BY id LIMIT $1`,
    [limit, after ?? null],
  );
  return rows;
}

/** Whether there was such a store to delete. */
export async function deleteStore(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM stores WHERE id = $1', [id]);
  return (rowCount ?? 0) > 0;
}
