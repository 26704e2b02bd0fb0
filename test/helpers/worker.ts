import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, makeTelemetryFilterString, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { TASK_QUEUE } from '../../src/config/task-queue';
import { stopBeforeTeardown } from './temporal';

// Keep test output to errors: the SDK and its core log worker state changes and expected warnings.
Runtime.install({
  logger: new DefaultLogger(process.env.TEST_LOG_LEVEL === 'WARN' ? 'WARN' : 'ERROR'),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
});

export type TestWorkerOptions = Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle' | 'activities'> & {
  taskQueue?: string;
};

/** Runs a worker on a fresh task queue for the duration of `fn`, then shuts it down. */
export async function withWorker<T>(
  env: TestWorkflowEnvironment,
  opts: TestWorkerOptions,
  fn: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = opts.taskQueue ?? `test-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, ...opts, taskQueue });
  return worker.runUntil(fn(taskQueue));
}

/**
 * The product's worker for a whole suite: every workflow, on the real task queue, with `activities`;
 * shut down (then `cleanUp`) before the suite's Temporal server goes.
 */
export async function runProductWorker(
  env: TestWorkflowEnvironment,
  activities: WorkerOptions['activities'],
  cleanUp: () => Promise<unknown> | void = () => undefined,
): Promise<void> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowsPath: require.resolve('../../src/workflows'),
    activities,
  });
  const running = worker.run();
  stopBeforeTeardown(async () => {
    worker.shutdown();
    await running;
    await cleanUp();
  });
}
