import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { deliverEvent } from './deliver';
import { ServiceUnavailable } from './errors';
import { markDelivered, recordEvent, type StoredEvent } from './record';

export interface IngestDeps {
  pool: Pool;
  temporal: Client;
  /** How long delivery may take before the caller hears Temporal is unavailable. */
  deliveryTimeoutMs?: number;
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
  const result = await deliverEvent(deps.temporal, event, deps.deliveryTimeoutMs).catch((err: unknown) => {
    if (isUnavailable(err)) throw new ServiceUnavailable('temporal', err);
    throw err;
  });
  await markDelivered(deps.pool, event.messageId).catch(() => undefined); // delivered is what matters
  return { duplicate: !fresh || result.duplicate };
}

/** Temporal could not be reached in time (as opposed to rejecting the request). */
export function isUnavailable(err: unknown): boolean {
  // gRPC UNAVAILABLE (14) or DEADLINE_EXCEEDED (4), on the error or the one it wraps; an update
  // that timed out waiting for the server says so by name.
  const codes = [err, (err as { cause?: unknown })?.cause].map((e) => (e as { code?: number })?.code);
  return codes.includes(14) || codes.includes(4) || (err as Error)?.name === 'WorkflowUpdateRPCTimeoutOrCancelledError';
}
