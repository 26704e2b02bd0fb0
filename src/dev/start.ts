// npm start: the whole product on embedded defaults, for a developer's machine. Each embedded part
// gives way to its variable: TEMPORAL_ADDRESS is not used here yet (the dev server always runs),
// DATABASE_URL replaces the embedded PostgreSQL, SMTP_URL the local mail capture.
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createMailer } from '../activities/mailer';
import { createApp } from '../api/app';
import { loadConfig } from '../config/load';
import { loadEnv } from '../config/env';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { startRelay } from '../ingest/relay';
import { createRenderer } from '../templates/renderer';
import { TASK_QUEUE } from '../worker/task-queue';
import { startEmbeddedPostgres } from './embedded-postgres';
import { startMailCapture } from './mail-capture';
import { startDevServer } from './temporal-dev-server';

const DATA_DIR = path.resolve(process.env.JOURNEYS_DATA_DIR || '.data');
const DEV_WRITE_KEY = 'dev_write_key';
const DEV_ADMIN_KEY = 'dev_admin_key';
const DEV_SIGNING_SECRET = 'development-only-signing-secret';

async function main(): Promise<void> {
  const env = loadEnv();
  const config = loadConfig(env.JOURNEYS_CONFIG);

  console.log('Starting the Temporal dev server...');
  const temporal = await startDevServer({ dataDir: DATA_DIR, port: 7233, uiPort: 8233 }, console.log);
  const postgres = env.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({ dataDir: path.join(DATA_DIR, 'postgres'), port: 54329, persistent: true });
  const pool = createPool(env.DATABASE_URL ?? postgres!.url);
  await migrate(pool);
  const capture = env.SMTP_URL ? undefined : await startMailCapture(path.join(DATA_DIR, 'inbox'), 2525, console.log);
  const mailer = createMailer(env.SMTP_URL ?? capture!.url);

  const links = { publicUrl: env.PUBLIC_URL, signingSecret: env.SIGNING_SECRET ?? DEV_SIGNING_SECRET };
  const renderer = createRenderer({ defaultLocale: config.messaging.defaultLocale });
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities({
      pool,
      mailer,
      clock: () => new Date(),
      config: () => config,
      renderer,
      links,
    }),
  });
  const apiKeys = env.API_KEYS.length > 0 ? env.API_KEYS : [DEV_WRITE_KEY];
  const adminKeys = env.ADMIN_API_KEYS.length > 0 ? env.ADMIN_API_KEYS : [DEV_ADMIN_KEY];
  const app = createApp({
    pool,
    temporal: temporal.client,
    apiKeys,
    adminKeys,
    signingSecret: links.signingSecret,
    preview: { renderer, links, messaging: () => config.messaging },
  });
  const server = app.listen(env.PORT, '127.0.0.1');
  const relay = startRelay(pool, temporal.client, 15_000, (err) => console.error('[relay]', err));

  console.log(`
Journeys is running.
  API               http://127.0.0.1:${env.PORT}   (write key "${apiKeys[0]}", admin key "${adminKeys[0]}")
  Temporal Web UI   http://127.0.0.1:8233
  Temporal address  127.0.0.1:7233 (task queue "${TASK_QUEUE}")
  PostgreSQL        ${env.DATABASE_URL ? 'DATABASE_URL' : postgres!.url}
  Mail              ${env.SMTP_URL ? 'SMTP_URL' : `captured as .eml files in ${path.join(DATA_DIR, 'inbox')}`}
Try: curl -u ${apiKeys[0]}: -H 'Content-Type: application/json' http://127.0.0.1:${env.PORT}/v1/track \\
       -d '{"userId":"c-1","event":"Signed Up"}'
Press Ctrl-C to stop.`);
  // Worker.run() shuts down on SIGINT/SIGTERM by itself; the rest goes down after it.
  await worker.run();
  relay.stop();
  await new Promise((resolve) => server.close(resolve));
  mailer.close();
  await capture?.stop();
  await pool.end();
  await postgres?.stop();
  await temporal.teardown();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
