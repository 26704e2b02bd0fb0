import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundle } from '@temporalio/worker';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { journeyWorkflowId } from '../../src/shared/signals';
import { preloadModules, WORKFLOWS_PATH } from '../../src/worker/workflow-code';
import { eventsProcessed, StubActivities, startCustomer, track } from '../helpers/journeys';
import { useDevServerEnv } from '../helpers/temporal';
import { withWorker } from '../helpers/worker';

type History = temporal.api.history.v1.IHistory;
type EventJSON = Record<string, unknown> & { eventId: string; eventType: string };

/**
 * A query that reaches a new customer while its first workflow task waits on a local activity
 * (its configuration) can split that task in history: the server closes it at the local
 * activity's marker and the customer's first steps land in the next task. Seen on the dev server
 * for about 1 in 8 customers queried as they started; replay must take the same path either way,
 * or every worker without the customer in its cache (a restart, a deploy, an eviction) fails each
 * of that customer's tasks from then on (docs/architecture.md, decision 23).
 */
describe('customer workflow: a query during its first task', () => {
  const env = useDevServerEnv();
  let workflowBundle: WorkflowBundle;
  beforeAll(async () => {
    workflowBundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      preloadModules: preloadModules(),
      logger: new DefaultLogger('ERROR'),
    });
  });

  it('replays the history in which the query split the first task', async () => {
    const stub = new StubActivities(env);
    const history = await withWorker(
      env(),
      { workflowsPath: WORKFLOWS_PATH, activities: stub.activities },
      async (tq) => {
        const viewed = track('Product Viewed', { product_id: 'p-1' }, 'c-queried');
        const handle = await startCustomer(env(), tq, 'c-queried', viewed);
        expect(Object.keys((await eventsProcessed(handle, 1)).running)).toEqual([
          journeyWorkflowId('browse-abandonment', 'c-queried'),
        ]);
        return handle.fetchHistory();
      },
    );

    const split = splitAfterFirstLocalActivity(history);
    const types = split.events!.map((e) => e.eventType);
    const { EventType } = temporal.api.enums.v1;
    // The shape the server wrote: the first task ends at the configuration's marker.
    expect(types.slice(0, 10)).toEqual(
      expect.arrayContaining([EventType.EVENT_TYPE_MARKER_RECORDED, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED]),
    );
    const started = types.indexOf(EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED);
    expect(types.lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, started)).toBeGreaterThan(
      types.indexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    );

    await expect(Worker.runReplayHistory({ workflowBundle }, split, 'customer-c-queried')).resolves.toBeUndefined();
  });
});

/**
 * The same history as the server writes it when the first task was split: a workflow task
 * (scheduled, started, completed) inserted after the local activity's marker, the commands after
 * it now that task's, every later event id moved on by three.
 */
function splitAfterFirstLocalActivity(history: History): History {
  const events = JSON.parse(historyToJSON(history)).events as EventJSON[];
  const at = events.findIndex(
    (e) => e.markerRecordedEventAttributes && JSON.stringify(e).includes('core_local_activity'),
  );
  if (at < 0) throw new Error('no local activity marker in the history');
  const splitAt = Number(events[at].eventId); // ids after this one move by 3
  const shift = (value: unknown, key: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => shift(v, key));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shift(v, k)]));
    const isId = key === 'eventId' || key.endsWith('EventId');
    return isId && Number(value) > splitAt ? String(Number(value) + 3) : value;
  };
  const after = events.slice(at + 1).map((e) => shift(e, '') as EventJSON);
  const time = events[at].eventTime;
  const scheduled = splitAt + 1;
  const inserted: EventJSON[] = [
    {
      eventId: String(scheduled),
      eventTime: time,
      eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
      workflowTaskScheduledEventAttributes: {
        taskQueue: firstTaskQueue(events),
        startToCloseTimeout: '10s',
        attempt: 1,
      },
    },
    {
      eventId: String(scheduled + 1),
      eventTime: time,
      eventType: 'EVENT_TYPE_WORKFLOW_TASK_STARTED',
      workflowTaskStartedEventAttributes: { scheduledEventId: String(scheduled), identity: 'test', requestId: 'split' },
    },
    {
      eventId: String(scheduled + 2),
      eventTime: time,
      eventType: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
      workflowTaskCompletedEventAttributes: {
        scheduledEventId: String(scheduled),
        startedEventId: String(scheduled + 1),
        identity: 'test',
      },
    },
  ];
  // The first task's remaining commands now belong to the inserted one.
  const firstCompleted = events
    .slice(0, at)
    .filter((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED')
    .pop()!;
  for (const e of after) {
    for (const attrs of Object.values(e)) {
      if (attrs && typeof attrs === 'object' && 'workflowTaskCompletedEventId' in attrs) {
        const a = attrs as { workflowTaskCompletedEventId: string };
        if (a.workflowTaskCompletedEventId === firstCompleted.eventId)
          a.workflowTaskCompletedEventId = String(scheduled + 2);
      }
    }
  }
  return historyFromJSON({ events: [...events.slice(0, at + 1), ...inserted, ...after] });
}

function firstTaskQueue(events: EventJSON[]): unknown {
  const first = events.find((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED')!;
  return (first.workflowTaskScheduledEventAttributes as { taskQueue: unknown }).taskQueue;
}
