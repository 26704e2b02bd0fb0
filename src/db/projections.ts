import { Events, prop, type CustomerEvent } from '../shared/events';
import { changeCart, recordOrder } from './commerce-projections';
import type { Queryable } from './queryable';
import { MARKETING, setSubscription } from './subscriptions';
import { suppress } from './suppression';

/** An event as the API accepted and stored it; `context` is Segment's (locale, timezone...). */
export type AcceptedEvent = CustomerEvent & { context?: object };

/**
 * Projects one accepted event into the tables the activities read: the customer's profile, carts,
 * orders, marketing consent and suppressions. The API calls it once per messageId, in the
 * transaction that stores the event; every statement is safe to repeat all the same (upserts, and
 * cart quantity changes guarded by their messageId), so a repeat changes nothing.
 */
export async function applyEvent(db: Queryable, event: AcceptedEvent): Promise<void> {
  await upsertCustomer(db, event);
  switch (event.event) {
    case Events.ProductAdded:
    case Events.ProductRemoved:
      return changeCart(db, event);
    case Events.OrderCompleted:
      return recordOrder(db, event);
    case Events.Unsubscribed:
      return setSubscription(db, event.userId, MARKETING, 'unsubscribed', prop(event, 'reason') ?? event.event);
    case Events.EmailConfirmed:
      return setSubscription(db, event.userId, MARKETING, 'subscribed', event.event);
    case Events.EmailBounced:
      return isHardBounce(event) ? suppressBouncedAddress(db, event) : undefined;
    case Events.PreferenceUpdated:
      return applyPreference(db, event);
  }
}

/** How long "pause emails" lasts when the event does not say. */
const DEFAULT_PAUSE_DAYS = 30;

/**
 * The answers on the preference page (and the re-engagement check-in's links): pause marketing
 * for a while, send fewer, or back to normal.
 */
async function applyPreference(db: Queryable, event: AcceptedEvent): Promise<void> {
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
    await setSubscription(db, event.userId, MARKETING, 'subscribed', event.event);
  }
}

/** Identify traits kept in their own column (both Segment spellings); the rest go to `traits`. */
const TRAIT_COLUMNS: Record<string, string> = {
  email: 'email',
  first_name: 'first_name',
  firstName: 'first_name',
  last_name: 'last_name',
  lastName: 'last_name',
  locale: 'locale',
  timezone: 'timezone',
  birthday: 'birthday',
};

/**
 * Creates the customer if missing. An identify sets the columns its traits name (null clears
 * one) and merges the other traits (null removes one). Segment's context.locale and
 * context.timezone only fill a column still empty: what the customer told us wins.
 */
async function upsertCustomer(db: Queryable, event: AcceptedEvent): Promise<void> {
  const set = new Map<string, string | null>(); // column -> value, from identify traits
  const merge: Record<string, unknown> = {};
  const unset: string[] = [];
  for (const [name, value] of Object.entries(event.type === 'identify' ? (event.traits ?? {}) : {})) {
    const column = TRAIT_COLUMNS[name];
    if (column) {
      const text = columnValue(column, value);
      if (text !== undefined) set.set(column, text);
    } else if (value === null) unset.push(name);
    else merge[name] = value;
  }
  const context = (event.context ?? {}) as Record<string, unknown>;
  const fill = new Map<string, string>(); // column -> value, only where the column is empty
  for (const column of ['locale', 'timezone']) {
    const text = columnValue(column, context[column]);
    if (text && !set.has(column)) fill.set(column, text);
  }

  const columns = [...set.keys(), ...fill.keys()];
  const values = [...set.values(), ...fill.values()];
  const placeholders = columns.map((_, i) => `$${i + 4}`);
  const updates = [
    ...[...set.keys()].map((c) => `${c} = excluded.${c}`),
    ...[...fill.keys()].map((c) => `${c} = coalesce(customers.${c}, excluded.${c})`),
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

/** A trait as a column value: text, null to clear, undefined to leave the column alone. */
function columnValue(column: string, value: unknown): string | null | undefined {
  if (value === null) return null;
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (column === 'timezone' && !isTimeZone(text)) return undefined; // would break local-time sends
  return text === '' ? null : text;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isHardBounce(event: AcceptedEvent): boolean {
  return [prop(event, 'type'), prop(event, 'bounce_type')].some((t) => t?.toLowerCase() === 'hard');
}

/** Suppresses the address that bounced: the event's `email` if it names one, else the customer's. */
async function suppressBouncedAddress(db: Queryable, event: AcceptedEvent): Promise<void> {
  let email = prop(event, 'email');
  if (!email) {
    const { rows } = await db.query<{ email: string | null }>('SELECT email FROM customers WHERE id = $1', [
      event.userId,
    ]);
    email = rows[0]?.email ?? undefined;
  }
  if (email) await suppress(db, email, 'hard-bounce');
}
