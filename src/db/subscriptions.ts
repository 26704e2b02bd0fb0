import type { Queryable } from './queryable';

// Per-topic subscription state. No row means the topic's default: subscribed, for marketing.

export type SubscriptionStatus = 'subscribed' | 'pending' | 'unsubscribed';

export const MARKETING = 'marketing';

/**
 * Sets the customer's status for `topic` (creating the customer if missing). Repeating the same
 * status changes nothing, so updated_at and reason keep saying when and why it last changed.
 */
export async function setSubscription(
  db: Queryable,
  customerId: string,
  topic: string,
  status: SubscriptionStatus,
  reason: string,
): Promise<void> {
  await db.query(
    `WITH customer AS (INSERT INTO customers (id) VALUES ($1) ON CONFLICT (id) DO NOTHING)
     INSERT INTO subscriptions (customer_id, topic, status, reason) VALUES ($1, $2, $3, $4)
     ON CONFLICT (customer_id, topic) DO UPDATE
       SET status = excluded.status, reason = excluded.reason, updated_at = now()
       WHERE subscriptions.status IS DISTINCT FROM excluded.status`,
    [customerId, topic, status, reason],
  );
}

/** The customer's marketing consent as the send-time check reads it. */
export async function marketingStatus(db: Queryable, customerId: string): Promise<SubscriptionStatus> {
  const { rows } = await db.query<{ status: SubscriptionStatus }>(
    'SELECT status FROM subscriptions WHERE customer_id = $1 AND topic = $2',
    [customerId, MARKETING],
  );
  return rows[0]?.status ?? 'subscribed';
}
