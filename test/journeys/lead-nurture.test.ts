import { leadNurture, leadNurtureJourney } from '../../src/journeys/lead-nurture/journey';
import { eventSignal, journeyStateQuery } from '../../src/shared/signals';
import type { JourneysConfig } from '../../src/config/schema';
import { journeyInput, testConfig, track, useJourneySuite } from '../helpers/journeys';
import { recordHistory } from '../helpers/histories';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('lead nurture journey', () => {
  const { env, stub, taskQueue } = useJourneySuite(require.resolve('../../src/journeys/lead-nurture/journey'));

  const start = async (customerId: string, config?: JourneysConfig) => {
    const trigger = track('Lead Captured', { source: 'ebook' }, customerId);
    const input = journeyInput('lead-nurture', 'leadNurture', { trigger, config });
    const startedAt = await env().currentTimeMs();
    const handle = await env().client.workflow.start(leadNurture, {
      args: [input],
      taskQueue: taskQueue(),
      workflowId: `journey-lead-nurture-${customerId}`,
    });
    return { handle, startedAt };
  };
  const steps = (customerId: string) => stub.emailsTo(customerId).map((e) => e.step);

  it('sends the three default emails after 1 day, then 3 more days, then 7 more days', async () => {
    const { handle, startedAt } = await start('n-a');
    const result = await handle.result();
    await recordHistory(handle, 'lead-nurture');

    expect(result.outcome).toBe('completed');
    const emails = stub.emailsTo('n-a');
    expect(emails.map((e) => [e.step, e.template, e.transactional])).toEqual([
      ['nurture-1', 'nurture-1', false],
      ['nurture-2', 'nurture-2', false],
      ['nurture-3', 'nurture-3', false],
    ]);
    const offsets = emails.map((e) => e.at.getTime() - startedAt);
    [1, 4, 11].forEach((days, i) => {
      expect(offsets[i]).toBeGreaterThanOrEqual(days * DAY);
      expect(offsets[i]).toBeLessThan(days * DAY + HOUR);
    });
  });

  it('ends as converted when an order arrives mid-drip, sending nothing more', async () => {
    const { handle } = await start('n-b');
    await env().sleep('2 days');
    expect(steps('n-b')).toEqual(['nurture-1']);
    expect(await handle.query(journeyStateQuery)).toMatchObject({ step: 'waiting for nurture-2', running: true });
    await handle.signal(eventSignal, track('Order Completed', { order_id: 'o-1' }, 'n-b'));
    expect(await handle.result()).toMatchObject({ outcome: 'converted', reason: 'Order Completed' });
    expect(steps('n-b')).toEqual(['nurture-1']);
  });

  it('ends as converted before the first email when the lead orders at once', async () => {
    const { handle } = await start('n-c');
    await env().sleep('1 hour');
    await handle.signal(eventSignal, track('Order Completed', { order_id: 'o-2' }, 'n-c'));
    expect((await handle.result()).outcome).toBe('converted');
    expect(stub.emailsTo('n-c')).toEqual([]);
  });

  describe('with a configured drip and conversion event', () => {
    const config = testConfig({
      journeys: {
        leadNurture: {
          conversion: 'Demo Booked',
          emails: [
            { after: '2 hours', template: 'demo-intro' },
            { after: '1 day', template: 'case-study' },
          ],
        },
      },
    });

    it('sends the configured emails at the configured times', async () => {
      const { handle, startedAt } = await start('n-d', config);
      expect((await handle.result()).outcome).toBe('completed');
      const emails = stub.emailsTo('n-d');
      expect(emails.map((e) => [e.step, e.template])).toEqual([
        ['nurture-1', 'demo-intro'],
        ['nurture-2', 'case-study'],
      ]);
      expect(emails[0].at.getTime() - startedAt).toBeGreaterThanOrEqual(2 * HOUR);
      expect(emails[0].at.getTime() - startedAt).toBeLessThan(3 * HOUR);
      expect(emails[1].at.getTime() - emails[0].at.getTime()).toBeGreaterThanOrEqual(DAY);
      expect(emails[1].at.getTime() - emails[0].at.getTime()).toBeLessThan(DAY + HOUR);
    });

    it('converts on the configured event, not on an order', async () => {
      const { handle } = await start('n-e', config);
      await handle.signal(eventSignal, track('Order Completed', { order_id: 'o-3' }, 'n-e'));
      await env().sleep('3 hours');
      expect(await handle.query(journeyStateQuery)).toMatchObject({ running: true });
      expect(steps('n-e')).toEqual(['nurture-1']);
      await handle.signal(eventSignal, track('Demo Booked', {}, 'n-e'));
      expect(await handle.result()).toMatchObject({ outcome: 'converted', reason: 'Demo Booked' });
      expect(steps('n-e')).toEqual(['nurture-1']);
    });

    it('starts on the configured trigger and listens for the configured conversion', () => {
      const custom = testConfig({
        journeys: { leadNurture: { trigger: 'Form Submitted', conversion: 'Demo Booked' } },
      });
      expect(leadNurtureJourney.startsOn(custom.journeys.leadNurture)).toEqual(['Form Submitted']);
      expect(leadNurtureJourney.listensTo(custom.journeys.leadNurture)).toEqual(['Demo Booked']);
      expect(leadNurtureJourney.startsOn(testConfig().journeys.leadNurture)).toEqual(['Lead Captured']);
      expect(leadNurtureJourney.listensTo(testConfig().journeys.leadNurture)).toEqual(['Order Completed']);
      expect(leadNurtureJourney.reentry(custom.journeys.leadNurture)).toBe('once');
    });
  });
});
