// npm start: the whole product on embedded defaults, for a developer's machine. Each embedded part
// gives way to its variable: TEMPORAL_ADDRESS replaces the Temporal dev server, DATABASE_URL the
// embedded PostgreSQL, SMTP_URL the MailDev inbox, TWILIO_ACCOUNT_SID the SMS stand-in,
// WEBHOOK_SECRET the webhook receiver. Ctrl-C (or SIGTERM) stops everything, in order;
// the next npm start carries on with the same data folder, sleeping journeys included.
import fs from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { createApp } from '../api/app';
import { createPageRenderer } from '../templates/pages';
import { ConfigError, loadConfig } from '../config/load';
import { EnvError, loadEnv, type Env } from '../config/env';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { Dispatcher } from '../dispatcher/dispatcher';
import { dispatcherMetrics } from '../dispatcher/metrics';
import { activityDeps } from '../worker/activity-deps';
import { createJourneysWorker, workerLimits } from '../worker/journeys-worker';
import { devConfigFile, loadDevSettings, type DevSettings } from './dev-settings';
import { startEmbeddedPostgres, stopLeftoverPostgres } from './embedded-postgres';
import { devChannels } from './dev-channels';
import { listenOnLoopback } from './listen';
import { startInbox } from './inbox';
import { DevStartError, ensurePortsFree, type PortNeed } from './ports';
import { devTemporal } from './temporal-dev-server';
import { banner } from './banner';
import { claimDataDir } from './data-dir-claim';
import { installTemporalRuntime } from './dev-runtime';
import { log, Stack, StopSignal } from './lifecycle';
import { nearbyStoreRule } from '../journeys/nearby-store/config';

const DEV_WRITE_KEY = 'dev_write_key';
const DEV_ADMIN_KEY = 'dev_admin_key';
const DEV_SIGNING_SECRET = 'development-only-signing-secret';

async function main(stop: StopSignal): Promise<number> {
  const env = loadEnv();
  const dev = loadDevSettings();
  installTemporalRuntime(env.LOG_LEVEL);
  const configFile = devConfigFile(env.JOURNEYS_CONFIG);
  const config = loadConfig(configFile);
  const stack = new Stack();
  try {
    return await run(env, dev, config, configFile, stop, stack);
  } finally {
    if (!(await stack.unwind())) process.exitCode = 1;
  }
}

