import type { Pool } from 'pg';

export interface TrackedMessage {
  id: number;
  customerId: string;
  journey: string;
  step: string;
  variant: string | null;
}

/** The message a tracking link or pixel names, as its events need it; undefined if unknown. */
export async function findMessage(pool: Pool, id: number): Promise<TrackedMessage | undefined> {
  const { rows } = await pool.query(
    'SELECT id, customer_id AS "customerId", journey, step, variant FROM messages WHERE id = $1',
    [id],
  );
  return rows[0] ? { ...rows[0], id: Number(rows[0].id) } : undefined;
}

/** One open, click or unsubscribe of a message, each counted (statistics read message_events). */
export async function recordMessageEvent(pool: Pool, messageId: number, type: string, url?: string): Promise<void> {
  await pool.query('INSERT INTO message_events (message_id, type, url) VALUES ($1, $2, $3)', [
    messageId,
    type,
    url ?? null,
  ]);
}
