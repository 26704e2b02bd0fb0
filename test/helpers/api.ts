import { TASK_QUEUE } from '../../src/config/task-queue';
import { backlog } from '../../src/db/dispatch';
import { Dispatcher, type DispatcherOptions } from '../../src/dispatcher/dispatcher';
import { customerStateQuery, customerWorkflowId } from '../../src/shared/signals';
import { eventually } from './eventually';
import { StubActivities, useWorker } from './journeys';
import { useMigratedPostgres } from './postgres';
import { stopBeforeTeardown, useDevServerEnv } from './temporal';

/**
 * What the API talks to, for one suite: a dev server, a migrated database, a worker on the
 * production task queue running every workflow with stubbed activities, and a dispatcher
 * delivering what the API stores (as in `npm start` and the production API). `delivered()` waits
 * until everything stored so far has reached its workflow, `processed()` until a workflow has
 * handled a number of events.
 */
export function useApiBackends(dispatcherOptions: Partial<DispatcherOptions> = {}) {
  const env = useDevServerEnv();
  const db = useMigratedPostgres();
  const stub = new StubActivities(env);
  useWorker(env, {
    workflowsPath: require.resolve('../../src/workflows'),
    activities: () => stub.activities,
    taskQueue: TASK_QUEUE,
  });
  const dispatcher = useDispatcher(
    () => ({ pool: db.pool(), temporal: env().client, listenUrl: db.url() }),
    dispatcherOptions,
  );
  const delivered = (seconds?: number) =>
    eventually(async () => (await backlog(db.pool())).pending === 0, 'every stored event delivered', seconds);
  /** The customer's state once its workflow has processed `count` events (delivered is not yet processed). */
  const processed = (customerId: string, count: number) =>
    eventually(async () => {
      const state = await env()
        .client.workflow.getHandle(customerWorkflowId(customerId))
        .query(customerStateQuery)
        .catch(() => undefined);
      return state?.eventsProcessed === count && state;
    }, `customer ${customerId} to have processed ${count} events`);
  return { env, db, stub, dispatcher, delivered, processed };
}

/** A dispatcher for the suite, started before its tests and stopped after them. */
export function useDispatcher(
  backends: () => Pick<DispatcherOptions, 'pool' | 'temporal' | 'listenUrl'>,
  options: Partial<DispatcherOptions> = {},
): () => Dispatcher {
  let dispatcher: Dispatcher | undefined;
  beforeAll(() => {
    // Quick retries: a test that stops a backend waits half a second for delivery, not five.
    dispatcher = new Dispatcher({ pollMs: 200, retryAfterMs: 500, retireAfterMs: 500, ...backends(), ...options });
    dispatcher.start();
  });
  // Before the suite's Temporal server goes, where it has one; after the suite in any case.
  const stop = async () => {
    await dispatcher?.stop();
  };
  stopBeforeTeardown(stop);
  afterAll(stop);
  return () => dispatcher ?? fail();
}

function fail(): never {
  throw new Error('useDispatcher: the dispatcher exists only once beforeAll has run');
}
