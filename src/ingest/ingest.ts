import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { isDatabaseUnreachable } from '../db/errors';
import { deliverEvent } from './deliver';
import { ServiceUnavailable } from './errors';
import { customerEvent, markDelivered, recordEvent, type StoredEvent } from './record';

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
    // Only an unreachable database is a 503; a query that fails on the data is a bug, not an outage.
    throw isDatabaseUnreachable(err) ? new ServiceUnavailable('postgres', err) : err;
  });
  const result = await deliverEvent(deps.temporal, customerEvent(event), deps.deliveryTimeoutMs).catch(
    (err: unknown) => {
      if (isUnavailable(err)) throw new ServiceUnavailable('temporal', err);
      throw err;
    },
  );
  await markDelivered(deps.pool, event).catch(() => undefined); // delivered is what matters
  return { duplicate: !fresh || result.duplicate };
}

/** gRPC codes that say Temporal cannot take the call now, though it would later. */
const TRANSIENT = [
  14, // UNAVAILABLE: the server cannot be reached
  4, // DEADLINE_EXCEEDED: it did not answer in time
  // FAILED_PRECONDITION: the customer's workflow task is failing (a worker crashed inside it) and
  // takes no update until a worker runs it again; the stored event is relayed then.
  9,
];

/** Temporal cannot take the event now (as opposed to rejecting it): unreachable, slow or recovering. */
export function isUnavailable(err: unknown): boolean {
  // On the error or the one it wraps; an update that timed out waiting for the server says so by name.
  const codes = [err, (err as { cause?: unknown })?.cause].map((e) => (e as { code?: number })?.code);
  return (
    codes.some((c) => c !== undefined && TRANSIENT.includes(c)) ||
    (err as Error)?.name === 'WorkflowUpdateRPCTimeoutOrCancelledError'
  );
}
