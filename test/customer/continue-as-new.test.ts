import { customer } from '../../src/workflows/customer';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { customerStateQuery, ingestUpdate } from '../../src/shared/signals';
import type { CustomerEvent } from '../../src/shared/events';
import { eventually } from '../helpers/eventually';
import { identify, StubActivities, track, useWorker } from '../helpers/journeys';
import { useDevServerEnv } from '../helpers/temporal';

const EVENTS = 5000;
const CONCURRENCY = 8;

describe('customer workflow under load (dev server)', () => {
  const env = useDevServerEnv();
  const stub = new StubActivities(env);
  const taskQueue = useWorker(env, {
    workflowsPath: require.resolve('../../src/workflows'),
    activities: () => stub.activities,
  });

  it(`takes ${EVENTS} events, keeps every run under 2,000 history events and loses none`, async () => {
    const { client } = env();
    const workflowId = 'customer-c-load';
    const events = Array.from({ length: EVENTS }, (_, i) => track('Page Viewed', { i }, 'c-load'));
    const send = (event: CustomerEvent) =>
      client.workflow.executeUpdateWithStart(ingestUpdate, {
        args: [event],
        updateId: event.messageId,
        startWorkflowOperation: new WithStartWorkflowOperation(customer, {
          workflowId,
          taskQueue: taskQueue(),
          args: [{ customerId: 'c-load' }],
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      });
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < EVENTS) await send(events[next++]);
      }),
    );
    // Client retries of the last 200 events (same messageIds) change nothing.
    for (let i = EVENTS - 200; i < EVENTS; i++) await send(events[i]);

    // An update returns once the workflow has queued its event (or found it a duplicate); the queue
    // is worked through in order. So once one last event, sent after them all, is processed (it sets
    // the time zone), every event before it is, and a duplicate counted would show.
    await send(identify({ timezone: 'Europe/Oslo' }, 'c-load'));
    const handle = client.workflow.getHandle(workflowId);
    const state = await eventually(async () => {
      const s = await handle.query(customerStateQuery);
      return s.profile.timezone === 'Europe/Oslo' && s;
    }, 'the last event to be processed');
    expect(state.eventsProcessed).toBe(EVENTS + 1);

    const runs: { runId: string; historyLength: number; status: string }[] = [];
    for await (const run of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
      runs.push({ runId: run.runId, historyLength: run.historyLength, status: run.status.name });
    }
    // Closed runs report their final length; the running one its length so far.
    for (const run of runs.filter((r) => r.status === 'RUNNING')) {
      run.historyLength = (await client.workflow.getHandle(workflowId, run.runId).fetchHistory()).events!.length;
    }
    console.log(
      `${EVENTS} events: ${runs.length} runs, history lengths ${runs.map((r) => r.historyLength).join(', ')}`,
    );
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.filter((r) => r.status === 'CONTINUED_AS_NEW').length).toBe(runs.length - 1);
    for (const run of runs) expect(run.historyLength).toBeLessThan(2000);
    await handle.terminate();
  }, 600_000); // thousands of updates: minutes on a busy machine
});
