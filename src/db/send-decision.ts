import { msToNumber } from '@temporalio/common/lib/time';
import type { PoolClient } from 'pg';
import type { MessagingConfig } from '../config/schema';
import { SEND_ATTEMPT_TIMEOUT_MS } from '../shared/sending';
import type { CustomerChannel, SendOutcome, SendRequest } from '../shared/journey';
import { normalizeEmail } from '../shared/email-address';
import { normalizePhone } from '../shared/phone-number';
import { claimMessage, type Claim } from './outbox';
import type { Queryable } from './queryable';
import { emailHash } from './suppression';

/**
 * How long an attempt owns its row against a call of the same attempt number. A newer attempt
 * takes over at once: Temporal starts one only when it has given the previous one up.
 */
export const CLAIM_TTL_MS = SEND_ATTEMPT_TIMEOUT_MS;

export interface Recipient {
  /** The one address the provider receives, normalised (an email address, or a number in E.164): the suppression list is checked on exactly it. */
  address: string;
  first_name: string | null;
  last_name: string | null;
  locale: string | null;
}

export type Decision = Claim<Recipient>;

type Profile = Omit<Recipient, 'address'> & {
  email: string | null;
  phone: string | null;
  paused_until: Date | null;
  frequency: string;
  consent: string | null;
  /** The request's topic, and whether the customer left it on this channel. */
  topic?: string;
  topic_consent: string | null;
};

/** Each channel's address, and what its marketing consent is when the customer never said. */
const CHANNEL = {
  email: {
    address: (p: Profile) => p.email,
    normalise: normalizeEmail,
    noun: 'email address',
    defaultConsent: (m: MessagingConfig) => (m.doubleOptIn ? 'pending' : 'subscribed'),
    unconsented: 'awaiting double opt-in',
  },
  sms: {
    address: (p: Profile) => p.phone,
    normalise: normalizePhone,
    noun: 'phone number',
    // Texts need an explicit opt-in (the sms_opt_in trait, or START by text).
    defaultConsent: () => 'pending',
    unconsented: 'no SMS opt-in',
  },
} satisfies Record<CustomerChannel, unknown>;

/**
 * Decides whether this message goes out (in one transaction serialised per customer, written with
 * its outbox row: src/db/outbox.ts): hard bounces and erasures stop everything; marketing also
 * stops on the channel's unsubscribe or missing opt-in, or a pause, and waits (or is skipped) when
 * the frequency cap is full, on all channels together or on this one.
 */
export async function decide(
  client: PoolClient,
  req: SendRequest,
  messaging: MessagingConfig,
  now: Date,
  attempt = 1,
): Promise<Decision> {
  const channel = req.channel ?? 'email';
  return claimMessage(
    client,
    { ...req, channel },
    async () => {
      const profile = await profileFor(client, req.customerId, channel, req.topic);
      const address = profile && addressOf(profile, channel);
      const blocked = await blockedBecause(client, channel, profile, address, messaging, now, req.transactional);
      const outcome = blocked
        ? { status: 'suppressed' as const, reason: blocked }
        : await judgeMarketing(client, req, channel, profile!, messaging, now);
      const recipient = address && profile ? { address, ...names(profile) } : undefined;
      return { outcome, recipient, locale: profile?.locale ?? null };
    },
    now,
    attempt,
    CLAIM_TTL_MS,
  );
}

/** The channels the customer may get marketing on now: an address, consent, not suppressed, not paused. */
export async function marketingChannels(
  db: Queryable,
  customerId: string,
  messaging: MessagingConfig,
  now: Date,
): Promise<CustomerChannel[]> {
  const open: CustomerChannel[] = [];
  for (const channel of ['email', 'sms'] as const) {
    const profile = await profileFor(db, customerId, channel);
    const address = profile && addressOf(profile, channel);
    if (!(await blockedBecause(db, channel, profile, address, messaging, now, false))) open.push(channel);
  }
  return open;
}

/** What templates may say of the recipient besides their address. */
export const names = (p: Omit<Recipient, 'address'>) => ({
  first_name: p.first_name,
  last_name: p.last_name,
  locale: p.locale,
});

