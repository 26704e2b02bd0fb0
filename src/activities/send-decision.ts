import { msToNumber } from '@temporalio/common/lib/time';
import type { PoolClient } from 'pg';
import type { MessagingConfig } from '../config/schema';
import type { SendOutcome, SendRequest } from '../shared/journey';
import { emailHash } from '../db/suppression';

/** What the decision transaction settled: the outbox row and, when it is to be sent, the recipient. */
export type Decision =
  | { kind: 'done'; outcome: SendOutcome }
  | { kind: 'send'; messageId: number; recipient: Recipient }
  /** A previous attempt was interrupted while handing the message to SMTP. */
  | { kind: 'interrupted'; messageId: number }
  /** Another attempt holds the row right now (a retry that overtook a slow attempt). */
  | { kind: 'busy' };

/**
 * How long an attempt owns a queued row. Matches the send activity's start-to-close timeout: an
 * attempt older than that is dead, as far as Temporal is concerned, and a retry may take over.
 */
export const CLAIM_TTL_MS = 60_000;

export interface Recipient {
  email: string;
  first_name: string | null;
  last_name: string | null;
  locale: string | null;
}

interface ExistingRow {
  id: number;
  status: string;
  reason: string | null;
  claimed_at: Date | null;
}

const FINAL: Record<string, SendOutcome['status']> = {
  sent: 'sent',
  failed: 'failed',
  suppressed: 'suppressed',
  holdout: 'holdout',
};

/**
 * Decides, in one transaction serialised per customer, whether this message goes out: hard bounces
 * and erasures stop everything; marketing also stops on unsubscribe or a pause, and waits when the
 * frequency cap is full. The decision and the outbox row are written together, keyed by the
 * idempotency key, so a retried activity finds what an earlier attempt decided.
 */
export async function decide(
  client: PoolClient,
  req: SendRequest,
  messaging: MessagingConfig,
  now: Date,
): Promise<Decision> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [req.customerId]);
    const existing = await client.query<ExistingRow>(
      'SELECT id, status, reason, claimed_at FROM messages WHERE idempotency_key = $1 FOR UPDATE',
      [req.idempotencyKey],
    );
    const row = existing.rows[0];
    if (row && FINAL[row.status]) {
      await client.query('COMMIT');
      return { kind: 'done', outcome: { status: FINAL[row.status], reason: row.reason ?? undefined } };
    }
    if (row?.status === 'sending') {
      await client.query('COMMIT');
      return { kind: 'interrupted', messageId: Number(row.id) };
    }
    if (row?.status === 'queued' && row.claimed_at && now.getTime() - row.claimed_at.getTime() < CLAIM_TTL_MS) {
      await client.query('COMMIT');
      return { kind: 'busy' };
    }

    const { rows: profiles } = await client.query<
      Recipient & { paused_until: Date | null; frequency: string; marketing: string | null }
    >(
      `SELECT c.email, c.first_name, c.last_name, c.locale, c.paused_until, c.frequency, s.status AS marketing
         FROM customers c LEFT JOIN subscriptions s ON s.customer_id = c.id AND s.topic = 'marketing'
        WHERE c.id = $1`,
      [req.customerId],
    );
    const profile = profiles[0];
    const verdict = await judge(client, req, profile, messaging, now);
    const status = verdict.status === 'sent' ? 'queued' : verdict.status;
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO messages (idempotency_key, customer_id, journey, step, template, variant, transactional, holdout, status, reason, locale)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (idempotency_key) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason, claimed_at = NULL
       RETURNING id`,
      [
        req.idempotencyKey,
        req.customerId,
        req.journey,
        req.step,
        req.template,
        req.variant ?? null,
        req.transactional,
        req.holdout,
        status,
        verdict.reason ?? null,
        profile?.locale ?? null,
      ],
    );
    if (verdict.status === 'sent') {
      await client.query('UPDATE messages SET claimed_at = $2 WHERE id = $1', [rows[0].id, now]);
    }
    await client.query('COMMIT');
    if (verdict.status !== 'sent') return { kind: 'done', outcome: verdict };
    return { kind: 'send', messageId: Number(rows[0].id), recipient: profile! };
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

async function judge(
  client: PoolClient,
  req: SendRequest,
  profile: { email: string | null; paused_until: Date | null; frequency: string; marketing: string | null } | undefined,
  messaging: MessagingConfig,
  now: Date,
): Promise<SendOutcome> {
  if (!profile?.email) return { status: 'suppressed', reason: 'no email address' };
  const suppression = await client.query<{ reason: string }>('SELECT reason FROM suppressions WHERE email_hash = $1', [
    emailHash(profile.email),
  ]);
  if (suppression.rows[0]) return { status: 'suppressed', reason: suppression.rows[0].reason };
  if (req.transactional) return { status: 'sent' };
  if (profile.marketing === 'unsubscribed') return { status: 'suppressed', reason: 'unsubscribed' };
  if (profile.paused_until && profile.paused_until > now) return { status: 'suppressed', reason: 'paused' };
  // Only someone we could have mailed counts as held out, or the lift would be biased.
  if (req.holdout) return { status: 'holdout' };

  // Frequency cap: at most `max` marketing emails in any rolling window (half for "fewer emails").
  const window = msToNumber(messaging.frequencyCap.per);
  const max =
    profile.frequency === 'fewer'
      ? Math.max(1, Math.floor(messaging.frequencyCap.max / 2))
      : messaging.frequencyCap.max;
  const { rows } = await client.query<{ sent_at: Date }>(
    `SELECT sent_at FROM messages
      WHERE customer_id = $1 AND status = 'sent' AND NOT transactional AND sent_at > $2
      ORDER BY sent_at DESC LIMIT $3`,
    [req.customerId, new Date(now.getTime() - window), max],
  );
  if (rows.length < max) return { status: 'sent' };
  // Room again once the oldest of the last `max` sends leaves the window.
  const retryAt = new Date(rows[rows.length - 1].sent_at.getTime() + window);
  return { status: 'capped', reason: 'frequency cap', retryAt: retryAt.toISOString() };
}
