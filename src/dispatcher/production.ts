import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Env } from '../config/env';
import type { JourneysConfig } from '../config/schema';
import { nearbyStoreRule } from '../journeys/nearby-store/config';
import { Dispatcher } from './dispatcher';
import { dispatcherMetrics } from './metrics';

/**
 * A started dispatcher as the production processes run it (the API's own, or a dispatcher
 * process): settings from the environment, failures logged as warnings, counters on `registry`.
 */
export function startDispatcher(deps: {
  env: Env;
  databaseUrl: string;
  pool: Pool;
  temporal: Client;
  registry: Registry;
  log: Logger;
  /** The journey configuration: the projection reads the nearby-store journey's radius from it. */
  config: JourneysConfig;
}): Dispatcher {
  const dispatcher = new Dispatcher({
    pool: deps.pool,
    temporal: deps.temporal,
    listenUrl: deps.databaseUrl,
    concurrency: deps.env.DISPATCHER_CONCURRENCY,
    nearbyStore: nearbyStoreRule(deps.config.journeys.nearbyStore),
    log: (message, fields) => deps.log.warn(fields, message),
    ...dispatcherMetrics(deps.registry),
  });
  dispatcher.start();
  return dispatcher;
}
