import type { Queryable } from './queryable';

// The back-in-stock waiting lists: who waits for which product, since when. The key's order
// (product, customer) serves "who waits for this product", page by page.

/**
 * Puts the customer on the product's waiting list; asking again restarts the wait. `at` is the
 * activities' clock, the one the wait expires by (dropExpiredWishes), not the database's.
 */
export async function registerBackInStock(
  db: Queryable,
  customerId: string,
  productId: string,
  at: Date = new Date(),
): Promise<void> {
  await db.query(
    `INSERT INTO back_in_stock_requests (product_id, customer_id, requested_at) VALUES ($1, $2, $3)
     ON CONFLICT (product_id, customer_id) DO UPDATE SET requested_at = EXCLUDED.requested_at`,
    [productId, customerId, at],
  );
}

export async function removeBackInStock(db: Queryable, customerId: string, productId: string): Promise<void> {
  await db.query('DELETE FROM back_in_stock_requests WHERE product_id = $1 AND customer_id = $2', [
    productId,
    customerId,
  ]);
}

/**
 * One page of the customers waiting for the product, in id order after `afterCustomerId`.
 * Keyset paging on the primary key (product_id, customer_id): each page is a short range scan of
 * that index, however many customers wait, or exist.
 */
export async function waitingForProduct(
  db: Queryable,
  productId: string,
  afterCustomerId: string | null,
  limit: number,
): Promise<string[]> {
  const after = afterCustomerId === null ? '' : 'AND customer_id > $3';
  const { rows } = await db.query<{ customer_id: string }>(
    `SELECT customer_id FROM back_in_stock_requests
     WHERE product_id = $1 ${after}
     ORDER BY product_id, customer_id
     LIMIT $2`,
    afterCustomerId === null ? [productId, limit] : [productId, limit, afterCustomerId],
  );
  return rows.map((r) => r.customer_id);
}

/** Takes the customers off the product's waiting list (they have been told). */
export async function leaveWaitingList(db: Queryable, productId: string, customerIds: string[]): Promise<void> {
  await db.query('DELETE FROM back_in_stock_requests WHERE product_id = $1 AND customer_id = ANY ($2::text[])', [
    productId,
    customerIds,
  ]);
}

/** Removes the wishes made before `before`: they have expired, and are not told of a restock. */
export async function dropExpiredWishes(db: Queryable, productId: string, before: Date): Promise<void> {
  await db.query('DELETE FROM back_in_stock_requests WHERE product_id = $1 AND requested_at < $2', [productId, before]);
}
