import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { Env } from '../config/env';
import { cachedWorkflowsFor } from './cache-size';
import { registerSearchAttributes } from './search-attributes';
import { workflowCode } from './workflow-code';

export interface WorkerLimits {
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentWorkflowTaskExecutions: number;
  /** Workflows kept in memory between tasks (sticky cache); 0 replays every task from history. */
  maxCachedWorkflows: number;
}

/** The limits the environment sets: concurrency, and the sticky cache sized by memory unless a count is given. */
export function workerLimits(env: Env): WorkerLimits {
  return {
    maxConcurrentActivityTaskExecutions: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS ?? cachedWorkflowsFor(env.WORKER_CACHE_MIB),
  };
}

export interface JourneysWorkerSettings {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: ActivityDeps;
  limits?: Partial<WorkerLimits>;
  /** How long in-flight activities may run on after SIGTERM before they are cancelled. */
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
}

/** The Journeys worker: every workflow and activity, our search attributes registered first. */
export async function createJourneysWorker(settings: JourneysWorkerSettings): Promise<Worker> {
  await registerSearchAttributes(settings.connection, settings.namespace);
  return Worker.create({
    connection: settings.connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    ...workflowCode(),
    activities: createActivities(settings.activities),
    ...settings.limits,
    shutdownGraceTime: settings.shutdownGraceTime ?? '30s',
  });
}
