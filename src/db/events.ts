import { profileContext, type CustomerEvent } from '../shared/events';
import type { Queryable } from './queryable';

/** An event as the API accepted it, with Segment's whole context (kept in PostgreSQL only). */
export type StoredEvent = Omit<CustomerEvent, 'context'> & { context?: Record<string, unknown> };

/** The event as its customer workflow gets it: of the context, only what the profile uses. */
export function customerEvent({ context, ...event }: StoredEvent): CustomerEvent {
  const picked = profileContext(context);
  return picked ? { ...event, context: picked } : event;
}

/** Wakes the dispatchers (LISTEN journeys_events) when events are stored. */
export const EVENTS_CHANNEL = 'journeys_events';

/**
 * Accepts events by storing them: one statement however many, in the order given (which is the
 * order the dispatcher delivers each customer's events in), and one notification to the
 * dispatchers. A messageId a customer already sent is not stored again. Returns how many were new.
 */
export async function storeEvents(db: Queryable, events: StoredEvent[]): Promise<number> {
  if (events.length === 0) return 0;
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
       SELECT message_id, customer_id, type, name, properties, traits, context, occurred_at FROM given ORDER BY position
       ON CONFLICT (customer_id, message_id) DO NOTHING
       RETURNING 1
     )
     SELECT count(*)::int AS stored, pg_notify($2, '') FROM stored`,
    [JSON.stringify(rows), EVENTS_CHANNEL],
  );
  return result[0].stored;
}
