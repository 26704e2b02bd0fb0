import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { CALL_TYPES } from '../shared/events';

export const INGEST_PATHS = [...CALL_TYPES.map((type) => `/v1/${type}`), '/v1/batch'];

/**
 * The API's Prometheus metrics, on a registry of its own (one per app, so tests and embedders
 * never collide): requests and their latency by route, events accepted and rejected by reason.
 */
export function createApiMetrics(registry = new Registry()) {
  collectDefaultMetrics({ register: registry, prefix: 'journeys_api_' });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'journeys_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'journeys_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const accepted = new Counter({
    name: 'journeys_events_accepted_total',
    help: 'Events accepted by the ingestion API, by call type',
    labelNames: ['type'],
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'journeys_events_rejected_total',
    help: 'Calls refused, by reason (the error code): each refused item of a batch, or the whole request',
    labelNames: ['reason'],
    registers: [registry],
  });

  /** Times every request; the route label is the route's pattern, never the raw URL (bounded cardinality). */
  const middleware: RequestHandler = (req, res, next) => {
    const stop = latency.startTimer();
    res.on('finish', () => {
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      stop(labels);
      requests.inc(labels);
      // Refusals the ingest routes counted call by call are not counted again as a request.
      if (
        res.statusCode >= 400 &&
        !res.locals.rejectionsCounted &&
        INGEST_PATHS.includes(req.originalUrl.split('?')[0])
      ) {
        rejected.inc({ reason: String(res.locals.errorCode ?? res.statusCode) });
      }
    });
    next();
  };

  return {
    registry,
    middleware,
    /** Counts stored events by type. */
    eventsAccepted: (events: { type: string }[]) => {
      const byType = new Map<string, number>();
      for (const e of events) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
      for (const [type, count] of byType) accepted.inc({ type }, count);
    },
    /** Counts refused calls by reason. */
    eventsRejected: (codes: string[]) => {
      for (const reason of codes) rejected.inc({ reason });
    },
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
