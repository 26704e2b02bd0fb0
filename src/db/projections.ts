import { Events, prop, type CustomerEvent } from '../shared/events';
import { normalizeEmail } from '../shared/email-address';
import { normalizePhone } from '../shared/phone-number';
import { isProfileTrait, profileChange } from '../shared/profile';
import type { EventLocation } from '../shared/location';
import { changeCart, recordOrder } from './commerce-projections';
import { projectLocation, type NearbyStoreRule } from './locations';
import type { Queryable } from './queryable';
import { MARKETING, setSubscription, type ConsentChannel, type SubscriptionStatus } from './subscriptions';
import { suppress } from './suppression';

/**
 * What the projection reads beyond the delivered event: its location (from Segment's whole
 * context, which the workflow does not get), and the nearby-store rule when that journey is on.
 */
export interface ProjectionExtras {
  location?: EventLocation;
  nearbyStore?: NearbyStoreRule;
}

/**
 * Projects one accepted event into the tables the activities read: the customer's profile, carts,
 * orders, marketing consent, suppressions and last known location. The dispatcher calls it for
 * each customer's events in the order they were accepted, just before delivering them; every
 * statement is safe to repeat (upserts, and cart quantity changes guarded by their messageId), so
 * a repeat changes nothing.
 */
export async function applyEvent(db: Queryable, event: CustomerEvent, extras: ProjectionExtras = {}): Promise<void> {
  await upsertCustomer(db, event);
  await applySmsOptIn(db, event);
  if (extras.location) await projectLocation(db, event, extras.location, extras.nearbyStore);
  switch (event.event) {
    case Events.ProductAdded:
    case Events.ProductRemoved:
      return changeCart(db, event);
    case Events.OrderCompleted:
      return recordOrder(db, event);
    case Events.Unsubscribed:
      return applyConsent(db, event, 'unsubscribed', prop(event, 'reason') ?? event.event);
    case Events.EmailConfirmed:
      return setSubscription(db, event.userId, MARKETING, 'subscribed', event.event);
    case Events.EmailBounced:
      return isHardBounce(event) ? suppressBouncedAddress(db, event) : undefined;
    case Events.PreferenceUpdated:
      return applyPreference(db, event);
    case Events.SmsOptedIn:
      return setSubscription(db, event.userId, MARKETING, 'subscribed', prop(event, 'reason') ?? event.event, 'sms');
  }
}

/** How long "pause emails" lasts when the event does not say. */
const DEFAULT_PAUSE_DAYS = 30;

/**
 * The answers on the preference page (and the re-engagement check-in's links): pause marketing
 * for a while, send fewer, back to normal, or subscribed again (to a channel's topic, or by
 * default to email marketing).
 */
async function applyPreference(db: Queryable, event: CustomerEvent): Promise<void> {
  const preference = prop(event, 'preference');
  if (preference === 'pause') {
    const days = Number(prop(event, 'days') ?? DEFAULT_PAUSE_DAYS);
    await db.query(
      `UPDATE customers SET paused_until = $2::timestamptz + make_interval(days => $3), updated_at = now() WHERE id = $1`,
      [event.userId, event.timestamp, days],
    );
  } else if (preference === 'fewer' || preference === 'normal') {
    await db.query(`UPDATE customers SET frequency = $2, paused_until = NULL, updated_at = now() WHERE id = $1`, [
      event.userId,
      preference,
    ]);
  } else if (preference === 'subscribed') {
    await applyConsent(db, event, 'subscribed', event.event);
  }
}

/** The channels an event's `channel` names: absent, email (as before channels existed); `all`, both. */
const CONSENT_CHANNELS = new Map<string, ConsentChannel[]>([
  ['email', ['email']],
  ['sms', ['sms']],
  ['all', ['email', 'sms']],
]);

/**
 * An unsubscribe, or a subscribe from the preference centre: `channel` (email, sms or all) and
 * `topic` (a topic id, or `marketing` for the channel's marketing as a whole) say what it is
 * about; without them it is about email marketing. A channel we do not know changes nothing (a
 * backend's event about a channel we never send on), rather than stopping the customer's events.
 */
async function applyConsent(
  db: Queryable,
  event: CustomerEvent,
  status: SubscriptionStatus,
  reason: string,
): Promise<void> {
  const channels = CONSENT_CHANNELS.get(prop(event, 'channel') ?? 'email') ?? [];
  const topic = prop(event, 'topic') ?? MARKETING;
  for (const channel of channels) await setSubscription(db, event.userId, topic, status, reason, channel);
}

/**
 * Creates the customer if missing and applies what the event says of the profile (the rule in
 * src/shared/profile.ts): identify traits set their columns (null clears one), Segment's
 * context.locale and context.timezone fill a column still empty. The other identify traits are
 * merged into `traits` (null removes one).
 */
async function upsertCustomer(db: Queryable, event: CustomerEvent): Promise<void> {
  const { set, fill } = profileChange(event);
  // The API took only valid numbers; one that is not (stored before the rule) leaves the column as it is.
  if (set.phone) set.phone = normalizePhone(set.phone);
  if (set.phone === undefined) delete set.phone;
  const merge: Record<string, unknown> = {};
  const unset: string[] = [];
  for (const [name, value] of Object.entries(event.traits ?? {})) {
    if (isProfileTrait(name)) continue; // kept in its own column
    if (value === null) unset.push(name);
    else merge[name] = value;
  }
  // Column names come from ProfileField, never from the request.
  const columns = [...Object.keys(set), ...Object.keys(fill)];
  const values = [...Object.values(set), ...Object.values(fill)];
  const placeholders = columns.map((_, i) => `$${i + 4}`);
  const updates = [
    ...Object.keys(set).map((c) => `${c} = excluded.${c}`),
    ...Object.keys(fill).map((c) => `${c} = coalesce(customers.${c}, excluded.${c})`),
  ];
  await db.query(
    `INSERT INTO customers (id, traits${columns.map((c) => `, ${c}`).join('')})
     VALUES ($1, $2::jsonb - $3::text[]${placeholders.map((p) => `, ${p}`).join('')})
     ON CONFLICT (id) DO UPDATE SET
       traits = (customers.traits || excluded.traits) - $3::text[],
       ${updates.map((u) => `${u},`).join(' ')}
       updated_at = now()`,
    [event.userId, JSON.stringify(merge), unset, ...values],
  );
}

/** The `sms_opt_in` trait: an explicit yes to marketing texts, or a no. */
async function applySmsOptIn(db: Queryable, event: CustomerEvent): Promise<void> {
  const optIn = event.traits?.sms_opt_in;
  if (typeof optIn !== 'boolean') return;
  await setSubscription(db, event.userId, MARKETING, optIn ? 'subscribed' : 'unsubscribed', 'sms_opt_in trait', 'sms');
}

function isHardBounce(event: CustomerEvent): boolean {
  return [prop(event, 'type'), prop(event, 'bounce_type')].some((t) => t?.toLowerCase() === 'hard');
}

/** Suppresses the address that bounced: the event's `email` if it names one, else the customer's. */
async function suppressBouncedAddress(db: Queryable, event: CustomerEvent): Promise<void> {
  let email = normalizeEmail(prop(event, 'email') ?? '');
  if (!email) {
    const { rows } = await db.query<{ email: string | null }>('SELECT email FROM customers WHERE id = $1', [
      event.userId,
    ]);
    email = rows[0]?.email ?? undefined;
  }
  if (email) await suppress(db, email, 'hard-bounce');
}
