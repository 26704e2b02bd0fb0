// npm start: the whole product on embedded defaults, for a developer's machine.
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { TASK_QUEUE } from '../worker/task-queue';
import { startDevServer } from './temporal-dev-server';

const DATA_DIR = path.resolve(process.env.JOURNEYS_DATA_DIR || '.data');

async function main(): Promise<void> {
  console.log('Starting the Temporal dev server...');
  const temporal = await startDevServer({ dataDir: DATA_DIR, port: 7233, uiPort: 8233 }, console.log);
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowsPath: require.resolve('../workflows'),
  });
  console.log(`
Journeys is running.
  Temporal Web UI   http://127.0.0.1:8233
  Temporal address  127.0.0.1:7233 (task queue "${TASK_QUEUE}")
Press Ctrl-C to stop.`);
  // Worker.run() shuts down on SIGINT/SIGTERM by itself; the server goes down after it.
  await worker.run();
  await temporal.teardown();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
