import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { ingest } from '../ingest/ingest';
import { adminRouter } from './admin-routes';
import { catalogRouter } from './catalog-routes';
import { requireKey } from './auth';
import { healthRouter } from './health-routes';
import { ApiError, errorHandler } from './errors';
import { ingestRouter } from './ingest-routes';
import { previewRouter, type PreviewDeps } from './preview-routes';
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
}

/** The HTTP API: Segment-style ingestion, admin inspection and statistics, and our own email links. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  const ingestDeps = { pool: deps.pool, temporal: deps.temporal, deliveryTimeoutMs: deps.deliveryTimeoutMs };

  app.use(healthRouter({ pool: deps.pool, temporal: deps.temporal }));
  app.use(
    trackingRouter({
      pool: deps.pool,
      signingSecret: deps.signingSecret,
      // Tracking never fails the reader: a delivery problem is logged, and the stored event waits
      // for its delivery to be retried.
      accept: async (event) => {
        await ingest(ingestDeps, event).catch(deps.log ?? (() => undefined));
      },
    }),
  );
  // Backends send events with write keys; inspection, erasure and statistics need admin keys.
  app.use(['/v1/identify', '/v1/track', '/v1/batch'], requireKey(deps.apiKeys, 'journeys'));
  app.use(
    ['/v1/customers', '/v1/stats', '/v1/templates', '/v1/products'],
    requireKey(deps.adminKeys, 'journeys-admin'),
  );
  app.use('/v1', express.json({ limit: '500kb' }));
  app.use(ingestRouter({ ingest: (event) => ingest(ingestDeps, event) }));
  app.use(adminRouter({ pool: deps.pool, temporal: deps.temporal }));
  app.use(catalogRouter({ pool: deps.pool }));
  if (deps.preview) app.use(previewRouter({ pool: deps.pool, ...deps.preview }));
  app.use((_req, _res, next) => next(new ApiError(404, 'not_found', 'No such endpoint')));
  app.use(errorHandler(deps.log ?? ((err) => console.error(err))));
  return app;
}