async function run(
  env: Env,
  dev: DevSettings,
  config: ReturnType<typeof loadConfig>,
  configFile: string | undefined,
  stop: StopSignal,
  stack: Stack,
): Promise<number> {
  fs.mkdirSync(dev.dataDir, { recursive: true });
  claimDataDir(dev.dataDir, stack);
  const pgDir = path.join(dev.dataDir, 'postgres');
  if (!env.DATABASE_URL) {
    const leftover = await stopLeftoverPostgres(pgDir);
    if (leftover) log(`Stopped the PostgreSQL an earlier npm start left running (pid ${leftover}).`);
  }
  // Every port we are about to take, checked before anything starts.
  const needs: PortNeed[] = [{ port: env.PORT, what: 'the API', moveWith: 'PORT' }];
  if (!env.DATABASE_URL) {
    needs.push({
      port: dev.postgresPort,
      what: 'PostgreSQL',
      moveWith: 'JOURNEYS_DEV_POSTGRES_PORT',
      replaceWith: 'DATABASE_URL',
    });
  }
  if (!env.SMTP_URL) {
    needs.push({
      port: dev.smtpPort,
      what: 'the SMTP capture',
      moveWith: 'JOURNEYS_DEV_SMTP_PORT',
      replaceWith: 'SMTP_URL',
    });
    needs.push({
      port: dev.inboxPort,
      what: 'the web inbox',
      moveWith: 'JOURNEYS_DEV_INBOX_PORT',
      replaceWith: 'SMTP_URL',
    });
  }
  if (!env.TWILIO_ACCOUNT_SID) {
    needs.push({
      port: dev.smsPort,
      what: 'the SMS stand-in',
      moveWith: 'JOURNEYS_DEV_SMS_PORT',
      replaceWith: 'TWILIO_ACCOUNT_SID',
    });
  }
  if (!env.WEBHOOK_SECRET) {
    needs.push({
      port: dev.webhooksPort,
      what: 'the webhook receiver',
      moveWith: 'JOURNEYS_DEV_WEBHOOKS_PORT',
      replaceWith: 'WEBHOOK_SECRET',
    });
  }
  await ensurePortsFree(needs);

  const temporal = await devTemporal(
    {
      address: process.env.TEMPORAL_ADDRESS?.trim() || undefined,
      namespace: env.TEMPORAL_NAMESPACE,
      dataDir: dev.dataDir,
      port: dev.temporalPort,
      uiPort: dev.uiPort,
    },
    log,
  );
  stack.push('the Temporal connection', () => temporal.stop());
  if (temporal.origin === 'reused') {
    log(`Reusing the Temporal server already answering on ${temporal.address} (it keeps running when we stop).`);
  } else if (temporal.origin === 'external') {
    log(`Using the Temporal server at TEMPORAL_ADDRESS=${temporal.address}.`);
  }
  if (stop.requested) return 0;

  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    log('Starting PostgreSQL...');
    const postgres = await startEmbeddedPostgres({ dataDir: pgDir, port: dev.postgresPort, persistent: true });
    stack.push('PostgreSQL', () => postgres.stop());
    databaseUrl = postgres.url;
  }
  const pool = createPool(databaseUrl);
  stack.push('the database pool', () => pool.end());
  await migrate(pool);
  if (stop.requested) return 0;

  let smtpUrl = env.SMTP_URL;
  let inboxUrl: string | undefined;
  if (!smtpUrl) {
    const inbox = await startInbox(
      { dir: path.join(dev.dataDir, 'inbox'), smtpPort: dev.smtpPort, webPort: dev.inboxPort },
      log,
    );
    stack.push('the inbox', () => inbox.stop());
    smtpUrl = inbox.smtpUrl;
    inboxUrl = inbox.webUrl;
  }

  const apiUrl = `http://127.0.0.1:${env.PORT}`;
  // Links in the messages, and the SMS provider's callbacks, reach this API unless PUBLIC_URL says otherwise.
  const publicUrl = process.env.PUBLIC_URL ? env.PUBLIC_URL : apiUrl;
  const channels = await devChannels(env, dev, config, publicUrl, stack);
  const signingSecret = env.SIGNING_SECRET ?? DEV_SIGNING_SECRET;
  const deps = activityDeps({
    pool,
    smtpUrl,
    config,
    publicUrl,
    signingSecret,
    sms: channels.sms,
    webhookSecret: channels.webhookSecret,
  });
  stack.push('the mailer', () => deps.mailer.close());
  log('Bundling the workflows and starting the worker...');
  const worker = await createJourneysWorker({
    connection: temporal.nativeConnection,
    namespace: temporal.namespace,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    activities: deps,
    limits: workerLimits(env),
  });
  if (stop.requested) return 0;
  // Settles when the worker has drained after shutdown(), or fails (e.g. the server went away).
  const stopped = worker.run().then(
    () => undefined,
    (err: unknown) => err as Error,
  );
  stack.push('the worker', async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await stopped;
  });

  // Delivers what the API stores; stopped after the API, so nothing it accepted waits for long.
  const registry = new Registry(); // the API's /metrics, with the dispatcher's counters
  const dispatcher = new Dispatcher({
    pool,
    temporal: temporal.client,
    listenUrl: databaseUrl,
    concurrency: env.DISPATCHER_CONCURRENCY,
    nearbyStore: nearbyStoreRule(config.journeys.nearbyStore),
    log: (message, fields) => console.error(`[dispatcher] ${message}`, fields ?? ''),
    ...dispatcherMetrics(registry),
  });
  dispatcher.start();
  stack.push('the dispatcher', () => dispatcher.stop());

  const apiKeys = env.API_KEYS.length > 0 ? env.API_KEYS : [DEV_WRITE_KEY];
  const adminKeys = env.ADMIN_API_KEYS.length > 0 ? env.ADMIN_API_KEYS : [DEV_ADMIN_KEY];
  const app = createApp({
    pool,
    temporal: temporal.client,
    registry,
    backlogThresholdSeconds: env.READY_BACKLOG_SECONDS,
    apiKeys,
    adminKeys,
    signingSecret,
    publicUrl: apiUrl,
    rateLimitPerMinute: env.API_RATE_LIMIT_PER_MINUTE,
    preview: { renderer: deps.renderer, links: deps.links, messaging: () => config.messaging },
    segments: () => config.segments,
    trustProxy: env.TRUST_PROXY,
    preferences: {
      pages: createPageRenderer({ defaultLocale: config.messaging.defaultLocale }),
      messaging: () => config.messaging,
    },
    sms: {
      authToken: channels.sms?.authToken,
      replies: { renderer: deps.renderer, messaging: () => config.messaging },
    },
  });
  const server = await listenOnLoopback(app, env.PORT);
  stack.push('the API', () => new Promise((resolve) => server.close(resolve)));

  log(
    banner({
      env,
      dev,
      temporal,
      apiUrl,
      inboxUrl,
      smsInboxUrl: channels.smsInboxUrl,
      webhooksUrl: channels.webhooksUrl,
      databaseUrl: env.DATABASE_URL ? undefined : databaseUrl,
      configFile,
      writeKey: apiKeys[0],
      adminKey: adminKeys[0],
    }),
  );
  // Runs until a signal, or until the worker stops by itself (it failed).
  const failed = await Promise.race([
    stop.promise.then(() => undefined),
    stopped.then((err) => err ?? new Error('it ended by itself')),
  ]);
  if (failed) {
    console.error(`The worker stopped: ${failed.message}`);
    return 1;
  }
  return 0;
}

const stop = new StopSignal();
main(stop)
  .then((code) => process.exit(process.exitCode || code))
  .catch((err) => {
    const expected = err instanceof DevStartError || err instanceof EnvError || err instanceof ConfigError;
    console.error(expected ? (err as Error).message : err);
    process.exit(1);
  });
