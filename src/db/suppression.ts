import { createHash } from 'node:crypto';
import type { Queryable } from './queryable';

// Addresses never to mail again, kept only as a hash of the normalised address, so a suppression
// outlives the erasure of the customer (and their address) it came from.

export type SuppressionReason = 'hard-bounce' | 'complaint' | 'unsubscribed' | 'erased' | 'manual';

/** SHA-256 (hex) of the address trimmed and lower-cased: `Ann@Example.com ` and `ann@example.com` are one. */
export function emailHash(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

/** Suppresses the address; the first reason recorded for it stays. */
export async function suppress(db: Queryable, email: string, reason: SuppressionReason): Promise<void> {
  await db.query('INSERT INTO suppressions (email_hash, reason) VALUES ($1, $2) ON CONFLICT (email_hash) DO NOTHING', [
    emailHash(email),
    reason,
  ]);
}

/** Why the address is suppressed, or null when it may be mailed. */
export async function suppressionReason(db: Queryable, email: string): Promise<SuppressionReason | null> {
  const { rows } = await db.query<{ reason: SuppressionReason }>(
    'SELECT reason FROM suppressions WHERE email_hash = $1',
    [emailHash(email)],
  );
  return rows[0]?.reason ?? null;
}

export async function isSuppressed(db: Queryable, email: string): Promise<boolean> {
  return (await suppressionReason(db, email)) !== null;
}
