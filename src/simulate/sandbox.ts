import crypto from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { Pool } from 'pg';
import { createActivities } from '../activities';
import { createApp } from '../api/app';
import type { JourneysConfig } from '../config/schema';
import { TASK_QUEUE } from '../config/task-queue';
import { migrate } from '../db/migrate';
import { cacheDir } from '../dev/cache-dir';
import { startEmbeddedPostgres } from '../dev/embedded-postgres';
import { Stack } from '../dev/lifecycle';
import { startTimeSkippingEnvironment } from '../dev/own-server-environment';
import { executableFor } from '../dev/server-binary';
import { ensureTestServer } from '../dev/test-server';
import { Dispatcher } from '../dispatcher/dispatcher';
import { nearbyStoreRule } from '../journeys/nearby-store/config';
import { createRenderer } from '../templates/renderer';
import { registerSearchAttributes } from '../worker/search-attributes';
import { preloadModules, WORKFLOWS_PATH } from '../worker/workflow-code';
import { Capture } from './capture';

/** The keys the simulator's calls are sent with: events with a write key, the catalogue with an admin key. */
export const SIMULATION_KEY = 'simulation';
export const SIMULATION_ADMIN_KEY = 'simulation-admin';
const PUBLIC_URL = 'https://journeys.example';

/**
 * The whole product, private to one simulation: a PostgreSQL of its own (a throwaway folder), a
 * time-skipping Temporal server, the API and the dispatcher events take in production, and a
 * worker running the real workflows and activities on capturing channels.
 */
export interface Sandbox {
  env: TestWorkflowEnvironment;
  pool: Pool;
  apiUrl: string;
  capture: Capture;
  /** Stops everything, last started first; the data folder goes too. */
  stop(): Promise<void>;
}

export async function startSandbox(config: JourneysConfig, log: (line: string) => void): Promise<Sandbox> {
  const stack = new Stack();
  try {
    const [postgres, env, workflowBundle] = await Promise.all([
      startEmbeddedPostgres({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'journeys-sim-')), persistent: false }),
      ensureTestServer(log).then((binary) => startTimeSkippingEnvironment({ executable: executableFor(binary) })),
      cachedBundle(log),
    ]);
    stack.push('PostgreSQL', () => postgres.stop());
    stack.push('Temporal', () => env.teardown());
    const pool = new Pool({ connectionString: postgres.url, max: 8 });
    stack.push('the pool', () => pool.end());
    await Promise.all([migrate(pool), registerSearchAttributes(env.connection, env.namespace ?? 'default')]);

    const capture = new Capture();
    const activities = createActivities({
      pool,
      mailer: capture.mailer,
      clock: capture.clock,
      config: () => config,
      renderer: createRenderer({ defaultLocale: config.messaging.defaultLocale }),
      links: { publicUrl: PUBLIC_URL, signingSecret: 'simulation' },
      sms: capture.sms,
      webhookSecret: 'whsec_c2ltdWxhdGlvbi1zZWNyZXQtZm9yLXdlYmhvb2tz',
      fetch: capture.fetch,
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace,
      taskQueue: TASK_QUEUE,
      workflowBundle,
      activities: capture.wrap(activities, async () => Number(await env.currentTimeMs())),
    });
    const running = worker.run();
    stack.push('the worker', async () => {
      worker.shutdown();
      await running;
    });

    const app = createApp({
      pool,
      temporal: env.client,
      apiKeys: [SIMULATION_KEY],
      adminKeys: [SIMULATION_ADMIN_KEY],
      signingSecret: 'simulation',
      publicUrl: PUBLIC_URL,
      rateLimitPerMinute: 0,
      segments: () => config.segments,
      clock: capture.clock,
    });
    // A timeline's open or click may play someone else's address (Apple's privacy proxy), as a proxy in front would say it.
    app.set('trust proxy', 'loopback');
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    stack.push('the API', () => new Promise((resolve) => server.close(resolve)));
    const dispatcher = new Dispatcher({
      pool,
      temporal: env.client,
      listenUrl: postgres.url,
      pollMs: 200,
      nearbyStore: nearbyStoreRule(config.journeys.nearbyStore),
    });
    dispatcher.start();
    stack.push('the dispatcher', () => dispatcher.stop());

    const { port } = server.address() as AddressInfo;
    return { env, pool, apiUrl: `http://127.0.0.1:${port}`, capture, stop: async () => void (await stack.unwind()) };
  } catch (err) {
    await stack.unwind();
    throw err;
  }
}

/**
 * The workflow bundle, built once per version of the source: bundling takes seconds, and a
 * developer simulates again and again between edits.
 */
async function cachedBundle(log: (line: string) => void): Promise<{ code: string }> {
  const src = path.resolve(__dirname, '..');
  const hash = crypto.createHash('sha256');
  for (const file of sourceFiles(src)) hash.update(file).update(fs.readFileSync(file));
  const file = path.join(cacheDir(), 'simulate', `workflows-${hash.digest('hex').slice(0, 16)}.js`);
  if (fs.existsSync(file)) return { code: fs.readFileSync(file, 'utf8') };
  log('Bundling the workflows (once for this version of the code)...');
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    preloadModules: preloadModules(),
    logger: new DefaultLogger('WARN'),
  });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, code);
  fs.renameSync(`${file}.tmp`, file);
  return { code };
}

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}
