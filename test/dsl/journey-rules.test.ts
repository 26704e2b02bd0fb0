import { DateTime } from 'luxon';
import type { JourneysConfig } from '../../src/config/schema';
import { channelProbe, dslProbe } from '../fixtures/dsl-journeys';
import { journeyInput, testConfig, track, useJourneySuite } from '../helpers/journeys';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('journey DSL rules', () => {
  const { env, stub, taskQueue } = useJourneySuite(require.resolve('../fixtures/dsl-journeys'));

  const run = async (customerId: string, config: JourneysConfig, props: Record<string, unknown> = {}, zone = 'UTC') => {
    const trigger = track('Probe', props, customerId);
    const input = journeyInput('probe', 'leadNurture', { trigger, config, customer: { profile: { timezone: zone } } });
    const startedAt = await env().currentTimeMs();
    const result = await env().client.workflow.execute(dslProbe, {
      args: [input],
      taskQueue: taskQueue(),
      workflowId: `probe-${customerId}`,
    });
    return { result, startedAt };
  };

  it('holds marketing email until quiet hours end in the customer zone, never transactional email', async () => {
    // A quiet window around the current local time in Tokyo, ending two hours from now.
    const now = DateTime.fromMillis(await env().currentTimeMs(), { zone: 'Asia/Tokyo' });
    const quietHours = {
      start: now.minus({ hours: 1 }).toFormat('HH:mm'),
      end: now.plus({ hours: 2 }).toFormat('HH:mm'),
    };
    const config = testConfig({ messaging: { quietHours } });
    const { startedAt } = await run('c-quiet', config, {}, 'Asia/Tokyo');
    const [receipt, offer] = stub.emailsTo('c-quiet');
    expect(receipt.at.getTime() - startedAt).toBeLessThan(HOUR);
    // Sent when quiet hours end, give or take the worker's own time (the test server's clock runs
    // in real time while it works: minutes on a very busy machine, never the hours of the window).
    const end = now.plus({ hours: 2 }).startOf('minute');
    expect(offer.at.getTime()).toBeGreaterThanOrEqual(end.toMillis());
    expect(offer.at.getTime() - end.toMillis()).toBeLessThan(10 * MINUTE);
  });

  it("holds marketing texts until SMS quiet hours end, which are the texts' own window", async () => {
    const now = DateTime.fromMillis(await env().currentTimeMs(), { zone: 'Asia/Tokyo' });
    const sms = {
      quietHours: { start: now.minus({ hours: 1 }).toFormat('HH:mm'), end: now.plus({ hours: 3 }).toFormat('HH:mm') },
    };
    // Email has no quiet hours here: only the texts wait.
    const config = testConfig({ messaging: { quietHours: null, sms } });
    const { result } = await run('c-sms-quiet', config, { channel: 'sms' }, 'Asia/Tokyo');
    const [receipt, offer] = stub.emailsTo('c-sms-quiet');
    expect([receipt.channel, offer.channel]).toEqual(['sms', 'sms']);
    expect(result.sent.map((s) => `${s.step}:${s.channel}:${s.status}`)).toEqual([
      'receipt:sms:sent',
      'offer:sms:sent',
    ]);
    const end = now.plus({ hours: 3 }).startOf('minute');
    expect(offer.at.getTime()).toBeGreaterThanOrEqual(end.toMillis());
    expect(offer.at.getTime() - end.toMillis()).toBeLessThan(10 * MINUTE);
    expect(receipt.at.getTime()).toBeLessThan(end.toMillis() - 2 * HOUR);
  });

  it.each([
    [['sms', 'email'], 'sms'],
    [['email'], 'email'],
  ] as const)(
    'picks the first channel the customer may get (%j) and hands a webhook answer to the next step',
    async (open, picked) => {
      const customerId = `c-pick-${picked}`;
      stub.channels[customerId] = [...open];
      stub.webhookAnswer = () => ({ status: 'sent', responseStatus: 201, response: { code: 'SAVE-ABCDEF' } });
      const trigger = track('Probe', {}, customerId);
      const input = journeyInput('probe', 'leadNurture', { trigger, config: testConfig() });
      await env().client.workflow.execute(channelProbe, {
        args: [input],
        taskQueue: taskQueue(),
        workflowId: `probe-${customerId}`,
      });
      expect(stub.webhooks).toEqual([
        expect.objectContaining({
          step: 'tell-crm',
          url: 'https://crm.example/hooks/offer',
          body: { channel: picked },
        }),
      ]);
      const [offer] = stub.emailsTo(customerId);
      expect(offer).toMatchObject({ step: 'offer', data: { code: 'SAVE-ABCDEF' } });
      expect(offer.channel ?? 'email').toBe(picked);
    },
  );

  it('defers a capped marketing email until the cap has room, and bypasses the cap for transactional', async () => {
    let capped = 0;
    stub.policy = (req, at) => {
      if (req.transactional || capped > 0) return undefined;
      capped++;
      return { status: 'capped', retryAt: new Date(at.getTime() + 3 * HOUR).toISOString() };
    };
    const { result, startedAt } = await run('c-defer', testConfig());
    expect(stub.emailsTo('c-defer').map((e) => e.step)).toEqual(['receipt', 'offer']);
    expect(stub.emailsTo('c-defer')[1].at.getTime() - startedAt).toBeGreaterThanOrEqual(3 * HOUR);
    expect(result.sent.map((s) => `${s.step}:${s.status}`)).toEqual(['receipt:sent', 'offer:capped', 'offer:sent']);
  });

  it('skips a capped marketing email when the journey says so', async () => {
    stub.policy = (req, at) =>
      req.transactional ? undefined : { status: 'capped', retryAt: new Date(at.getTime() + HOUR).toISOString() };
    const { result } = await run('c-skip', testConfig(), { ifCapped: 'skip' });
    expect(stub.emailsTo('c-skip').map((e) => e.step)).toEqual(['receipt']);
    expect(result.sent.map((s) => `${s.step}:${s.status}`)).toEqual(['receipt:sent', 'offer:skipped']);
  });

  it('defers a capped marketing email five times, then records it skipped rather than dropping it', async () => {
    stub.policy = (req, at) =>
      req.transactional ? undefined : { status: 'capped', retryAt: new Date(at.getTime() + HOUR).toISOString() };
    const { result, startedAt } = await run('c-full', testConfig());
    expect(result.sent.map((s) => `${s.step}:${s.status}`)).toEqual([
      'receipt:sent',
      ...Array(5).fill('offer:capped'),
      'offer:skipped',
    ]);
    expect(Date.parse(result.sent.at(-1)!.at) - startedAt).toBeGreaterThanOrEqual(5 * HOUR);
    expect(stub.emailsTo('c-full').map((e) => e.step)).toEqual(['receipt']);
  });

  it('splits customers deterministically between variants and records the variant on every send', async () => {
    const config = testConfig({
      journeys: {
        leadNurture: {
          variants: [
            { name: 'short-subject', weight: 1 },
            { name: 'long-subject', weight: 1 },
          ],
        },
      },
    });
    const variants = new Map<string, string>();
    for (let i = 0; i < 12; i++) variants.set(`c-ab-${i}`, (await run(`c-ab-${i}`, config)).result.variant!);
    expect(new Set(variants.values())).toEqual(new Set(['short-subject', 'long-subject']));
    const sends = [...variants.keys()].flatMap((customerId) => stub.emailsTo(customerId));
    expect(sends).toHaveLength(2 * variants.size); // each customer's receipt and offer
    for (const email of sends) {
      expect(email.variant).toBe(variants.get(email.customerId));
      expect(email.data.variant).toBe(variants.get(email.customerId));
    }
    stub.reset();
    expect((await run('c-ab-3', config)).result.variant).toBe(variants.get('c-ab-3'));
  });

  it('walks holdout customers through the journey without marketing, but still sends transactional mail', async () => {
    const config = testConfig({ journeys: { leadNurture: { holdoutShare: 1 } } });
    const { result } = await run('c-holdout', config);
    expect(result.holdout).toBe(true);
    expect(stub.emailsTo('c-holdout').map((e) => e.step)).toEqual(['receipt']);
    expect(stub.sent.filter((s) => s.customerId === 'c-holdout').map((s) => [s.step, s.holdout])).toEqual([
      ['receipt', false],
      ['offer', true],
    ]);
    expect(result.sent.map((s) => s.status)).toEqual(['sent', 'holdout']);
  });

  it('moves the customer to a group on finish, or only on the outcomes configured', async () => {
    const move = testConfig({ journeys: { leadNurture: { finish: { group: 'nurtured', from: ['leads'] } } } });
    await run('c-move', move);
    expect(stub.groups).toEqual([{ customerId: 'c-move', add: ['nurtured'], remove: ['leads'] }]);

    const onlyConverted = testConfig({ journeys: { leadNurture: { finish: { group: 'buyers', on: ['converted'] } } } });
    await run('c-copy', onlyConverted);
    expect(stub.groups.filter((g) => g.customerId === 'c-copy')).toEqual([]);
  });
});
