import { eventSignal, journeyStateQuery } from '../../src/shared/signals';
import { engagementProbe } from '../fixtures/dsl-journeys';
import { journeyInput, testConfig, track, useJourneySuite } from '../helpers/journeys';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

// j.waitForOpen / j.waitForClick, with the journey signalled as the customer workflow forwards
// opens and clicks (their properties as the tracking links make them: src/api/tracking-events.ts).
describe('engagement branches: waitForOpen and waitForClick', () => {
  const { env, stub, taskQueue } = useJourneySuite(require.resolve('../fixtures/dsl-journeys'));

  /** Starts the probe; its `news` email goes out with outbox id `emailId` (none: an outcome from before ids). */
  const start = async (customerId: string, props: Record<string, unknown> = {}, emailId: string | null = 'e-1') => {
    if (emailId) stub.policy = (req) => (req.step === 'news' ? { status: 'sent', emailId } : undefined);
    const trigger = track('Probe', props, customerId);
    const input = journeyInput('probe', 'leadNurture', { trigger, config: testConfig() });
    const startedAt = await env().currentTimeMs();
    const handle = await env().client.workflow.start(engagementProbe, {
      args: [input],
      taskQueue: taskQueue(),
      workflowId: `engagement-${customerId}`,
    });
    return { handle, startedAt };
  };
  /** An open or click of email `emailId`, as the tracking link reports it. */
  const engagement = (
    customerId: string,
    event: 'Email Opened' | 'Email Link Clicked',
    props: Record<string, unknown> = {},
  ) => track(event, { email_id: 'e-1', campaign_name: 'probe', step: 'news', variant: null, ...props }, customerId);
  /** The steps the probe sent after `news`, with when (ms after the start). */
  const answer = async (handle: Awaited<ReturnType<typeof start>>['handle'], startedAt: number) => {
    const result = await handle.result();
    const last = result.sent.at(-1)!;
    return { step: last.step, after: Date.parse(last.at) - startedAt };
  };

  it('answers true as soon as the customer opens the email, and shows what it waits for meanwhile', async () => {
    const { handle, startedAt } = await start('o-1');
    await env().sleep('1 hour');
    expect(await handle.query(journeyStateQuery)).toMatchObject({
      step: 'waiting for an open of news',
      nextWakeAt: expect.any(String),
      running: true,
    });
    // The Web UI's filter column, and the email's id kept with its step.
    expect((await handle.describe()).searchAttributes.JourneyStep).toEqual(['waiting for an open of news']);
    const { currentDetails } = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
    expect(currentDetails).toMatch(
      /^\*\*probe\*\* · step `waiting for an open of news` · waiting until \S+ for an open$/,
    );
    expect((await handle.query(journeyStateQuery)).sent).toEqual([
      expect.objectContaining({ step: 'news', status: 'sent', emailId: 'e-1' }),
    ]);
    await env().sleep('1 day');
    await handle.signal(eventSignal, engagement('o-1', 'Email Opened'));
    const { step, after } = await answer(handle, startedAt);
    expect(step).toBe('opened');
    expect(after).toBeGreaterThanOrEqual(DAY);
    expect(after).toBeLessThan(DAY + 2 * HOUR);
  });

  it('answers false after `within` without an open', async () => {
    const { handle, startedAt } = await start('o-2');
    const { step, after } = await answer(handle, startedAt);
    expect(step).toBe('not-opened');
    expect(after).toBeGreaterThanOrEqual(3 * DAY);
    expect(after).toBeLessThan(3 * DAY + HOUR);
  });

  it('counts an open that arrived before the call, since the send', async () => {
    const { handle, startedAt } = await start('o-3', { delay: '1 day' });
    await env().sleep('1 hour');
    await handle.signal(eventSignal, engagement('o-3', 'Email Opened'));
    const { step, after } = await answer(handle, startedAt);
    expect(step).toBe('opened');
    expect(after).toBeLessThan(DAY + HOUR); // at once when the wait began
  });

  it("does not count a machine's open (Apple's privacy proxy) unless asked to", async () => {
    const { handle } = await start('o-4');
    await handle.signal(eventSignal, engagement('o-4', 'Email Opened', { machine: 'privacy-proxy' }));
    expect((await answer(handle, 0)).step).toBe('not-opened');

    const counting = await start('o-5', { countMachine: true });
    await counting.handle.signal(eventSignal, engagement('o-5', 'Email Opened', { machine: 'privacy-proxy' }));
    expect((await answer(counting.handle, counting.startedAt)).step).toBe('opened');
  });

  it("counts only this email's opens: not another email's, not another step's", async () => {
    const { handle } = await start('o-6');
    await handle.signal(eventSignal, engagement('o-6', 'Email Opened', { email_id: 'e-999' }));
    await handle.signal(eventSignal, engagement('o-6', 'Email Opened', { email_id: undefined, step: 'other' }));
    expect((await answer(handle, 0)).step).toBe('not-opened');
  });

  it("matches by journey and step when the send's outcome names no email (from before ids)", async () => {
    const { handle } = await start('o-7', {}, null);
    await handle.signal(eventSignal, engagement('o-7', 'Email Opened', { campaign_name: 'another-journey' }));
    await env().sleep('1 day');
    expect(await handle.query(journeyStateQuery)).toMatchObject({ step: 'waiting for an open of news' });
    await handle.signal(eventSignal, engagement('o-7', 'Email Opened', { email_id: '12' }));
    expect((await answer(handle, 0)).step).toBe('opened');
  });

  it('waitForClick: an open is not a click; a click is, and also proves the open', async () => {
    const clicks = await start('c-1', { kind: 'click' });
    await clicks.handle.signal(eventSignal, engagement('c-1', 'Email Opened'));
    await env().sleep('1 day');
    expect(await clicks.handle.query(journeyStateQuery)).toMatchObject({ step: 'waiting for a click of news' });
    await clicks.handle.signal(eventSignal, engagement('c-1', 'Email Link Clicked', { url: 'https://shop.example/' }));
    expect((await answer(clicks.handle, 0)).step).toBe('clicked');

    // A scanner's click is no click.
    const scanned = await start('c-2', { kind: 'click' });
    await scanned.handle.signal(eventSignal, engagement('c-2', 'Email Link Clicked', { machine: 'scanner' }));
    expect((await answer(scanned.handle, 0)).step).toBe('not-clicked');

    const opens = await start('c-3');
    await opens.handle.signal(eventSignal, engagement('c-3', 'Email Link Clicked', { url: 'https://shop.example/' }));
    expect((await answer(opens.handle, 0)).step).toBe('opened');
  });

  it('answers false at once, without waiting, for a step that sent no email', async () => {
    stub.policy = (req) => (req.step === 'news' ? { status: 'suppressed', reason: 'unsubscribed' } : undefined);
    const trigger = track('Probe', {}, 'o-8');
    const startedAt = await env().currentTimeMs();
    const result = await env().client.workflow.execute(engagementProbe, {
      args: [journeyInput('probe', 'leadNurture', { trigger, config: testConfig() })],
      taskQueue: taskQueue(),
      workflowId: 'engagement-o-8',
    });
    expect(result.sent.map((s) => [s.step, s.status])).toEqual([
      ['news', 'suppressed'],
      ['not-opened', 'sent'],
    ]);
    expect(Date.parse(result.sent[1].at) - startedAt).toBeLessThan(HOUR);

    // A step the journey never reached is no email either.
    const never = await start('o-9', { step: 'never-sent' });
    const { step, after } = await answer(never.handle, never.startedAt);
    expect(step).toBe('not-opened');
    expect(after).toBeLessThan(HOUR);
  });
});
