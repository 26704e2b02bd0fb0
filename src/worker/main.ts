// The production worker: `node dist/worker/main.js`. Runs every workflow and activity on the task
// queue, serves the SDK's metrics for Prometheus, and on SIGTERM stops polling, lets the tasks in
// flight finish (up to 30 s for activities), then closes its connections.
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config/load';
import { EnvError, loadEnv, requireEnv } from '../config/env';
import { temporalConnection } from '../config/temporal-connection';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createLogger } from '../logging/logger';
import { activityDeps, smsSettings } from './activity-deps';
import { createJourneysWorker, workerLimits } from './journeys-worker';
import { installRuntime } from './runtime';

async function main(): Promise<void> {
  const env = loadEnv();
  const { DATABASE_URL, SMTP_URL, SIGNING_SECRET } = requireEnv(env, ['DATABASE_URL', 'SMTP_URL', 'SIGNING_SECRET']);
  const config = loadConfig(env.JOURNEYS_CONFIG);
  const log = createLogger('journeys-worker', env.LOG_LEVEL);
  const metricsAddress = env.WORKER_METRICS_PORT ? `0.0.0.0:${env.WORKER_METRICS_PORT}` : undefined;
  installRuntime({ log, metricsAddress });

  const pool = createPool(DATABASE_URL, 20, (err) => log.error({ err }, 'idle PostgreSQL client failed'));
  await migrate(pool);
  const deps = activityDeps({
    pool,
    smtpUrl: SMTP_URL,
    config,
    publicUrl: env.PUBLIC_URL,
    signingSecret: SIGNING_SECRET,
    sms: smsSettings(env),
    webhookSecret: env.WEBHOOK_SECRET,
  });
  const limits = workerLimits(env);
  const connection = await NativeConnection.connect(temporalConnection(env));
  const worker = await createJourneysWorker({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    activities: deps,
    limits,
  });
  log.info(
    {
      temporal: env.TEMPORAL_ADDRESS,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      metricsAddress,
      maxCachedWorkflows: limits.maxCachedWorkflows,
    },
    'worker started',
  );
  await worker.run(); // resolves once SIGINT/SIGTERM has drained the worker
  deps.mailer.close();
  await pool.end();
  await connection.close();
  log.info('worker stopped');
}

main().catch((err) => {
  console.error(err instanceof EnvError ? err.message : err);
  process.exit(1);
});
