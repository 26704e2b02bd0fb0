// A dispatcher process: `node dist/dispatcher/main.js`. Delivers the events the API processes
// stored to the customer workflows, side by side with any other dispatchers (each customer is
// leased to one at a time). Run it, and API_DISPATCHER=false on the API, to scale delivery apart
// from acceptance. Serves /metrics and /healthz on DISPATCHER_METRICS_PORT. SIGTERM finishes the
// deliveries in flight and hands the rest back.
import http from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { EnvError, loadEnv, requireEnv } from '../config/env';
import { ConfigError, loadConfig } from '../config/load';
import { temporalClientConnection } from '../config/temporal-connection';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createLogger } from '../logging/logger';
import { backlogMetrics } from './metrics';
import { startDispatcher } from './production';

async function main(): Promise<void> {
  const env = loadEnv();
  const { DATABASE_URL } = requireEnv(env, ['DATABASE_URL']);
  // The projection reads the nearby-store journey's radius: the same file the worker runs with.
  const config = loadConfig(env.JOURNEYS_CONFIG);
  const log = createLogger('journeys-dispatcher', env.LOG_LEVEL);
  const pool = createPool(DATABASE_URL, 40, (err) => log.error({ err }, 'idle PostgreSQL client failed'));
  await migrate(pool);
  const connection = Connection.lazy(temporalClientConnection(env));
  const temporal = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });

  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'journeys_dispatcher_' });
  backlogMetrics(registry, pool);
  const dispatcher = startDispatcher({ env, databaseUrl: DATABASE_URL, pool, temporal, registry, log, config });
  const server = env.DISPATCHER_METRICS_PORT ? serveMetrics(registry, env.DISPATCHER_METRICS_PORT) : undefined;
  log.info(
    { temporal: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, metricsPort: env.DISPATCHER_METRICS_PORT },
    'dispatcher started',
  );

  const stop = async (signal: string) => {
    log.info({ signal }, 'dispatcher stopping');
    server?.close();
    await dispatcher.stop();
    await pool.end();
    await connection.close();
    log.info('dispatcher stopped');
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(signal));
}

/** /metrics for Prometheus and /healthz, on all interfaces (a container's port). */
function serveMetrics(registry: Registry, port: number): http.Server {
  return http
    .createServer((req, res) => {
      if (req.url === '/healthz')
        return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    })
    .listen(port);
}

main().catch((err) => {
  console.error(err instanceof EnvError || err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