/** The customer as the rules read them: addresses, and consent on `channel` to marketing and to `topic`. */
async function profileFor(
  db: Queryable,
  customerId: string,
  channel: CustomerChannel,
  topic?: string,
): Promise<Profile | undefined> {
  const { rows } = await db.query<Profile>(
    `SELECT c.email, c.phone, c.first_name, c.last_name, c.locale, c.paused_until, c.frequency,
            s.status AS consent, t.status AS topic_consent
       FROM customers c
       LEFT JOIN subscriptions s ON s.customer_id = c.id AND s.channel = $2 AND s.topic = 'marketing'
       LEFT JOIN subscriptions t ON t.customer_id = c.id AND t.channel = $2 AND t.topic = $3
      WHERE c.id = $1`,
    [customerId, channel, topic ?? null],
  );
  const profile = rows[0];
  return profile && { ...profile, topic };
}

/** The channel's address, normalised; null when there is none, undefined when it is not valid. */
function addressOf(profile: Profile, channel: CustomerChannel): string | null | undefined {
  const raw = CHANNEL[channel].address(profile);
  return raw ? CHANNEL[channel].normalise(raw) : null;
}

/**
 * Why nothing may go to this address now, or undefined: a hard bounce or an erasure stops every
 * message; marketing also stops on the channel's unsubscribe, a missing opt-in, or a pause.
 */
async function blockedBecause(
  db: Queryable,
  channel: CustomerChannel,
  profile: Profile | undefined,
  address: string | null | undefined,
  messaging: MessagingConfig,
  now: Date,
  transactional: boolean,
): Promise<string | undefined> {
  const rules = CHANNEL[channel];
  if (address === null || !profile) return `no ${rules.noun}`;
  // Stored before addresses were checked at the edge, or edited by hand: never guess at a recipient.
  if (address === undefined) return `invalid ${rules.noun}`;
  const suppression = await db.query<{ reason: string }>('SELECT reason FROM suppressions WHERE email_hash = $1', [
    emailHash(address),
  ]);
  if (suppression.rows[0]) return suppression.rows[0].reason;
  if (transactional) return undefined;
  const consent = profile.consent ?? rules.defaultConsent(messaging);
  if (consent === 'unsubscribed') return 'unsubscribed';
  if (consent === 'pending') return rules.unconsented;
  if (profile.topic_consent === 'unsubscribed') return `unsubscribed from ${profile.topic}`;
  if (profile.paused_until && profile.paused_until > now) return 'paused';
  return undefined;
}

/** A message that may go out: held out, or waiting (or skipped) while a frequency cap is full. */
async function judgeMarketing(
  client: PoolClient,
  req: SendRequest,
  channel: CustomerChannel,
  profile: Profile,
  messaging: MessagingConfig,
  now: Date,
): Promise<SendOutcome> {
  if (req.transactional) return { status: 'sent' };
  // Only someone we could have reached counts as held out, or the lift would be biased.
  if (req.holdout) return { status: 'holdout' };
  const caps: [MessagingConfig['frequencyCap'], CustomerChannel | null][] = [[messaging.frequencyCap, null]];
  if (channel === 'sms') caps.push([messaging.sms.frequencyCap, 'sms']);
  let retryAt: Date | undefined;
  for (const [cap, only] of caps) {
    const room = await roomAt(client, req.customerId, only, cap, profile.frequency === 'fewer', now);
    if (room && (!retryAt || room > retryAt)) retryAt = room;
  }
  if (!retryAt) return { status: 'sent' };
  if (req.skipIfCapped) return { status: 'skipped', reason: 'frequency cap full' };
  return { status: 'capped', reason: 'frequency cap', retryAt: retryAt.toISOString() };
}

/**
 * When a cap has room again, or undefined when it has room now: at most `max` marketing messages
 * (half for "fewer") in any rolling window, on one channel or (`channel` null) on all together.
 */
async function roomAt(
  client: PoolClient,
  customerId: string,
  channel: CustomerChannel | null,
  cap: MessagingConfig['frequencyCap'],
  fewer: boolean,
  now: Date,
): Promise<Date | undefined> {
  const window = msToNumber(cap.per);
  const max = fewer ? Math.max(1, Math.floor(cap.max / 2)) : cap.max;
  const { rows } = await client.query<{ sent_at: Date }>(
    `SELECT sent_at FROM messages
      WHERE customer_id = $1 AND status = 'sent' AND NOT transactional AND sent_at > $2
        AND ($4::text IS NULL OR channel = $4)
      ORDER BY sent_at DESC LIMIT $3`,
    [customerId, new Date(now.getTime() - window), max, channel],
  );
  // Room again once the oldest of the last `max` sends leaves the window.
  return rows.length < max ? undefined : new Date(rows[rows.length - 1].sent_at.getTime() + window);
}
