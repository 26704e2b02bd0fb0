import type { Pool } from 'pg';
import type { CallType, CustomerEvent } from '../shared/events';
import { eventLocation, type EventLocation } from '../shared/location';
import { customerEvent } from './events';
import type { NearbyStoreRule } from './locations';
import { applyEvent } from './projections';
import type { Queryable } from './queryable';
import { inTransaction } from './transaction';

// What the dispatcher asks of PostgreSQL: which customers have events to deliver (each leased to
// one dispatcher at a time, so their order holds), those events in order, their projection, and
// what has been delivered.

/** An undelivered event, with whether it is projected yet. */
export interface PendingEvent {
  seq: string;
  projected: boolean;
  event: CustomerEvent;
  /** Where the event says the customer is (read from Segment's whole context, which `event` lacks). */
  location?: EventLocation;
}

/** A customer leased to one dispatcher, with their waiting events, oldest first. */
export interface LeasedCustomer {
  customerId: string;
  events: PendingEvent[];
}

/**
 * Leases up to `customers` customers with undelivered events, the longest waiting first, to
 * `holder` for `leaseMs`, and returns them with up to `perCustomer` of their events each, in one
 * statement: customers leased by another dispatcher are skipped, a lease that ran out is taken over.
 */
export async function leaseWaiting(
  db: Queryable,
  holder: string,
  customers: number,
  perCustomer: number,
  leaseMs: number,
): Promise<LeasedCustomer[]> {
  const { rows } = await db.query<{
    seq: string;
    customer_id: string;
    message_id: string;
    type: CallType;
    name: string;
    properties: Record<string, unknown>;
    traits: Record<string, unknown>;
    context: Record<string, unknown>;
    occurred_at: Date;
    projected_at: Date | null;
  }>(
    `WITH waiting AS (
       SELECT e.customer_id, min(e.seq) AS first
       FROM events e
       WHERE e.delivered_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM dispatch_leases l WHERE l.customer_id = e.customer_id AND l.leased_until > now())
       GROUP BY e.customer_id
       ORDER BY first
       LIMIT $2
     ),
     leased AS (
       INSERT INTO dispatch_leases (customer_id, holder, leased_until)
       SELECT customer_id, $1, now() + make_interval(secs => $4) FROM waiting
       ON CONFLICT (customer_id) DO UPDATE SET holder = excluded.holder, leased_until = excluded.leased_until
         WHERE dispatch_leases.leased_until <= now()
       RETURNING customer_id
     )
     SELECT p.* FROM leased CROSS JOIN LATERAL (
       SELECT seq, customer_id, message_id, type, name, properties, traits, context, occurred_at, projected_at
       FROM events e WHERE e.customer_id = leased.customer_id AND e.delivered_at IS NULL
       ORDER BY seq LIMIT $3
     ) p
     ORDER BY p.seq`,
    [holder, customers, perCustomer, leaseMs / 1000],
  );
  const leased = new Map<string, PendingEvent[]>();
  for (const r of rows) {
    const events = leased.get(r.customer_id) ?? [];
    leased.set(r.customer_id, events);
    const location = r.projected_at === null ? eventLocation(r) : undefined;
    events.push({
      seq: r.seq,
      projected: r.projected_at !== null,
      ...(location ? { location } : {}),
      event: customerEvent({
        messageId: r.message_id,
        type: r.type,
        event: r.name,
        userId: r.customer_id,
        timestamp: r.occurred_at.toISOString(),
        ...(Object.keys(r.properties).length > 0 || r.type === 'track' ? { properties: r.properties } : {}),
        ...(Object.keys(r.traits).length > 0 || r.type === 'identify' ? { traits: r.traits } : {}),
        context: r.context,
      }),
    });
  }
  return [...leased].map(([customerId, events]) => ({ customerId, events }));
}

/**
 * Gives customers back after `afterMs` (a backend failed: they are tried again then, by whichever
 * dispatcher leases them first). A delivery that succeeded gives its customer back in
 * markDelivered instead.
 */
export async function releaseLeasesAfter(
  db: Queryable,
  customerIds: string[],
  holder: string,
  afterMs: number,
): Promise<void> {
  await db.query(
    `UPDATE dispatch_leases SET leased_until = now() + make_interval(secs => $3)
     WHERE customer_id = ANY($1::text[]) AND holder = $2`,
    [customerIds, holder, afterMs / 1000],
  );
}

/**
 * Applies the events not yet projected to the profile, carts, orders, consent and location, in
 * order, in one transaction (whichever customers they belong to), and records them projected.
 * Repeating it is harmless (the projections are). `nearbyStore`: the nearby-store journey's rule
 * while it is on (a located event near a store then derives a Store Nearby event).
 */
export async function projectEvents(pool: Pool, pending: PendingEvent[], nearbyStore?: NearbyStoreRule): Promise<void> {
  const todo = pending.filter((p) => !p.projected);
  if (todo.length === 0) return;
  await inTransaction(pool, async (client) => {
    for (const { event, location } of todo) await applyEvent(client, event, { location, nearbyStore });
    await client.query('UPDATE events SET projected_at = now() WHERE seq = ANY($1::bigint[])', [
      todo.map((p) => p.seq),
    ]);
  });
}

/** Events handed to one customer's workflow. */
export interface Delivery {
  customerId: string;
  seqs: string[];
}

/**
 * Records exactly these events (by seq) as delivered to their workflows, not every one up to the
 * last: requests storing at once commit in any order, so an event with a lower seq can become
 * visible after a later one was read and delivered, and it is still waiting. Gives their customers
 * back in the same statement (one commit; another dispatcher never sees them leased-free and
 * unmarked).
 */
export async function markDelivered(db: Queryable, deliveries: Delivery[], holder: string): Promise<void> {
  await db.query(
    `WITH marked AS (UPDATE events SET delivered_at = now() WHERE seq = ANY($1::bigint[]))
     DELETE FROM dispatch_leases WHERE customer_id = ANY($2::text[]) AND holder = $3`,
    [deliveries.flatMap((d) => d.seqs), deliveries.map((d) => d.customerId), holder],
  );
}

/** How much is waiting: undelivered events, and how long the oldest has waited (seconds; 0 with none). */
export interface Backlog {
  pending: number;
  oldestAgeSeconds: number;
}

export async function backlog(db: Queryable): Promise<Backlog> {
  const { rows } = await db.query<{ pending: number; age: number | null }>(
    `SELECT count(*)::int AS pending, extract(epoch FROM now() - min(received_at))::float8 AS age
     FROM events WHERE delivered_at IS NULL`,
  );
  return { pending: rows[0].pending, oldestAgeSeconds: Math.max(0, rows[0].age ?? 0) };
}

/** A customer's events accepted and not yet delivered, as the admin inspection shows them. */
export interface WaitingEvents {
  count: number;
  /** The first `limit` of them, oldest first. */
  events: { messageId: string; type: string; event: string; receivedAt: string }[];
}

export async function waitingEvents(db: Queryable, customerId: string, limit: number): Promise<WaitingEvents> {
  const { rows } = await db.query<{
    message_id: string;
    type: string;
    name: string;
    received_at: Date;
    total: number;
  }>(
    `SELECT message_id, type, name, received_at, count(*) OVER ()::int AS total
     FROM events WHERE customer_id = $1 AND delivered_at IS NULL ORDER BY seq LIMIT $2`,
    [customerId, limit],
  );
  return {
    count: rows[0]?.total ?? 0,
    events: rows.map((r) => ({
      messageId: r.message_id,
      type: r.type,
      event: r.name,
      receivedAt: r.received_at.toISOString(),
    })),
  };
}
