import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { createApp } from '../../src/api/app';
import { loadConfig } from '../../src/config/load';
import { migrate } from '../../src/db/migrate';
import { createPool } from '../../src/db/pool';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres';
import { freePort } from '../../src/dev/free-port';
import { startDevServer } from '../../src/dev/temporal-dev-server';
import { activityDeps } from '../../src/worker/activity-deps';
import { createJourneysWorker } from '../../src/worker/journeys-worker';

export const WRITE_KEY = 'bench-write-key';

/** Every part on loopback, in a temporary folder: dev server, PostgreSQL, an SMTP sink, worker, API. */
export async function startStack(onMail: (to: string) => void) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journeys-bench-'));
  fs.chmodSync(dir, 0o755); // as root, PostgreSQL runs as its own user and must reach its folder
  const temporal = await startDevServer({ dataDir: dir, port: await freePort(), uiPort: await freePort() }, () => {});
  const postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), persistent: false });
  const pool = createPool(postgres.url, 20);
  await migrate(pool);
  const smtp = new SMTPServer({
    authOptional: true,
    hideSTARTTLS: true,
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        for (const r of session.envelope.rcptTo) onMail(r.address);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  const config = loadConfig(path.join(__dirname, '..', '..', 'config', 'dev.json'));
  const deps = activityDeps({ pool, smtpUrl, config, publicUrl: 'http://127.0.0.1', signingSecret: 'x'.repeat(32) });
  const worker = await createJourneysWorker({
    connection: temporal.nativeConnection,
    namespace: 'default',
    taskQueue: 'journeys',
    activities: deps,
  });
  const running = worker.run();
  const app = createApp({
    pool,
    temporal: temporal.client,
    apiKeys: [WRITE_KEY],
    adminKeys: [],
    signingSecret: 'x'.repeat(32),
    rateLimitPerMinute: 0,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl,
    pool,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      worker.shutdown();
      await running;
      deps.mailer.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await pool.end();
      await postgres.stop();
      await temporal.teardown();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
