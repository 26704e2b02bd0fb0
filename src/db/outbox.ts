import type { PoolClient } from 'pg';
import type { Channel, SendOutcome, SendRequest } from '../shared/journey';
import type { Queryable } from './queryable';

// The outbox: one row per message a journey sends (an email, a text, a webhook call), keyed by the
// workflow's idempotency key. A send activity claims its row before the provider call and marks it
// after, so a retried activity finds what an earlier attempt decided and did (decision 4).

/** What identifies a message and what the statistics group it by. */
export type OutboxEntry = Pick<
  SendRequest,
  'idempotencyKey' | 'customerId' | 'journey' | 'step' | 'template' | 'variant' | 'transactional' | 'holdout'
> & { channel: Channel };

/** What the send's rules decided for a new or unfinished row: `sent` means go ahead. */
export interface Verdict<R> {
  outcome: SendOutcome;
  /** Who receives it, when it goes out. */
  recipient?: R;
  locale?: string | null;
}

/** What the claim settled: the row is final, another attempt holds it, or this attempt sends it. */
export type Claim<R> =
  | { kind: 'done'; outcome: SendOutcome }
  | { kind: 'busy' }
  | {
      kind: 'send';
      messageId: number;
      recipient: R;
      /** The id an interrupted earlier attempt handed to the provider (an email's Message-ID): a resend carries it. */
      earlierHeader?: string;
    };

interface ExistingRow {
  id: number;
  status: string;
  reason: string | null;
  claimed_at: Date | null;
  claim_attempt: number | null;
  smtp_message_id: string | null;
}

const FINAL: Record<string, SendOutcome['status']> = {
  sent: 'sent',
  failed: 'failed',
  suppressed: 'suppressed',
  skipped: 'skipped',
  holdout: 'holdout',
};

/**
 * Decides, in one transaction serialised per customer, whether this message goes out, and writes
 * the decision with the row. A final row is answered as it stands; a row an earlier attempt left
 * unfinished (`queued`, or `sending`: interrupted during the hand-off) is decided again and
 * claimed by `attempt`, unless an attempt at least as new claimed it less than `claimTtlMs` ago.
 */
export async function claimMessage<R>(
  client: PoolClient,
  entry: OutboxEntry,
  judge: () => Promise<Verdict<R>>,
  now: Date,
  attempt: number,
  claimTtlMs: number,
): Promise<Claim<R>> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [entry.customerId]);
    const existing = await client.query<ExistingRow>(
      `SELECT id, status, reason, claimed_at, claim_attempt, smtp_message_id
         FROM messages WHERE idempotency_key = $1 FOR UPDATE`,
      [entry.idempotencyKey],
    );
    const row = existing.rows[0];
    if (row && FINAL[row.status]) {
      await client.query('COMMIT');
      const outcome: SendOutcome = { status: FINAL[row.status], reason: row.reason ?? undefined };
      // A retry of a message that went out names it, as the attempt that sent it did.
      if (outcome.status === 'sent') outcome.emailId = String(row.id);
      return { kind: 'done', outcome };
    }
    if (row && heldByLiveAttempt(row, attempt, now, claimTtlMs)) {
      await client.query('COMMIT');
      return { kind: 'busy' };
    }
    const verdict = await judge();
    const go = verdict.outcome.status === 'sent';
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO messages (idempotency_key, customer_id, journey, step, template, variant, transactional, holdout,
                             channel, status, reason, locale, claimed_at, claim_attempt)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (idempotency_key) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason,
         claimed_at = EXCLUDED.claimed_at, claim_attempt = EXCLUDED.claim_attempt
       RETURNING id`,
      [
        entry.idempotencyKey,
        entry.customerId,
        entry.journey,
        entry.step,
        entry.template,
        entry.variant ?? null,
        entry.transactional,
        entry.holdout,
        entry.channel,
        go ? 'queued' : verdict.outcome.status,
        verdict.outcome.reason ?? null,
        verdict.locale ?? null,
        go ? now : null,
        go ? attempt : null,
      ],
    );
    await client.query('COMMIT');
    if (!go || verdict.recipient === undefined) return { kind: 'done', outcome: verdict.outcome };
    return {
      kind: 'send',
      messageId: Number(rows[0].id),
      recipient: verdict.recipient,
      ...(row?.smtp_message_id ? { earlierHeader: row.smtp_message_id } : {}),
    };
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

/** An unfinished row whose attempt may still be running: not older than us, and claimed recently. */
function heldByLiveAttempt(row: ExistingRow, attempt: number, now: Date, ttlMs: number): boolean {
  if (!row.claimed_at || (row.claim_attempt ?? 0) < attempt) return false;
  return now.getTime() - row.claimed_at.getTime() < ttlMs;
}

/** Before the hand-off: what is about to go out, and the id it goes out with (an email's Message-ID). */
export async function markSending(
  db: Queryable,
  id: number,
  sending: { subject?: string; locale?: string; header?: string },
): Promise<void> {
  await db.query(
    `UPDATE messages SET status = 'sending', subject = $2, locale = $3, smtp_message_id = coalesce($4, smtp_message_id)
      WHERE id = $1`,
    [id, sending.subject ?? null, sending.locale ?? null, sending.header ?? null],
  );
}

/** The provider did not take it: back to queued and unclaimed, so the retry sends it. */
export async function requeue(db: Queryable, id: number): Promise<void> {
  await db.query(`UPDATE messages SET status = 'queued', claimed_at = NULL WHERE id = $1`, [id]);
}

export async function markFailed(db: Queryable, id: number, reason: string): Promise<void> {
  await db.query(`UPDATE messages SET status = 'failed', reason = $2 WHERE id = $1`, [id, reason]);
}

/**
 * Handed off. `delivered`: the hand-off is the delivery we learn of (SMTP accepted it); a text's
 * delivery comes later, from the provider's callback, by its `providerId`.
 */
export async function markSent(
  db: Queryable,
  id: number,
  at: Date,
  sent: { delivered: boolean; providerId?: string },
): Promise<void> {
  await db.query(
    `WITH sent AS (UPDATE messages SET status = 'sent', sent_at = $2, provider_id = coalesce($3, provider_id) WHERE id = $1)
     INSERT INTO message_events (message_id, type, occurred_at) SELECT $1, 'delivered', $2 WHERE $4`,
    [id, at, sent.providerId ?? null, sent.delivered],
  );
}

/** A webhook call's answer, kept on its row: a retried or replayed step reads it instead of calling again. */
export interface StoredResponse {
  status: number | null;
  body: unknown;
}

export async function recordResponse(db: Queryable, id: number, response: StoredResponse): Promise<void> {
  await db.query('UPDATE messages SET response_status = $2, response = $3 WHERE id = $1', [
    id,
    response.status,
    JSON.stringify(response.body ?? null),
  ]);
}

export async function storedResponse(db: Queryable, idempotencyKey: string): Promise<StoredResponse | undefined> {
  const { rows } = await db.query<{ response_status: number | null; response: unknown }>(
    'SELECT response_status, response FROM messages WHERE idempotency_key = $1',
    [idempotencyKey],
  );
  return rows[0] && { status: rows[0].response_status, body: rows[0].response };
}
