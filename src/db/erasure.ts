import type { Pool } from 'pg';
import { getProfile } from './lookups';
import { suppress } from './suppression';
import { inTransaction } from './transaction';

/** Every table that keeps a customer's personal data, by customer id (children cascade). */
const ERASED = [
  'DELETE FROM customers WHERE id = $1', // subscriptions cascade
  'DELETE FROM events WHERE customer_id = $1',
  'DELETE FROM carts WHERE customer_id = $1', // cart_items cascade
  'DELETE FROM orders WHERE customer_id = $1', // order_items cascade
  'DELETE FROM group_members WHERE customer_id = $1',
  'DELETE FROM segment_members WHERE customer_id = $1',
  'DELETE FROM back_in_stock_requests WHERE customer_id = $1',
  // Messages stay for the statistics, without their subject (which may quote the customer).
  'UPDATE messages SET subject = NULL WHERE customer_id = $1 AND subject IS NOT NULL',
];

/**
 * Deletes the customer's personal data in one transaction, the suppression of their address
 * included (so a failure leaves everything as it was, and a retry does it all). Returns how many
 * rows it touched.
 */
export function eraseCustomer(pool: Pool, customerId: string): Promise<number> {
  return inTransaction(pool, async (client) => {
    // The same lock the send decision takes per customer: no message is decided halfway through.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [customerId]);
    const profile = await getProfile(client, customerId);
    if (profile?.email) await suppress(client, profile.email, 'erased');
    let touched = 0;
    for (const sql of ERASED) touched += (await client.query(sql, [customerId])).rowCount ?? 0;
    return touched;
  });
}
