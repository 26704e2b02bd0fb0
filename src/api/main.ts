// The production API: `node dist/api/main.js`. Validates its environment first (a bad variable
// stops it with a message naming it), applies migrations, serves, and (unless API_DISPATCHER=false,
// when dispatcher processes do it) delivers what it stored to the customer workflows. SIGTERM stops
// accepting connections, lets requests in flight finish, and hands undelivered events back.
import { Client, Connection } from '@temporalio/client';
import { Registry } from 'prom-client';
import { loadConfig } from '../config/load';
import { EnvError, loadEnv, requireEnv } from '../config/env';
import { temporalClientConnection } from '../config/temporal-connection';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { startDispatcher } from '../dispatcher/production';
import { createLogger } from '../logging/logger';
import { createPageRenderer } from '../templates/pages';
import { createRenderer } from '../templates/renderer';
import { createApp } from './app';

async function main(): Promise<void> {
  const env = loadEnv();
  const { DATABASE_URL, SIGNING_SECRET, API_KEYS, ADMIN_API_KEYS } = requireEnv(env, [
    'DATABASE_URL',
    'SIGNING_SECRET',
    'API_KEYS',
    'ADMIN_API_KEYS',
  ]);
  const config = loadConfig(env.JOURNEYS_CONFIG);
  const log = createLogger('journeys-api', env.LOG_LEVEL);

  const pool = createPool(DATABASE_URL, 20, (err) => log.error({ err }, 'idle PostgreSQL client failed'));
  await migrate(pool);
  // Lazy: the API starts (and /readyz says why it is not ready) while Temporal is still coming up.
  const connection = Connection.lazy(temporalClientConnection(env));
  const temporal = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  const links = { publicUrl: env.PUBLIC_URL, signingSecret: SIGNING_SECRET };
  const renderer = createRenderer({ defaultLocale: config.messaging.defaultLocale });
  const registry = new Registry();
  const app = createApp({
    pool,
    temporal,
    registry,
    apiKeys: API_KEYS,
    adminKeys: ADMIN_API_KEYS,
    signingSecret: SIGNING_SECRET,
    publicUrl: env.PUBLIC_URL,
    rateLimitPerMinute: env.API_RATE_LIMIT_PER_MINUTE,
    backlogThresholdSeconds: env.READY_BACKLOG_SECONDS,
    sms: { authToken: env.TWILIO_AUTH_TOKEN, replies: { renderer, messaging: () => config.messaging } },
    log: (err) => log.error({ err }, 'request failed'),
    preview: {
      renderer,
      links,
      messaging: () => config.messaging,
    },
    segments: () => config.segments,
    trustProxy: env.TRUST_PROXY,
    preferences: {
      pages: createPageRenderer({ defaultLocale: config.messaging.defaultLocale }),
      messaging: () => config.messaging,
    },
  });
  const server = app.listen(env.PORT);
  const dispatcher = env.API_DISPATCHER
    ? startDispatcher({ env, databaseUrl: DATABASE_URL, pool, temporal, registry, log, config })
    : undefined;
  log.info(
    { port: env.PORT, temporal: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, dispatcher: !!dispatcher },
    'api started',
  );

  const stop = async (signal: string) => {
    log.info({ signal }, 'api stopping');
    await new Promise((resolve) => server.close(resolve));
    await dispatcher?.stop();
    await pool.end();
    await connection.close();
    log.info('api stopped');
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(signal));
}

main().catch((err) => {
  console.error(err instanceof EnvError ? err.message : err);
  process.exit(1);
});
