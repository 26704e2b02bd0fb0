import { tsToMs } from '@temporalio/common/lib/time';
import { reengagement } from '../../src/journeys/re-engagement/journey';
import { eventSignal, journeyStateQuery } from '../../src/shared/signals';
import { journeyInput, testConfig, track, useJourneySuite } from '../helpers/journeys';
import { recordHistory } from '../helpers/histories';
import { eventually } from '../helpers/eventually';

const DAY = 24 * 3600_000;
// The run that took the flood of opens works through them all before it continues as new: seconds
// on an idle machine, minutes on a very busy one.
const CONTINUE_AS_NEW_S = 300;

describe('re-engagement journey', () => {
  const { env, stub, taskQueue } = useJourneySuite(require.resolve('../../src/journeys/re-engagement/journey'));

  const start = async (customerId: string, config = testConfig()) => {
    const trigger = track('Signed Up', {}, customerId);
    const input = journeyInput('re-engagement', 'reengagement', { trigger, config });
    const startedAt = await env().currentTimeMs();
    const handle = await env().client.workflow.start(reengagement, {
      args: [input],
      taskQueue: taskQueue(),
      workflowId: `journey-re-engagement-${customerId}`,
    });
    return { handle, startedAt };
  };
  const now = async (): Promise<number> => env().currentTimeMs();
  /** The customer does `event` now: stored as the API stores it, not forwarded to the journey. */
  const act = async (customerId: string, event: string): Promise<number> => {
    const at = await now();
    stub.recorded.push({ customerId, event, at: new Date(at) });
    return at;
  };
  const steps = (customerId: string) => stub.emailsTo(customerId).map((e) => e.step);

  it('checks in after 90 silent days, offers a win-back 30 days later, sunsets 30 days after that', async () => {
    const { handle, startedAt } = await start('re-a');
    const result = await handle.result();
    await recordHistory(handle, 're-engagement');

    expect(result.outcome).toBe('completed');
    const emails = stub.emailsTo('re-a');
    expect(emails.map((e) => [e.step, e.template, e.data])).toEqual([
      ['check-in-1', 'reengagement-check-in', { preferences: ['pause', 'fewer'] }],
      ['win-back-1', 'win-back', { offer: { code: 'MISSYOU20', percentOff: 20 } }],
    ]);
    expect(emails[0].at.getTime() - startedAt).toBeGreaterThanOrEqual(90 * DAY);
    expect(emails[0].at.getTime() - startedAt).toBeLessThan(91 * DAY);
    expect(emails[1].at.getTime() - emails[0].at.getTime()).toBeGreaterThanOrEqual(30 * DAY);
    expect(emails[1].at.getTime() - emails[0].at.getTime()).toBeLessThan(31 * DAY);
    expect(emails.every((e) => !e.transactional)).toBe(true);

    expect(stub.groups).toEqual([{ customerId: 're-a', add: ['sunset'], remove: [] }]);
    expect(stub.consent).toEqual([{ customerId: 're-a', subscribed: false, reason: 'sunset' }]);
    const sunsetAt = (await handle.describe()).closeTime!.getTime();
    expect(sunsetAt - emails[1].at.getTime()).toBeGreaterThanOrEqual(30 * DAY);
    expect(sunsetAt - emails[1].at.getTime()).toBeLessThan(31 * DAY);
  });

  // Stored (today's customer workflows forward it no sign of life), or forwarded (theirs from before).
  it.each([
    ['stored', (customerId: string) => act(customerId, 'Email Opened')],
    [
      'forwarded by a customer workflow from before the lookup',
      async (customerId: string) => {
        const at = await now();
        await env()
          .client.workflow.getHandle(`journey-re-engagement-${customerId}`)
          .signal(eventSignal, track('Email Opened', { template: 'newsletter' }, customerId));
        return at;
      },
    ],
  ])('restarts the silence clock on an open during the silence (%s)', async (how, open) => {
    const customerId = how === 'stored' ? 're-b' : 're-i';
    const { handle } = await start(customerId);
    await env().sleep('60 days');
    const openedAt = await open(customerId);
    await env().sleep('60 days'); // 120 days after the start, 60 after the open
    expect(steps(customerId)).toEqual([]);

    await env().sleep('31 days');
    const emails = stub.emailsTo(customerId);
    expect(emails.map((e) => e.step)).toEqual(['check-in-1']);
    expect(emails[0].at.getTime() - openedAt).toBeGreaterThanOrEqual(90 * DAY);
    expect(emails[0].at.getTime() - openedAt).toBeLessThan(91 * DAY);
    await handle.terminate('test done');
  });

  it('starts over on a click after the check-in: no win-back, the next check-in 90 days later', async () => {
    const { handle } = await start('re-c');
    await env().sleep('95 days');
    expect(steps('re-c')).toEqual(['check-in-1']);
    const clickedAt = await act('re-c', 'Email Link Clicked');

    await env().sleep('60 days'); // past when the win-back was due
    expect(steps('re-c')).toEqual(['check-in-1']);
    await env().sleep('31 days');
    const emails = stub.emailsTo('re-c');
    expect(emails.map((e) => [e.step, e.template])).toEqual([
      ['check-in-1', 'reengagement-check-in'],
      ['check-in-2', 'reengagement-check-in'],
    ]);
    expect(emails[1].at.getTime() - clickedAt).toBeGreaterThanOrEqual(90 * DAY);
    expect(emails[1].at.getTime() - clickedAt).toBeLessThan(91 * DAY);
    expect(await handle.query(journeyStateQuery)).toMatchObject({ step: 'after check-in-2', running: true });
    await handle.terminate('test done');
  });

  it('takes a preference update as the answer to the check-in', async () => {
    const { handle } = await start('re-d');
    await env().sleep('91 days');
    await act('re-d', 'Email Preference Updated');
    await env().sleep('45 days');
    expect(steps('re-d')).toEqual(['check-in-1']);
    expect(await handle.query(journeyStateQuery)).toMatchObject({ step: 'silence', running: true });
    await handle.terminate('test done');
  });

  it('does not sunset a customer who orders after the win-back', async () => {
    const { handle } = await start('re-e');
    await env().sleep('125 days');
    expect(steps('re-e')).toEqual(['check-in-1', 'win-back-1']);
    await act('re-e', 'Order Completed');
    await env().sleep('60 days');
    expect(stub.groups).toEqual([]);
    expect(stub.consent).toEqual([]);
    expect(await handle.query(journeyStateQuery)).toMatchObject({ step: 'silence', running: true });
    await handle.terminate('test done');
  });

  it('sends the holdout nothing and does not sunset it', async () => {
    const config = testConfig({ journeys: { reengagement: { holdoutShare: 1 } } });
    const { handle } = await start('re-f', config);
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'completed', holdout: true });
    expect(result.sent.map((s) => [s.step, s.status])).toEqual([
      ['check-in-1', 'holdout'],
      ['win-back-1', 'holdout'],
    ]);
    expect(stub.emailsTo('re-f')).toEqual([]);
    expect(stub.groups).toEqual([]);
    expect(stub.consent).toEqual([]);
  });

  it('continues as new when a busy customer grows the history, and keeps numbering its check-ins', async () => {
    const { handle } = await start('re-g');
    await env().sleep('91 days');
    expect(steps('re-g')).toEqual(['check-in-1']);

    // Opens every few seconds for months, compressed: the history passes the journey's limit...
    let opens = 0;
    while ((await handle.describe()).historyLength <= 1600 && opens < 5000) {
      for (let i = 0; i < 50; i++, opens++) {
        await handle.signal(eventSignal, track('Email Opened', { n: opens }, 're-g'));
      }
    }
    // ...so the journey continues as new (once the flood stops and its next task can complete), and
    // the new run keeps the clock: it started at the last open the first run took.
    await eventually(
      async () => ((await handle.describe()).runId === handle.firstExecutionRunId ? undefined : true),
      'the journey to continue as new',
      CONTINUE_AS_NEW_S,
    );
    const firstRun = await env()
      .client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId)
      .fetchHistory();
    const lastOpen = firstRun.events!.filter((e) => e.workflowExecutionSignaledEventAttributes).at(-1)!;
    const silenceFrom = tsToMs(lastOpen.eventTime);

    await env().sleep('91 days');
    const emails = stub.emailsTo('re-g');
    expect(emails.map((e) => e.step)).toEqual(['check-in-1', 'check-in-2']);
    expect(emails[1].at.getTime() - silenceFrom).toBeGreaterThanOrEqual(90 * DAY);
    expect(emails[1].at.getTime() - silenceFrom).toBeLessThan(91 * DAY);
    await handle.terminate('test done');
  }, 600_000);
});
