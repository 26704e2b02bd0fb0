import { TASK_QUEUE } from '../../src/worker/task-queue';
import { StubActivities, useWorker } from './journeys';
import { useMigratedPostgres } from './postgres';
import { useDevServerEnv } from './temporal';

/**
 * What the API talks to, for one suite: a dev server, a migrated database, and a worker on the
 * production task queue running every workflow with stubbed activities.
 */
export function useApiBackends() {
  const env = useDevServerEnv();
  const db = useMigratedPostgres();
  const stub = new StubActivities(env);
  useWorker(env, {
    workflowsPath: require.resolve('../../src/workflows'),
    activities: () => stub.activities,
    taskQueue: TASK_QUEUE,
  });
  return { env, db, stub };
}
