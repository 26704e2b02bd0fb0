import type { Pool } from 'pg';
import { applyEvent } from '../db/projections';
import type { CustomerEvent } from '../shared/events';

export interface StoredEvent extends CustomerEvent {
  context?: Record<string, unknown>;
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
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (message_id) DO NOTHING`,
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
    if (rowCount) await applyEvent(client, event);
    await client.query('COMMIT');
    return rowCount === 1;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

export async function markDelivered(pool: Pool, messageId: string): Promise<void> {
  await pool.query('UPDATE events SET delivered_at = now() WHERE message_id = $1 AND delivered_at IS NULL', [
    messageId,
  ]);
}
