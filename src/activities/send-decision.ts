import { msToNumber } from '@temporalio/common/lib/time';
import type { PoolClient } from 'pg';
import type { MessagingConfig } from '../config/schema';
import { SEND_ATTEMPT_TIMEOUT_MS } from '../shared/sending';
import type { SendOutcome, SendRequest } from '../shared/journey';
import { normalizeEmail } from '../shared/email-address';
import { emailHash } from '../db/suppression';

/** What the decision transaction settled: the outbox row and, when it is to be sent, the recipient. */
export type Decision =
  | { kind: 'done'; outcome: SendOutcome }
  | {
      kind: 'send';
      messageId: number;
      recipient: Recipient;
      /** The Message-ID an interrupted earlier attempt handed to SMTP: a resend must carry the same. */
      messageIdHeader?: string;
    }
  /** Another attempt holds the row right now (two calls at once, outside Temporal's retries). */
  | { kind: 'busy' };

/**
 * How long an attempt owns its row against a call of the same attempt number. A newer attempt
 * takes over at once: Temporal starts one only when it has given the previous one up.
 */
export const CLAIM_TTL_MS = SEND_ATTEMPT_TIMEOUT_MS;

export interface Recipient {
  /** The one address SMTP receives, normalised: the suppression list is checked on exactly it. */
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
 * Decides, in one transaction serialised per customer, whether this message goes out: hard bounces
 * and erasures stop everything; marketing also stops on unsubscribe, a pause or a missing double
 * opt-in, and waits (or is skipped) when the frequency cap is full. The decision and the outbox row
 * are written together, keyed by the idempotency key, so a retried activity finds what an earlier
 * attempt decided. A row an earlier attempt left unfinished (`queued`, or `sending`: interrupted
 * during the SMTP hand-off) is decided again and claimed by `attempt`.
 */
export async function decide(
  client: PoolClient,
  req: SendRequest,
  messaging: MessagingConfig,
  now: Date,
  attempt = 1,
): Promise<Decision> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [req.customerId]);
    const existing = await client.query<ExistingRow>(
      `SELECT id, status, reason, claimed_at, claim_attempt, smtp_message_id
         FROM messages WHERE idempotency_key = $1 FOR UPDATE`,
      [req.idempotencyKey],
    );
    const row = existing.rows[0];
    if (row && FINAL[row.status]) {
      await client.query('COMMIT');
      return { kind: 'done', outcome: { status: FINAL[row.status], reason: row.reason ?? undefined } };
    }
    if (row && heldByLiveAttempt(row, attempt, now)) {
      await client.query('COMMIT');
      return { kind: 'busy' };
    }

    const { rows: profiles } = await client.query<Profile>(
      `SELECT c.email, c.first_name, c.last_name, c.locale, c.paused_until, c.frequency, s.status AS marketing
         FROM customers c LEFT JOIN subscriptions s ON s.customer_id = c.id AND s.topic = 'marketing'
        WHERE c.id = $1`,
      [req.customerId],
    );
    const profile = profiles[0];
    const email = profile?.email ? normalizeEmail(profile.email) : undefined;
    const verdict = await judge(client, req, profile, email, messaging, now);
    const status = verdict.status === 'sent' ? 'queued' : verdict.status;
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO messages (idempotency_key, customer_id, journey, step, template, variant, transactional, holdout,
                             status, reason, locale, claimed_at, claim_attempt)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (idempotency_key) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason,
         claimed_at = EXCLUDED.claimed_at, claim_attempt = EXCLUDED.claim_attempt
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
        verdict.status === 'sent' ? now : null,
        verdict.status === 'sent' ? attempt : null,
      ],
    );
    await client.query('COMMIT');
    if (verdict.status !== 'sent') return { kind: 'done', outcome: verdict };
    return {
      kind: 'send',
      messageId: Number(rows[0].id),
      recipient: {
        email: email!,
        first_name: profile!.first_name,
        last_name: profile!.last_name,
        locale: profile!.locale,
      },
      ...(row?.smtp_message_id ? { messageIdHeader: row.smtp_message_id } : {}),
    };
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

/** An unfinished row whose attempt may still be running: not older than us, and claimed recently. */
function heldByLiveAttempt(row: ExistingRow, attempt: number, now: Date): boolean {
  if (!row.claimed_at || (row.claim_attempt ?? 0) < attempt) return false;
  return now.getTime() - row.claimed_at.getTime() < CLAIM_TTL_MS;
}

type Profile = Omit<Recipient, 'email'> & {
  email: string | null;
  paused_until: Date | null;
  frequency: string;
  marketing: string | null;
};

async function judge(
  client: PoolClient,
  req: SendRequest,
  profile: Profile | undefined,
  email: string | undefined,
  messaging: MessagingConfig,
  now: Date,
): Promise<SendOutcome> {
  if (!profile?.email) return { status: 'suppressed', reason: 'no email address' };
  // Stored before addresses were checked at the edge, or edited by hand: never guess at a recipient.
  if (!email) return { status: 'suppressed', reason: 'invalid email address' };
  const suppression = await client.query<{ reason: string }>('SELECT reason FROM suppressions WHERE email_hash = $1', [
    emailHash(email),
  ]);
  if (suppression.rows[0]) return { status: 'suppressed', reason: suppression.rows[0].reason };
  if (req.transactional) return { status: 'sent' };
  const consent = profile.marketing ?? (messaging.doubleOptIn ? 'pending' : 'subscribed');
  if (consent === 'unsubscribed') return { status: 'suppressed', reason: 'unsubscribed' };
  if (consent === 'pending') return { status: 'suppressed', reason: 'awaiting double opt-in' };
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
  if (req.skipIfCapped) return { status: 'skipped', reason: 'frequency cap full' };
  // Room again once the oldest of the last `max` sends leaves the window.
  const retryAt = new Date(rows[rows.length - 1].sent_at.getTime() + window);
  return { status: 'capped', reason: 'frequency cap', retryAt: retryAt.toISOString() };
}
