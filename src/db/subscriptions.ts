import type { Queryable } from './queryable';

// Consent per channel and topic. No row means the default: for email marketing subscribed (or
// pending under double opt-in), for SMS marketing not given (texts need an explicit opt-in).

export type SubscriptionStatus = 'subscribed' | 'pending' | 'unsubscribed';

export const MARKETING = 'marketing';

export type ConsentChannel = 'email' | 'sms';

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
  channel: ConsentChannel = 'email',
): Promise<void> {
  await db.query(
    `WITH customer AS (INSERT INTO customers (id) VALUES ($1) ON CONFLICT (id) DO NOTHING)
     INSERT INTO subscriptions (customer_id, topic, status, reason, channel) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (customer_id, channel, topic) DO UPDATE
       SET status = excluded.status, reason = excluded.reason, updated_at = now()
       WHERE subscriptions.status IS DISTINCT FROM excluded.status`,
    [customerId, topic, status, reason, channel],
  );
}

/** The customer's email marketing consent as recorded (no row: subscribed). */
export async function marketingStatus(db: Queryable, customerId: string): Promise<SubscriptionStatus> {
  const { rows } = await db.query<{ status: SubscriptionStatus }>(
    `SELECT status FROM subscriptions WHERE customer_id = $1 AND channel = 'email' AND topic = $2`,
    [customerId, MARKETING],
  );
  return rows[0]?.status ?? 'subscribed';
}
