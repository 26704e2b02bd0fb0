import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { deliverEvent } from './deliver';
import { markDelivered, recordEvent, type StoredEvent } from './record';

export interface IngestDeps {
  pool: Pool;
  temporal: Client;
}

/**
 * The one path every event takes: stored in PostgreSQL first (so nothing accepted is ever lost),
 * then delivered to the customer's workflow, then marked delivered. A crash or a Temporal outage
 * between the two leaves the event undelivered in the table, and delivering it again is harmless:
 * the workflow ignores a messageId it has seen.
 */
export async function ingest(deps: IngestDeps, event: StoredEvent): Promise<{ duplicate: boolean }> {
  const fresh = await recordEvent(deps.pool, event);
  const result = await deliverEvent(deps.temporal, event);
  await markDelivered(deps.pool, event.messageId);
  return { duplicate: !fresh || result.duplicate };
}
