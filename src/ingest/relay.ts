import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { deliverEvent } from './deliver';
import { customerEvent, markDelivered } from './record';

export interface RelayOptions {
  /** Only events older than this are retried, so the API's own delivery is not raced. */
  minAgeMs?: number;
  batchSize?: number;
}

/**
 * Delivers stored events that never reached their workflow: the API crashed between storing and
 * delivering, or Temporal was down. Delivery is idempotent (the workflow ignores a messageId it has
 * seen), so an event delivered twice by a race is still processed once. Returns how many it sent.
 */
export async function relayUndelivered(pool: Pool, temporal: Client, opts: RelayOptions = {}): Promise<number> {
  const { rows } = await pool.query<{
    message_id: string;
    customer_id: string;
    type: 'identify' | 'track';
    name: string;
    properties: Record<string, unknown>;
    traits: Record<string, unknown>;
    context: Record<string, unknown>;
    occurred_at: Date;
  }>(
    `SELECT message_id, customer_id, type, name, properties, traits, context, occurred_at
       FROM events
      WHERE delivered_at IS NULL AND received_at < now() - make_interval(secs => $1)
      ORDER BY received_at
      LIMIT $2`,
    [(opts.minAgeMs ?? 10_000) / 1000, opts.batchSize ?? 200],
  );
  for (const row of rows) {
    const event = customerEvent({
      messageId: row.message_id,
      type: row.type,
      event: row.name,
      userId: row.customer_id,
      timestamp: row.occurred_at.toISOString(),
      ...(row.type === 'identify' ? { traits: row.traits } : { properties: row.properties }),
      context: row.context,
    });
    await deliverEvent(temporal, event);
    await markDelivered(pool, event);
  }
  return rows.length;
}

/** Runs the relay every `everyMs` until stopped; failures wait for the next round. */
export function startRelay(pool: Pool, temporal: Client, everyMs = 15_000, log: (err: unknown) => void = () => {}) {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    relayUndelivered(pool, temporal)
      .catch(log)
      .finally(() => {
        running = false;
      });
  }, everyMs);
  return { stop: () => clearInterval(timer) };
}
