import type { Pool } from 'pg';
import { profileContext, type CustomerEvent } from '../shared/events';
import { linkIdentities } from './identity';
import type { Queryable } from './queryable';
import { inTransaction } from './transaction';

/** An event as the API accepted it, with Segment's whole context (kept in PostgreSQL only). */
export type StoredEvent = Omit<CustomerEvent, 'context'> & {
  context?: Record<string, unknown>;
  /** The anonymous customer (`anonymous:<id>`) this customer was before, when the call says so. */
  wasAnonymous?: string;
};

/** The event as its customer workflow gets it: of the context, only what the profile uses. */
export function customerEvent({ context, ...event }: StoredEvent): CustomerEvent {
  const picked = profileContext(context);
  return picked ? { ...event, context: picked } : event;
}

/** Wakes the dispatchers (LISTEN journeys_events) when events are stored. */
export const EVENTS_CHANNEL = 'journeys_events';

/**
 * How often one process may wake the dispatchers. A NOTIFY inside every commit serialises the
 * commits on PostgreSQL's notification queue (it halved what /v1/track accepts), so the wake-up
 * goes after the commit, at most once per interval, with one more at its end for what came
 * meanwhile. A dispatcher also polls every second: a lost wake-up only delays.
 */
const WAKE_INTERVAL_MS = 20;
const wakes = new WeakMap<Queryable, { last: number; pending: boolean }>();

function wakeDispatchers(db: Queryable): void {
  const wake = wakes.get(db) ?? { last: 0, pending: false };
  wakes.set(db, wake);
  if (wake.pending) return;
  const send = () => {
    wake.pending = false;
    wake.last = Date.now();
    db.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, '']).catch(() => undefined);
  };
  const wait = wake.last + WAKE_INTERVAL_MS - Date.now();
  if (wait <= 0) return send();
  wake.pending = true;
  setTimeout(send, wait).unref();
}

/**
 * Accepts events by storing them: one statement however many, in the order given (which is the
 * order the dispatcher delivers each customer's events in), then a wake-up for the dispatchers. A messageId a customer already sent is not stored again. An anonymous visitor's
 * event is stored under the customer they are linked to, if they are; a call that links them
 * (db/identity.ts) does so in the same transaction. Returns how many were new.
 */
export async function storeEvents(pool: Pool, events: StoredEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const links = events.flatMap((e) => (e.wasAnonymous ? [{ anonymousId: e.wasAnonymous, customerId: e.userId }] : []));
  const stored =
    links.length === 0
      ? await insertEvents(pool, events)
      : await inTransaction(pool, async (client) => {
          await linkIdentities(client, links);
          return insertEvents(client, events);
        });
  wakeDispatchers(pool);
  return stored;
}

/** Stores events in the given order (no wake-up: for a caller inside the dispatcher's own pass); returns how many were new. */
export async function insertEvents(db: Queryable, events: StoredEvent[]): Promise<number> {
  const rows = events.map((e) => ({
    message_id: e.messageId,
    customer_id: e.userId,
    type: e.type,
    name: e.event,
    properties: e.properties ?? {},
    traits: e.traits ?? {},
    context: e.context ?? {},
    occurred_at: e.timestamp,
  }));
  const { rows: result } = await db.query<{ stored: number }>(
    `WITH given AS (
       SELECT * FROM ROWS FROM (
         jsonb_to_recordset($1::jsonb) AS (message_id text, customer_id text, type text, name text,
           properties jsonb, traits jsonb, context jsonb, occurred_at timestamptz)
       ) WITH ORDINALITY AS r (message_id, customer_id, type, name, properties, traits, context, occurred_at, position)
     ),
     stored AS (
       INSERT INTO events (message_id, customer_id, type, name, properties, traits, context, occurred_at)
       SELECT g.message_id, coalesce(l.customer_id, g.customer_id), g.type, g.name, g.properties, g.traits,
              g.context, g.occurred_at
       FROM given g LEFT JOIN identity_links l ON l.anonymous_id = g.customer_id
       ORDER BY g.position
       ON CONFLICT (customer_id, message_id) DO NOTHING
       RETURNING 1
     )
     SELECT count(*)::int AS stored FROM stored`,
    [JSON.stringify(rows)],
  );
  return result[0].stored;
}

/** How many events are stored for the customer: theirs, and those derived from them (Store Nearby). */
export async function storedEventCount(db: Queryable, customerId: string): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM events WHERE customer_id = $1',
    [customerId],
  );
  return rows[0].count;
}
