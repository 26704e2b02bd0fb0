import type { Pool } from 'pg';

export interface TrackedMessage {
  id: number;
  customerId: string;
  journey: string;
  step: string;
  variant: string | null;
  /** When it was handed off (an email SMTP accepted); null if it never was (absent where not read). */
  sentAt?: Date | null;
}

/** The message a tracking link or pixel names, as its events need it; undefined if unknown. */
export async function findMessage(pool: Pool, id: number): Promise<TrackedMessage | undefined> {
  const { rows } = await pool.query(
    'SELECT id, customer_id AS "customerId", journey, step, variant, sent_at AS "sentAt" FROM messages WHERE id = $1',
    [id],
  );
  return rows[0] ? { ...rows[0], id: Number(rows[0].id) } : undefined;
}

/**
 * One open, click or unsubscribe of a message, each counted (statistics read message_events).
 * `machine`: why no person made this open or click (src/tracking/machine-engagement.ts); `at`:
 * when, by the API's clock (the simulator's is simulated), else PostgreSQL's.
 */
export async function recordMessageEvent(
  pool: Pool,
  messageId: number,
  type: string,
  url?: string,
  more: { machine?: string; at?: Date } = {},
): Promise<void> {
  await pool.query(
    `INSERT INTO message_events (message_id, type, url, machine, occurred_at)
     VALUES ($1, $2, $3, $4, coalesce($5, now()))`,
    [messageId, type, url ?? null, more.machine ?? null, more.at ?? null],
  );
}

/** The customer's latest open or click (`type`) of the message a step sent, and who made it; undefined if none. */
export async function lastEngagement(
  pool: Pool,
  customerId: string,
  step: string,
  type: 'opened' | 'clicked',
): Promise<{ machine: string | null } | undefined> {
  const { rows } = await pool.query<{ machine: string | null }>(
    `SELECT e.machine FROM message_events e JOIN messages m ON m.id = e.message_id
      WHERE m.customer_id = $1 AND m.step = $2 AND e.type = $3
      ORDER BY e.id DESC LIMIT 1`,
    [customerId, step, type],
  );
  return rows[0];
}
