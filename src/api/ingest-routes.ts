import { Router, type Request, type Response } from 'express';
import { isDatabaseUnreachable } from '../db/errors';
import type { StoredEvent } from '../db/events';
import type { RejectedEvent } from '../db/rejected';
import { CALL_TYPES, type CallType } from '../shared/events';
import { ApiError } from './errors';
import { batchEnvelopeSchema, batchItemSchema, callSchemas, MAX_EVENT_BYTES } from './segment-calls';
import { storedEvent, type Arrival, type ValidCall } from './segment-events';
import { check, parse, type Checked } from './validate';

export interface IngestRouteDeps {
  /** Stores the events of one request, all or none (the dispatcher delivers them afterwards). */
  store: (events: StoredEvent[]) => Promise<unknown>;
  /** Keeps refused calls for inspection. */
  storeRejected: (rejected: RejectedEvent[]) => Promise<unknown>;
  /** Told of the events once they are stored, and of each refused call (for the metrics). */
  accepted?: (events: StoredEvent[]) => void;
  rejected?: (codes: string[]) => void;
}

/** The call within Segment's 32 KB a call, as a 413 naming it. */
function sized(call: unknown): Checked<unknown> {
  if (Buffer.byteLength(JSON.stringify(call) ?? '') <= MAX_EVENT_BYTES) return { ok: true, data: call };
  return { ok: false, error: new ApiError(413, 'event_too_large', 'The event is larger than 32 KB') };
}

/** The answer for a refused call, as kept and as answered. */
function refusal(endpoint: string, payload: unknown, error: ApiError, index?: number): RejectedEvent {
  return { endpoint, index, code: error.code, message: error.message, details: error.details, payload };
}

/**
 * POST /v1/<call> and /v1/batch: Segment's HTTP Tracking API, with all six calls. Accepting is
 * storing: one statement for the whole request, then the answer; the dispatcher delivers the
 * events to their workflows afterwards, so no request waits on Temporal or a worker. An
 * unreachable PostgreSQL is a 503 and stores nothing, so the client's retry doubles nothing.
 */
export function ingestRouter(deps: IngestRouteDeps): Router {
  const router = Router();

  /**
   * A refused call is kept for inspection and counted before it is answered; with PostgreSQL
   * down it is answered all the same (the client's request is what was wrong).
   */
  const refuse = async (res: Response, rejected: RejectedEvent[]): Promise<void> => {
    await deps.storeRejected(rejected).catch((err: unknown) => {
      if (!isDatabaseUnreachable(err)) throw err;
    });
    deps.rejected?.(rejected.map((r) => r.code));
    res.locals.rejectionsCounted = true; // the metrics middleware leaves them to us
  };
  const accept = async (events: StoredEvent[]): Promise<void> => {
    await deps.store(events);
    deps.accepted?.(events);
  };

  for (const type of CALL_TYPES) {
    const path = `/v1/${type}`;
    router.post(path, async (req: Request, res) => {
      const arrival: Arrival = { receivedAt: Date.now() };
      const checked = checkCall(req.body, (call) => check(callSchemas[type], call));
      if (!checked.ok) {
        await refuse(res, [refusal(path, withoutKey(req.body), checked.error)]);
        throw checked.error;
      }
      await accept([storedEvent(checked.data as ValidCall, type, arrival)]);
      res.json({ success: true });
    });
  }

  router.post('/v1/batch', async (req: Request, res) => {
    const arrival: Arrival = { receivedAt: Date.now() };
    const envelope = parse(batchEnvelopeSchema, req.body);
    Object.assign(arrival, { sentAt: envelope.sentAt, context: envelope.context });
    const events: StoredEvent[] = [];
    const rejected: RejectedEvent[] = [];
    envelope.batch.forEach((item, index) => {
      const checked = checkCall(item, (call) => check(batchItemSchema, call));
      if (checked.ok)
        events.push(storedEvent(checked.data as ValidCall, (checked.data as { type: CallType }).type, arrival));
      else rejected.push(refusal('/v1/batch', item, checked.error, index));
    });
    const answers = rejected.map(({ index, code, message, details }) => ({ index, code, message, details }));
    if (events.length === 0) {
      await refuse(res, rejected);
      throw new ApiError(400, 'invalid_request', 'No call in the batch is valid', answers);
    }
    await accept(events);
    if (rejected.length > 0) await refuse(res, rejected);
    res.json(rejected.length > 0 ? { success: true, rejected: answers } : { success: true });
  });

  return router;
}

/** The call as kept for inspection: without a write key it carried. */
function withoutKey(body: unknown): unknown {
  if (!body || typeof body !== 'object' || !('writeKey' in body)) return body;
  const call = { ...(body as Record<string, unknown>) };
  delete call.writeKey;
  return call;
}

/** A call checked for what it says (well formed first: no 10,000 levels of nesting), then for size. */
function checkCall(call: unknown, validate: (call: unknown) => Checked<unknown>): Checked<unknown> {
  const valid = validate(call);
  return valid.ok ? sized(valid.data) : valid;
}
