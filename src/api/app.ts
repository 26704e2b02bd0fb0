import express, { type Express, type RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import { eventWriter } from '../db/event-writer';
import { storeRejected } from '../db/rejected';
import { backlogMetrics } from '../dispatcher/metrics';
import { adminRouter } from './admin-routes';
import { catalogRouter } from './catalog-routes';
import { requireKey } from './auth';
import { docsRouter } from './docs-routes';
import { healthRouter } from './health-routes';
import { ApiError, errorHandler } from './errors';
import { ingestRouter } from './ingest-routes';
import { createApiMetrics, INGEST_PATHS } from './metrics';
import { openApiDocument } from './openapi';
import { previewRouter, type PreviewDeps } from './preview-routes';
import { rateLimitPerKey } from './rate-limit';
import { smsRouter, type SmsRoutesDeps } from './sms-routes';
import { storeRouter } from './store-routes';
import { segmentRouter } from './segment-routes';
import { configSchema } from '../config/schema';
import type { SegmentDefinitions } from '../shared/segments';
import type { PreferenceCentreSettings } from './preference-centre';
import { trackingRouter } from './tracking';

export interface AppDeps {
  pool: Pool;
  temporal: Client;
  apiKeys: string[];
  adminKeys: string[];
  signingSecret: string;
  log?: (err: unknown) => void;
  deliveryTimeoutMs?: number;
  /** Template preview (admin); absent, the endpoint is not served. */
  preview?: Omit<PreviewDeps, 'pool'>;
  /** Where clients reach the API, for the OpenAPI document's server (PUBLIC_URL). */
  publicUrl?: string;
  /** Requests a minute per key on the keyed endpoints; 0 turns the limit off. */
  rateLimitPerMinute?: number;
  /** Where /metrics reads from: given, so the dispatcher in this process reports there too. */
  registry?: Registry;
  /** /readyz reports the delivery behind when the oldest waiting event is older (seconds). */
  backlogThresholdSeconds?: number;
  /** Twilio's auth token (TWILIO_AUTH_TOKEN), which signs its callbacks (absent: they are refused), and the keyword replies. */
  sms?: Pick<SmsRoutesDeps, 'authToken' | 'replies'>;
  /** The preference centre's pages and the brand and topics they show; absent, the built-in pages and the default configuration's. */
  preferences?: PreferenceCentreSettings;
  /** Express's "trust proxy" (TRUST_PROXY): which proxies' X-Forwarded-For gives the client's address. */
  trustProxy?: string | number;
  /** The segments, as the configuration defines them; absent, the default configuration's. */
  segments?: () => SegmentDefinitions;
  /** Now, as the email links record opens and clicks (the simulator's is simulated time); absent, the system clock. */
  clock?: () => Date;
}

const ADMIN_PATHS = [
  '/v1/customers',
  '/v1/stats',
  '/v1/templates',
  '/v1/products',
  '/v1/stores',
  '/v1/segments',
  '/v1/rejected-events',
];

/** The HTTP API: Segment-style ingestion, admin inspection and statistics, and our own email links. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  if (deps.trustProxy !== undefined) app.set('trust proxy', deps.trustProxy);
  const metrics = createApiMetrics(deps.registry);
  backlogMetrics(metrics.registry, deps.pool);
  const store = eventWriter(deps.pool);

  // Backends send events with write keys; inspection, erasure and statistics need admin keys.
  // Each key has its own request budget.
  const limit = deps.rateLimitPerMinute ?? 6000;
  const perKey = limit > 0 ? [rateLimitPerKey(limit)] : [];
  // JSON whatever the Content-Type says: Segment's browser library sends text/plain (no CORS
  // preflight), RudderStack's gzip as form-urlencoded; a body that is not JSON is a 400 either way.
  const json = express.json({ limit: '500kb', type: () => true });
  // A call without an Authorization header may carry its write key in the body: read it first then.
  const bodyFirst: RequestHandler = (req, res, next) => (req.get('authorization') ? next() : json(req, res, next));

  app.use(metrics.middleware);
  // Ingestion first, the hot path: its requests meet no other route on their way.
  app.use(INGEST_PATHS, bodyFirst, requireKey(deps.apiKeys, 'journeys', { inBody: true }), ...perKey, json);
  app.use(
    ingestRouter({
      store,
      storeRejected: (rejected) => storeRejected(deps.pool, rejected),
      accepted: metrics.eventsAccepted,
      rejected: metrics.eventsRejected,
    }),
  );
  app.use(
    healthRouter({ pool: deps.pool, temporal: deps.temporal, backlogThresholdSeconds: deps.backlogThresholdSeconds }),
  );
  app.use(docsRouter(openApiDocument(deps.publicUrl ?? '/')));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use(
    trackingRouter({
      pool: deps.pool,
      signingSecret: deps.signingSecret,
      accept: (event) => store([event]),
      preferences: deps.preferences,
      clock: deps.clock,
    }),
  );
  app.use(
    smsRouter({
      pool: deps.pool,
      publicUrl: deps.publicUrl ?? '',
      authToken: deps.sms?.authToken,
      replies: deps.sms?.replies,
      accept: (event) => store([event]),
    }),
  );
  app.use(ADMIN_PATHS, requireKey(deps.adminKeys, 'journeys-admin'), ...perKey);
  app.use('/v1', json);
  app.use(adminRouter({ pool: deps.pool, temporal: deps.temporal }));
  app.use(catalogRouter({ pool: deps.pool, temporal: deps.temporal, deliveryTimeoutMs: deps.deliveryTimeoutMs }));
  app.use(storeRouter({ pool: deps.pool }));
  app.use(segmentRouter({ pool: deps.pool, segments: deps.segments ?? (() => configSchema.parse({}).segments) }));
  if (deps.preview) app.use(previewRouter({ pool: deps.pool, ...deps.preview }));
  app.use((_req, _res, next) => next(new ApiError(404, 'not_found', 'No such endpoint')));
  app.use(errorHandler(deps.log ?? ((err) => console.error(err))));
  return app;
}
