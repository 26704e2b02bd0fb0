import { storeEvents } from '../../src/db/events';
import { deliverEvents } from '../../src/dispatcher/deliver';
import { customerStateQuery } from '../../src/shared/signals';
import { useApiBackends } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { identify, track } from '../helpers/journeys';

const EVENTS = 5000;

describe('customer workflow under load (dev server)', () => {
  // One event a signal: the worst case for the workflow (no coalescing), and the most signals
  // arriving while it continues as new.
  const { env, db, delivered } = useApiBackends({ batchSize: 1 });

  it(`takes ${EVENTS} events, keeps every run under 2,000 history events and loses none`, async () => {
    const { client } = env();
    const workflowId = 'customer-c-load';
    const events = Array.from({ length: EVENTS }, (_, i) => track('Page Viewed', { i }, 'c-load'));
    // Accepted as the API accepts batches, while the dispatcher already delivers.
    for (let i = 0; i < EVENTS; i += 100) await storeEvents(db.pool(), events.slice(i, i + 100));
    // A dispatcher that crashed before marking them delivered sends the last 200 again: nothing changes.
    await delivered(480); // 5,000 signals one at a time: minutes on a busy machine
    await deliverEvents(client, 'c-load', events.slice(EVENTS - 200), 10_000);

    // Events are worked through in order: once one last event is processed (it sets the time zone),
    // every event before it is, and a duplicate counted would show.
    await storeEvents(db.pool(), [identify({ timezone: 'Europe/Oslo' }, 'c-load')]);
    const handle = client.workflow.getHandle(workflowId);
    const state = await eventually(
      async () => {
        const s = await handle.query(customerStateQuery);
        return s.profile.timezone === 'Europe/Oslo' && s;
      },
      'the last event to be processed',
      300,
    );
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
  }, 900_000); // thousands of signals: minutes on a busy machine
});
