import { customer } from '../../src/workflows/customer';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { customerStateQuery, ingestUpdate } from '../../src/shared/signals';
import { StubActivities, track, useWorker } from '../helpers/journeys';
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
    const send = (i: number) =>
      client.workflow.executeUpdateWithStart(ingestUpdate, {
        args: [events[i]],
        updateId: events[i].messageId,
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
        while (next < EVENTS) await send(next++);
      }),
    );
    // Client retries of the last 200 events (same messageIds) change nothing.
    for (let i = EVENTS - 200; i < EVENTS; i++) await send(i);

    const handle = client.workflow.getHandle(workflowId);
    let processed = 0;
    for (let tries = 0; tries < 300 && processed < EVENTS; tries++) {
      processed = (await handle.query(customerStateQuery)).eventsProcessed;
      if (processed < EVENTS) await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 1000)); // any duplicate would have landed by now
    expect((await handle.query(customerStateQuery)).eventsProcessed).toBe(EVENTS);

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
  }, 240_000);
});
