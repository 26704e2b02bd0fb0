import { numberGone } from '../shared/twilio-errors';
import type { Queryable } from './queryable';
import { suppress } from './suppression';

// What the SMS provider reports of a text after the hand-off (its status callbacks).

/** Twilio's delivery statuses that end a text's story: https://www.twilio.com/docs/messaging/api/message-resource#message-status-values */
export type SmsDeliveryStatus = 'delivered' | 'undelivered' | 'failed';

/**
 * Records the provider's report on the text it knows as `providerId`: delivered, or not (the row
 * becomes `failed`, with the code, and a number gone for good is suppressed). The first report of
 * each kind counts; a repeat changes nothing. False when no text of ours has that id.
 */
export async function recordSmsDelivery(
  db: Queryable,
  providerId: string,
  status: SmsDeliveryStatus,
  errorCode: number | undefined,
  at: Date,
): Promise<boolean> {
  const { rows } = await db.query<{ id: string; phone: string | null }>(
    `SELECT m.id, c.phone FROM messages m LEFT JOIN customers c ON c.id = m.customer_id
      WHERE m.provider_id = $1 AND m.channel = 'sms'`,
    [providerId],
  );
  const message = rows[0];
  if (!message) return false;
  const type = status === 'delivered' ? 'delivered' : 'undelivered';
  await db.query(
    `INSERT INTO message_events (message_id, type, occurred_at)
     SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM message_events WHERE message_id = $1 AND type = $2)`,
    [message.id, type, at],
  );
  if (status !== 'delivered') {
    const reason = `SMS ${status}${errorCode ? ` (${errorCode})` : ''}`;
    await db.query(`UPDATE messages SET status = 'failed', reason = $2 WHERE id = $1`, [message.id, reason]);
    if (numberGone(errorCode) && message.phone) await suppress(db, message.phone, 'hard-bounce');
  }
  return true;
}
