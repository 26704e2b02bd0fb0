import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import type { StoredEvent } from '../db/events';
import { ApiError } from './errors';
import { parse } from './validate';
import {
  batchSchema,
  identifySchema,
  MAX_EVENT_BYTES,
  trackSchema,
  type IdentifyCall,
  type TrackCall,
} from './schemas';

export interface IngestRouteDeps {
  /** Stores the events of one request, all or none (the dispatcher delivers them afterwards). */
  store: (events: StoredEvent[]) => Promise<unknown>;
  /** Told of the events once they are stored (for the metrics). */
  accepted?: (events: StoredEvent[]) => void;
}

function checkSize(call: unknown, index?: number): void {
  if (Buffer.byteLength(JSON.stringify(call)) > MAX_EVENT_BYTES) {
    const where = index === undefined ? 'The event' : `Event ${index}`;
    throw new ApiError(413, 'event_too_large', `${where} is larger than 32 KB`);
  }
}

function toEvent(
  call: (IdentifyCall & { type?: 'identify' }) | (TrackCall & { type?: 'track' }),
  kind: 'identify' | 'track',
  context?: Record<string, unknown>,
): StoredEvent {
  return {
    // Segment's libraries always send one; a missing messageId gets one, so it is still stored once.
    messageId: call.messageId ?? randomUUID(),
    type: kind,
    event: kind === 'identify' ? 'identify' : (call as TrackCall).event,
    userId: call.userId,
    timestamp: call.timestamp ? new Date(call.timestamp).toISOString() : new Date().toISOString(),
    properties: kind === 'track' ? ((call as TrackCall).properties ?? {}) : undefined,
    traits: kind === 'identify' ? ((call as IdentifyCall).traits ?? {}) : undefined,
    context: { ...context, ...call.context },
  };
}

/**
 * Accepting is storing: one statement for the whole request, and the answer. The dispatcher
 * delivers the events to their workflows afterwards, so no request waits on Temporal or a worker;
 * an unreachable PostgreSQL is a 503 and stores nothing, so the client's retry doubles nothing.
 */
async function accept(deps: IngestRouteDeps, events: StoredEvent[]): Promise<void> {
  await deps.store(events);
  deps.accepted?.(events);
}

/** POST /v1/identify, /v1/track and /v1/batch: Segment's HTTP Tracking API. */
export function ingestRouter(deps: IngestRouteDeps): Router {
  const router = Router();
  const ok = { success: true };

  router.post('/v1/identify', async (req: Request, res) => {
    const call = parse(identifySchema, req.body);
    checkSize(call);
    await accept(deps, [toEvent(call, 'identify')]);
    res.json(ok);
  });

  router.post('/v1/track', async (req: Request, res) => {
    const call = parse(trackSchema, req.body);
    checkSize(call);
    await accept(deps, [toEvent(call, 'track')]);
    res.json(ok);
  });

  router.post('/v1/batch', async (req: Request, res) => {
    const body = parse(batchSchema, req.body);
    body.batch.forEach((call, i) => checkSize(call, i));
    await accept(
      deps,
      body.batch.map((call) => toEvent(call, call.type, body.context)),
    );
    res.json(ok);
  });

  return router;
}
