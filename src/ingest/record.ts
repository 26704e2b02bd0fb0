import type { Pool } from 'pg';
import { applyEvent } from '../db/projections';
import { profileContext, type CustomerEvent } from '../shared/events';

/** An event as the API accepted it, with Segment's whole context (kept in PostgreSQL only). */
export type StoredEvent = Omit<CustomerEvent, 'context'> & { context?: Record<string, unknown> };

/** The event as its customer workflow gets it: of the context, only what the profile uses. */
export function customerEvent({ context, ...event }: StoredEvent): CustomerEvent {
  const picked = profileContext(context);
  return picked ? { ...event, context: picked } : event;
}

/**
 * Stores an accepted event and projects it (customers, carts, orders...) in one transaction.
 * False when this messageId was stored before: the caller then only makes sure it was delivered.
 */
export async function recordEvent(pool: Pool, event: StoredEvent): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rowCount } = await client.query(
      `INSERT INTO events (message_id, customer_id, type, name, properties, traits, context, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (customer_id, message_id) DO NOTHING`,
      [
        event.messageId,
        event.userId,
        event.type,
        event.event,
        event.properties ?? {},
        event.traits ?? {},
        event.context ?? {},
        event.timestamp,
      ],
    );
    if (rowCount) await applyEvent(client, customerEvent(event));
    await client.query('COMMIT');
    return rowCount === 1;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

export async function markDelivered(pool: Pool, event: Pick<CustomerEvent, 'userId' | 'messageId'>): Promise<void> {
  await pool.query(
    'UPDATE events SET delivered_at = now() WHERE customer_id = $1 AND message_id = $2 AND delivered_at IS NULL',
    [event.userId, event.messageId],
  );
}
