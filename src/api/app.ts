import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { ingest } from '../ingest/ingest';
import { requireKey } from './auth';
import { ApiError, errorHandler } from './errors';
import { ingestRouter } from './ingest-routes';
import { trackingRouter } from './tracking';

export interface AppDeps {
  pool: Pool;
  temporal: Client;
  apiKeys: string[];
  signingSecret: string;
  log?: (err: unknown) => void;
  deliveryTimeoutMs?: number;
}

/** The HTTP API: Segment-style ingestion behind write keys, and our own email links. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  const ingestDeps = { pool: deps.pool, temporal: deps.temporal, deliveryTimeoutMs: deps.deliveryTimeoutMs };

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
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
  app.use('/v1', requireKey(deps.apiKeys, 'journeys'), express.json({ limit: '500kb' }));
  app.use(ingestRouter({ ingest: (event) => ingest(ingestDeps, event) }));
  app.use((_req, _res, next) => next(new ApiError(404, 'not_found', 'No such endpoint')));
  app.use(errorHandler(deps.log ?? ((err) => console.error(err))));
  return app;
}
