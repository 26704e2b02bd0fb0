import type { Pool } from 'pg';

/** Customers `<id>@example.test` on the product's back-in-stock waiting list, as if each had asked. */
export async function seedWaitingList(pool: Pool, productId: string, customerIds: string[]): Promise<void> {
  await pool.query(`INSERT INTO customers (id, email) SELECT id, id || '@example.test' FROM unnest($1::text[]) id`, [
    customerIds,
  ]);
  await pool.query(`INSERT INTO back_in_stock_requests (product_id, customer_id) SELECT $1, unnest($2::text[])`, [
    productId,
    customerIds,
  ]);
}
