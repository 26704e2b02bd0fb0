import type { Pool, PoolClient } from 'pg';
import type { Queryable } from './queryable';
import { inTransaction } from './transaction';

// Identity merge: an anonymous visitor (customer `anonymous:<anonymousId>`) becomes a known
// customer once a call names both (docs/architecture.md, decision 17).

export interface Link {
  /** The anonymous customer, `anonymous:<anonymousId>`. */
  anonymousId: string;
  customerId: string;
}

/**
 * Records the links the request's calls make, the first for each visitor winning (once made, a
 * link never changes), and moves the newly linked visitors' events to their customer: still to be
 * projected and delivered, now in the customer's name (a messageId the customer already has is
 * left behind). Runs inside the transaction that stores the request's events. Returns the new links.
 */
export async function linkIdentities(client: PoolClient, links: Link[]): Promise<Link[]> {
  if (links.length === 0) return [];
  const { rows } = await client.query<{ anonymous_id: string; customer_id: string }>(
    `WITH given AS (
       SELECT DISTINCT ON (anonymous_id) anonymous_id, customer_id
       FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (anonymous_id text, customer_id text)) WITH ORDINALITY AS g (anonymous_id, customer_id, position)
       ORDER BY anonymous_id, position
     )
     INSERT INTO identity_links (anonymous_id, customer_id)
     SELECT anonymous_id, customer_id FROM given
     ON CONFLICT (anonymous_id) DO NOTHING
     RETURNING anonymous_id, customer_id`,
    [JSON.stringify(links.map((l) => ({ anonymous_id: l.anonymousId, customer_id: l.customerId })))],
  );
  const made = rows.map((r) => ({ anonymousId: r.anonymous_id, customerId: r.customer_id }));
  if (made.length > 0) {
    await client.query(
      `UPDATE events e SET customer_id = l.customer_id, delivered_at = NULL, projected_at = NULL
       FROM jsonb_to_recordset($1::jsonb) AS l (anonymous_id text, customer_id text)
       WHERE e.customer_id = l.anonymous_id
         AND NOT EXISTS (SELECT 1 FROM events d WHERE d.customer_id = l.customer_id AND d.message_id = e.message_id)`,
      [JSON.stringify(made.map((l) => ({ anonymous_id: l.anonymousId, customer_id: l.customerId })))],
    );
  }
  return made;
}

/**
 * Links made at least `afterMs` ago whose anonymous customer still has its workflows and
 * projections, oldest first. The wait outlasts a delivery to the visitor that was in flight when
 * the link was made (it would start the visitor's workflow again).
 */
export async function linksToRetire(db: Queryable, limit: number, afterMs: number): Promise<Link[]> {
  const { rows } = await db.query<{ anonymous_id: string; customer_id: string }>(
    `SELECT anonymous_id, customer_id FROM identity_links
     WHERE retired_at IS NULL AND linked_at <= now() - make_interval(secs => $2)
     ORDER BY linked_at LIMIT $1`,
    [limit, afterMs / 1000],
  );
  return rows.map((r) => ({ anonymousId: r.anonymous_id, customerId: r.customer_id }));
}

/**
 * Removes what the anonymous customer left once its workflows are ended: its profile, carts and
 * orders (its events were moved, and are projected again under the customer), in one transaction
 * with the record that it is done.
 */
export async function retireAnonymous(pool: Pool, anonymousId: string): Promise<void> {
  await inTransaction(pool, async (client) => {
    for (const sql of [
      'DELETE FROM carts WHERE customer_id = $1',
      'DELETE FROM orders WHERE customer_id = $1',
      'DELETE FROM group_members WHERE customer_id = $1',
      'DELETE FROM back_in_stock_requests WHERE customer_id = $1',
      'DELETE FROM customers WHERE id = $1',
      'UPDATE identity_links SET retired_at = now() WHERE anonymous_id = $1',
    ]) {
      await client.query(sql, [anonymousId]);
    }
  });
}
