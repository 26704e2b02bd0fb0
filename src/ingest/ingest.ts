import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { deliverEvent } from './deliver';
import { ServiceUnavailable } from './errors';
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
  const fresh = await recordEvent(deps.pool, event).catch((err: unknown) => {
    throw new ServiceUnavailable('postgres', err);
  });
  const result = await deliverEvent(deps.temporal, event).catch((err: unknown) => {
    if (isUnavailable(err)) throw new ServiceUnavailable('temporal', err);
    throw err;
  });
  await markDelivered(deps.pool, event.messageId).catch(() => undefined); // delivered is what matters
  return { duplicate: !fresh || result.duplicate };
}

/** Temporal could not be reached (as opposed to rejecting the request). */
function isUnavailable(err: unknown): boolean {
  const e = err as { code?: number; name?: string };
  // gRPC UNAVAILABLE (14) or DEADLINE_EXCEEDED (4), or the client's connection error.
  return e.code === 14 || e.code === 4 || e.name === 'ServiceError' || e.name === 'TransportError';
}
