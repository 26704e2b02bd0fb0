import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import type { StoredEvent } from '../ingest/record';
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
  /** Stores the event, then delivers it; throws ServiceUnavailable when a backend is down. */
  ingest: (event: StoredEvent) => Promise<unknown>;
  /** Told of each event once it is stored and delivered (for the metrics). */
  accepted?: (event: StoredEvent) => void;
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

async function accept(deps: IngestRouteDeps, events: StoredEvent[]): Promise<void> {
  // One customer's events in order; different customers side by side.
  const byCustomer = new Map<string, StoredEvent[]>();
  for (const e of events) byCustomer.set(e.userId, [...(byCustomer.get(e.userId) ?? []), e]);
  // A backend that is down fails the request with a 503 (errorHandler); each event it did not
  // take is not stored, or stored and relayed later, so the client's retry loses and doubles nothing.
  await Promise.all(
    [...byCustomer.values()].map(async (list) => {
      for (const e of list) {
        await deps.ingest(e);
        deps.accepted?.(e);
      }
    }),
  );
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
