import type { TrackedMessage } from './message-events';
import type { Queryable } from './queryable';

// Who texted us: the customers a number belongs to, and the last text we sent each of them.

export interface TextingCustomer {
  id: string;
  locale: string | null;
}

/** Every customer with this number (E.164): a shared family phone is more than one. */
export async function customersByPhone(db: Queryable, phone: string): Promise<TextingCustomer[]> {
  const { rows } = await db.query<TextingCustomer>('SELECT id, locale FROM customers WHERE phone = $1 ORDER BY id', [
    phone,
  ]);
  return rows;
}

/** The last text sent to the customer: a STOP is counted against it. */
export async function lastTextTo(db: Queryable, customerId: string): Promise<TrackedMessage | undefined> {
  const { rows } = await db.query(
    `SELECT id, customer_id AS "customerId", journey, step, variant FROM messages
      WHERE customer_id = $1 AND channel = 'sms' AND status = 'sent' ORDER BY sent_at DESC LIMIT 1`,
    [customerId],
  );
  return rows[0] ? { ...rows[0], id: Number(rows[0].id) } : undefined;
}
