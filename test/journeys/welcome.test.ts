import { welcome, welcomeJourney } from '../../src/journeys/welcome/journey';
import { eventSignal, journeyStateQuery } from '../../src/shared/signals';
import { journeyInput, testConfig, track, useJourneySuite } from '../helpers/journeys';
import { recordHistory } from '../helpers/histories';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** The stub reads the server's clock as each send runs, a few milliseconds into it: gaps may be that short. */
const SLACK = 1000;

describe('welcome journey', () => {
  const { env, stub, taskQueue } = useJourneySuite(require.resolve('../../src/journeys/welcome/journey'));

  const start = async (customerId: string, config = testConfig()) => {
    const input = journeyInput('welcome', 'welcome', { trigger: track('Signed Up', {}, customerId), config });
    const startedAt = await env().currentTimeMs();
    const handle = await env().client.workflow.start(welcome, {
      args: [input],
      taskQueue: taskQueue(),
      workflowId: `journey-welcome-${customerId}`,
    });
    return { handle, startedAt };
  };
  const confirm = (customerId: string) => track('Email Confirmed', {}, customerId);
  const steps = (customerId: string) => stub.emailsTo(customerId).map((e) => e.step);
  /** Milliseconds from `startedAt` to when each email went out, by step. */
  const timeline = (customerId: string, startedAt: number) =>
    Object.fromEntries(stub.emailsTo(customerId).map((e) => [e.step, e.at.getTime() - startedAt]));

  it('asks for no confirmation when the shop turned double opt-in off: it welcomes at once', async () => {
    const { handle, startedAt } = await start(
      'w-noi',
      testConfig({ messaging: { doubleOptIn: false, quietHours: null } }),
    );
    expect((await handle.result()).outcome).toBe('completed');
    expect(steps('w-noi')).toEqual(['welcome', 'best-content', 'welcome-resend', 'complete-profile']);
    expect(timeline('w-noi', startedAt).welcome).toBeLessThan(HOUR);
  });

  it('confirms at once, then welcomes with the incentive, best content 2 days later, the welcome again unopened 3 days later, profile 7 days later', async () => {
    const { handle, startedAt } = await start('w-a');
    await env().sleep('1 hour');
    expect(steps('w-a')).toEqual(['confirm']);
    await handle.signal(eventSignal, confirm('w-a'));
    const result = await handle.result();

    expect(result.outcome).toBe('completed');
    const emails = stub.emailsTo('w-a');
    expect(emails.map((e) => [e.step, e.template, e.transactional])).toEqual([
      ['confirm', 'welcome-confirm', true],
      ['welcome', 'welcome', false],
      ['best-content', 'welcome-best-content', false],
      ['welcome-resend', 'welcome-resend', false],
      ['complete-profile', 'welcome-complete-profile', false],
    ]);
    expect(emails[1].data.incentive).toEqual({ code: 'WELCOME10', percentOff: 10 });
    expect(emails[3].data.incentive).toEqual({ code: 'WELCOME10', percentOff: 10 }); // the same gift
    const t = timeline('w-a', startedAt);
    expect(t.confirm).toBeLessThan(HOUR);
    expect(t.welcome).toBeGreaterThanOrEqual(HOUR);
    expect(t.welcome).toBeLessThan(2 * HOUR);
    expect(t['best-content'] - t.welcome).toBeGreaterThanOrEqual(2 * DAY - SLACK);
    expect(t['best-content'] - t.welcome).toBeLessThan(2 * DAY + HOUR);
    expect(t['welcome-resend'] - t.welcome).toBeGreaterThanOrEqual(3 * DAY - SLACK);
    expect(t['welcome-resend'] - t.welcome).toBeLessThan(3 * DAY + HOUR);
    // Seven days after the welcome, not after the best content.
    expect(t['complete-profile'] - t.welcome).toBeGreaterThanOrEqual(7 * DAY - SLACK);
    expect(t['complete-profile'] - t.welcome).toBeLessThan(7 * DAY + HOUR);
  });

  it('reminds once after 2 days without confirmation, and welcomes once confirmed', async () => {
    const { handle, startedAt } = await start('w-b');
    await env().sleep('1 day');
    expect(await handle.query(journeyStateQuery)).toMatchObject({ step: 'waiting for confirmation', running: true });
    await env().sleep('2 days');
    const reminder = stub.emailsTo('w-b')[1];
    expect(reminder).toMatchObject({
      step: 'confirm-reminder',
      template: 'welcome-confirm-reminder',
      transactional: true,
    });
    expect(reminder.at.getTime() - startedAt).toBeGreaterThanOrEqual(2 * DAY);
    expect(reminder.at.getTime() - startedAt).toBeLessThan(2 * DAY + HOUR);

    await handle.signal(eventSignal, confirm('w-b'));
    const result = await handle.result();
    await recordHistory(handle, 'welcome');
    expect(result.outcome).toBe('completed');
    expect(steps('w-b')).toEqual([
      'confirm',
      'confirm-reminder',
      'welcome',
      'best-content',
      'welcome-resend',
      'complete-profile',
    ]);
    const t = timeline('w-b', startedAt);
    expect(t.welcome).toBeGreaterThanOrEqual(3 * DAY);
    expect(t.welcome).toBeLessThan(3 * DAY + HOUR);
  });

  it('gives up as "never confirmed" 5 days after the one reminder', async () => {
    const { handle, startedAt } = await start('w-c');
    const result = await handle.result();

    expect(result).toMatchObject({ outcome: 'exited', reason: 'never confirmed' });
    expect(steps('w-c')).toEqual(['confirm', 'confirm-reminder']);
    const closedAt = (await handle.describe()).closeTime!.getTime();
    expect(closedAt - startedAt).toBeGreaterThanOrEqual(7 * DAY);
    expect(closedAt - startedAt).toBeLessThan(7 * DAY + HOUR);
  });

  it('exits on unsubscribe before confirming, sending nothing more', async () => {
    const { handle } = await start('w-d');
    await env().sleep('1 hour');
    await handle.signal(eventSignal, track('Unsubscribed', {}, 'w-d'));
    expect(await handle.result()).toMatchObject({ outcome: 'exited', reason: 'Unsubscribed' });
    expect(steps('w-d')).toEqual(['confirm']);
  });

  it('exits on unsubscribe between the welcome and the best content', async () => {
    const { handle } = await start('w-e');
    await handle.signal(eventSignal, confirm('w-e'));
    await env().sleep('1 day');
    expect(steps('w-e')).toEqual(['confirm', 'welcome']);
    expect(await handle.query(journeyStateQuery)).toMatchObject({ step: 'waiting to send best content' });
    await handle.signal(eventSignal, track('Unsubscribed', {}, 'w-e'));
    expect(await handle.result()).toMatchObject({ outcome: 'exited', reason: 'Unsubscribed' });
    expect(steps('w-e')).toEqual(['confirm', 'welcome']);
  });

  it('is not stopped by a purchase: the confirmation still counts', async () => {
    const { handle } = await start('w-f');
    await handle.signal(eventSignal, track('Order Completed', { order_id: 'o-1' }, 'w-f'));
    await env().sleep('1 hour');
    expect(await handle.query(journeyStateQuery)).toMatchObject({ running: true });
    await handle.signal(eventSignal, confirm('w-f'));
    expect((await handle.result()).outcome).toBe('completed');
    expect(steps('w-f')).toEqual(['confirm', 'welcome', 'best-content', 'welcome-resend', 'complete-profile']);
  });

  /** An open of the journey's email at `step`, as the tracking pixel reports it (by a person unless `machine`). */
  const opened = (customerId: string, step: string, machine?: string) =>
    track(
      'Email Opened',
      { campaign_name: 'welcome', step, variant: null, ...(machine ? { machine } : {}) },
      customerId,
    );

  it('does not send the welcome again to a customer who opened it, even after the best content', async () => {
    const { handle } = await start('w-open');
    await handle.signal(eventSignal, confirm('w-open'));
    await env().sleep('1 day');
    await handle.signal(eventSignal, opened('w-open', 'welcome'));
    expect((await handle.result()).outcome).toBe('completed');
    expect(steps('w-open')).toEqual(['confirm', 'welcome', 'best-content', 'complete-profile']);
  });

  it("sends the welcome again when its only open was Apple's privacy proxy, or an open of another email", async () => {
    const { handle } = await start('w-mpp');
    await handle.signal(eventSignal, confirm('w-mpp'));
    await env().sleep('1 hour');
    await handle.signal(eventSignal, opened('w-mpp', 'welcome', 'privacy-proxy'));
    await env().sleep('2 days');
    expect(await handle.query(journeyStateQuery)).toMatchObject({ step: 'waiting for an open of welcome' });
    await handle.signal(eventSignal, opened('w-mpp', 'best-content'));
    expect((await handle.result()).outcome).toBe('completed');
    expect(steps('w-mpp')).toEqual(['confirm', 'welcome', 'best-content', 'welcome-resend', 'complete-profile']);
  });

  it('resends nothing when the welcome itself was not sent (held back by consent)', async () => {
    stub.policy = (req) => (req.step === 'welcome' ? { status: 'suppressed', reason: 'unsubscribed' } : undefined);
    const { handle } = await start('w-sup');
    await handle.signal(eventSignal, confirm('w-sup'));
    expect((await handle.result()).outcome).toBe('completed');
    expect(steps('w-sup')).toEqual(['confirm', 'best-content', 'complete-profile']);
  });

  it('resends nothing in a customer run whose configuration predates the resend', async () => {
    const config = testConfig({ messaging: { doubleOptIn: false, quietHours: null } });
    // As a configuration loaded before the resend existed has it: without its keys.
    const welcome: Record<string, unknown> = { ...config.journeys.welcome };
    const templates: Record<string, unknown> = { ...config.journeys.welcome.templates };
    delete welcome.resendAfter;
    delete templates.welcomeResend;
    Object.assign(config.journeys, { welcome: { ...welcome, templates } });
    const { handle } = await start('w-old', config);
    expect((await handle.result()).outcome).toBe('completed');
    expect(steps('w-old')).toEqual(['welcome', 'best-content', 'complete-profile']);
  });

  it('starts on the configured trigger and listens for confirmation and unsubscribe', () => {
    const config = testConfig({ journeys: { welcome: { trigger: 'Account Created' } } }).journeys.welcome;
    expect(welcomeJourney.startsOn(config)).toEqual(['Account Created']);
    expect(welcomeJourney.startsOn(testConfig().journeys.welcome)).toEqual(['Signed Up']);
    expect(welcomeJourney.listensTo(config)).toEqual(['Email Confirmed', 'Unsubscribed']);
    expect(welcomeJourney.reentry(config)).toBe('once');
  });
});
