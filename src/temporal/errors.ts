/** gRPC codes that say Temporal cannot take the call now, though it would later. */
const TRANSIENT = [
  14, // UNAVAILABLE: the server cannot be reached
  4, // DEADLINE_EXCEEDED: it did not answer in time
  // FAILED_PRECONDITION: the workflow's task is failing (a worker crashed inside it) and it takes
  // nothing more until a worker runs it again.
  9,
];

/** Temporal cannot take the call now (as opposed to rejecting it): unreachable, slow or recovering. */
export function isTemporalUnavailable(err: unknown): boolean {
  // On the error or the one it wraps; an update that timed out waiting for the server says so by name.
  const codes = [err, (err as { cause?: unknown })?.cause].map((e) => (e as { code?: number })?.code);
  return (
    codes.some((c) => c !== undefined && TRANSIENT.includes(c)) ||
    (err as Error)?.name === 'WorkflowUpdateRPCTimeoutOrCancelledError'
  );
}
