import type { Pool } from 'pg';
import type { ProductInput } from '../api/schemas';

export class UnknownRelatedProducts extends Error {
  constructor(readonly ids: string[]) {
    super(`Unknown related product${ids.length === 1 ? '' : 's'}: ${ids.join(', ')}`);
  }
}

/** A product that was sold out and is in stock again, with when it was last changed. */
export type Restocked = ProductInput & { soldOutSince: string };

/**
 * Creates or replaces products, then their related lists, in one transaction: a related id may
 * name a product of the same call. A product sent without `related` keeps the list it had.
 * Products that were sold out and come back in stock go to `onRestock` before the commit, so a
 * failure there (Temporal down) leaves the product sold out and the client's retry announces it.
 */
export async function upsertProducts(
  pool: Pool,
  products: ProductInput[],
  onRestock: (restocked: Restocked[]) => Promise<void> = async () => {},
): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows: soldOut } = await client.query<{ id: string; since: Date }>(
      'SELECT id, updated_at AS since FROM products WHERE id = ANY($1) AND NOT in_stock FOR UPDATE',
      [products.filter((p) => p.inStock).map((p) => p.id)],
    );
    await client.query(
      `INSERT INTO products (id, name, price, currency, category, url, image_url, in_stock)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS p(id text, name text, price numeric, currency text,
         category text, url text, image_url text, in_stock boolean)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, price = EXCLUDED.price, currency = EXCLUDED.currency,
         category = EXCLUDED.category, url = EXCLUDED.url, image_url = EXCLUDED.image_url,
         in_stock = EXCLUDED.in_stock, updated_at = now()`,
      [
        JSON.stringify(
          products.map((p) => ({
            id: p.id,
            name: p.name,
            price: p.price ?? null,
            currency: p.currency,
            category: p.category ?? null,
            url: p.url ?? null,
            image_url: p.imageUrl ?? null,
            in_stock: p.inStock,
          })),
        ),
      ],
    );
    const withRelated = products.filter((p) => p.related !== undefined);
    const pairs = withRelated.flatMap((p) =>
      p.related!.map((r, rank) => ({ product_id: p.id, related_id: r.id, kind: r.kind, rank })),
    );
    const relatedIds = [...new Set(pairs.map((r) => r.related_id))];
    const { rows } = await client.query<{ id: string }>('SELECT id FROM products WHERE id = ANY($1)', [relatedIds]);
    const known = new Set(rows.map((r) => r.id));
    const unknown = relatedIds.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new UnknownRelatedProducts(unknown);
    await client.query('DELETE FROM related_products WHERE product_id = ANY($1)', [withRelated.map((p) => p.id)]);
    await client.query(
      `INSERT INTO related_products (product_id, related_id, kind, rank)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(product_id text, related_id text, kind text, rank integer)
       WHERE product_id <> related_id
       ON CONFLICT (product_id, related_id) DO NOTHING`,
      [JSON.stringify(pairs)],
    );
    const since = new Map(soldOut.map((r) => [r.id, r.since.toISOString()]));
    const restocked = products.filter((p) => since.has(p.id)).map((p) => ({ ...p, soldOutSince: since.get(p.id)! }));
    if (restocked.length > 0) await onRestock(restocked);
    await client.query('COMMIT');
    return products.length;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}
