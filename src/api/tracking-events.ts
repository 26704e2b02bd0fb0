import type { Pool } from 'pg';
import { Events, type CustomerEvent } from '../shared/events';

export interface TrackedMessage {
  id: number;
  customerId: string;
  journey: string;
  step: string;
  variant: string | null;
}

export async function findMessage(pool: Pool, id: number): Promise<TrackedMessage | undefined> {
  const { rows } = await pool.query(
    'SELECT id, customer_id AS "customerId", journey, step, variant FROM messages WHERE id = $1',
    [id],
  );
  return rows[0] ? { ...rows[0], id: Number(rows[0].id) } : undefined;
}

export async function recordMessageEvent(pool: Pool, messageId: number, type: string, url?: string): Promise<void> {
  await pool.query('INSERT INTO message_events (message_id, type, url) VALUES ($1, $2, $3)', [
    messageId,
    type,
    url ?? null,
  ]);
}

/**
 * The Segment Email-spec event a tracked action becomes. Its messageId is derived from the
 * email (and link), so only the first open of an email, or the first click on a link, reaches
 * the workflow; every one of them is still counted in message_events.
 */
export function emailEvent(
  name: (typeof Events)[keyof typeof Events],
  m: TrackedMessage,
  extra: Record<string, unknown> = {},
  key = '',
): CustomerEvent {
  return {
    messageId: `${name.toLowerCase().replaceAll(' ', '-')}:${m.id}${key ? `:${key}` : ''}`,
    type: 'track',
    event: name,
    userId: m.customerId,
    timestamp: new Date().toISOString(),
    properties: { email_id: String(m.id), campaign_name: m.journey, step: m.step, variant: m.variant, ...extra },
  };
}
