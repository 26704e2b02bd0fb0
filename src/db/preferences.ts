import type { Queryable } from './queryable';
import type { ConsentChannel, SubscriptionStatus } from './subscriptions';

// What the preference centre shows: the customer's addresses and choices as PostgreSQL holds them
// (the projections of their events), read fresh for every page.

export interface CustomerPreferences {
  email: string | null;
  /** E.164, or null: no texts, so no SMS choices. */
  phone: string | null;
  pausedUntil: Date | null;
  /** IANA zone, for showing when a pause ends. */
  timezone: string | null;
  frequency: 'normal' | 'fewer';
  /**
   * The recorded status of each topic (`marketing` included) by channel. A topic without a row
   * has its default: for email marketing subscribed (pending under double opt-in), for SMS
   * marketing not given, for any other topic subscribed.
   */
  consent: Record<ConsentChannel, Record<string, SubscriptionStatus>>;
}

/** The customer's addresses and choices; undefined when there is no such customer. */
export async function readPreferences(db: Queryable, customerId: string): Promise<CustomerPreferences | undefined> {
  const { rows } = await db.query<Omit<CustomerPreferences, 'consent'>>(
    `SELECT email, phone, paused_until AS "pausedUntil", timezone, frequency FROM customers WHERE id = $1`,
    [customerId],
  );
  if (!rows[0]) return undefined;
  const consent: CustomerPreferences['consent'] = { email: {}, sms: {} };
  const subscriptions = await db.query<{ channel: ConsentChannel; topic: string; status: SubscriptionStatus }>(
    'SELECT channel, topic, status FROM subscriptions WHERE customer_id = $1',
    [customerId],
  );
  for (const { channel, topic, status } of subscriptions.rows) consent[channel][topic] = status;
  return { ...rows[0], consent };
}

/**
 * The language a page reached from this message speaks: the one the message was rendered in,
 * else the customer's (a message from before the column was filled); null when neither is known.
 */
export async function messageLocale(db: Queryable, messageId: number): Promise<string | null> {
  const { rows } = await db.query<{ locale: string | null }>(
    `SELECT coalesce(m.locale, c.locale) AS locale
       FROM messages m LEFT JOIN customers c ON c.id = m.customer_id
      WHERE m.id = $1`,
    [messageId],
  );
  return rows[0]?.locale ?? null;
}
