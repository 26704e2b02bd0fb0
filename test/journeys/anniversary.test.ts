import type { WorkflowHandle } from '@temporalio/client';
import { DateTime } from 'luxon';
import type { CustomerSnapshot } from '../../src/shared/journey';
import { eventSignal, journeyStateQuery } from '../../src/shared/signals';
import { anniversary } from '../../src/journeys/anniversary/journey';
import { journeyInput, track, useJourneySuite, type Sent } from '../helpers/journeys';
import { recordHistory } from '../helpers/histories';
import { signalsTaken } from '../helpers/signals-taken';

// Slack for the worker's own time: the test server's clock runs on in real time while a task is
// pending, minutes on a very busy machine. Still far below any difference of timezone or day.
const WORK_MARGIN = 10 * 60_000;
const HOUR_FORMAT = 'yyyy-MM-dd HH';

describe('anniversary journey', () => {
  const { env, stub, taskQueue } = useJourneySuite(require.resolve('../../src/journeys/anniversary/journey'));
  const started: WorkflowHandle[] = [];
  // The journey never ends by itself: stop each test's workflow, passed or failed.
  afterEach(async () => {
    for (const handle of started.splice(0)) await handle.terminate('test done').catch(() => undefined);
  });

  const start = async (customerId: string, zone: string, customer: Partial<CustomerSnapshot>) => {
    const trigger = track(customer.firstOrderAt ? 'Order Completed' : 'Signed Up', {}, customerId);
    const input = journeyInput('anniversary', 'anniversary', {
      trigger,
      customer: { profile: { timezone: zone }, ...customer },
    });
    const handle = await env().client.workflow.start(anniversary, {
      args: [input],
      taskQueue: taskQueue(),
      workflowId: `journey-anniversary-${customerId}`,
    });
    started.push(handle);
    return handle;
  };
  const localNow = async (zone: string) => DateTime.fromMillis(await env().currentTimeMs(), { zone });
  /** An Order Completed event that, the backend says, happened at `at`. */
  const order = (customerId: string, at: DateTime) => ({
    ...track('Order Completed', { order_id: `o-${at.toMillis()}` }, customerId),
    timestamp: at.toUTC().toISO()!,
  });
  const sleepPast = async (at: DateTime) => env().sleep(at.toMillis() - (await env().currentTimeMs()) + WORK_MARGIN);
  /** When an email arrived, on the customer's wall clock, to the hour (expectAt checks the minutes). */
  const local = (email: Sent, zone: string) => DateTime.fromJSDate(email.at, { zone }).toFormat(HOUR_FORMAT);
  const expectAt = (email: Sent, expected: DateTime) => {
    expect(local(email, expected.zoneName!)).toBe(expected.toFormat(HOUR_FORMAT));
    expect(email.at.getTime() - expected.toMillis()).toBeGreaterThanOrEqual(0);
    expect(email.at.getTime() - expected.toMillis()).toBeLessThan(WORK_MARGIN);
  };

  it('celebrates a year since sign-up at 09:00 local time when there is no purchase', async () => {
    const zone = 'Europe/Berlin';
    const signedUp = (await localNow(zone)).minus({ years: 1 }).plus({ days: 10 });
    await start('an-signup', zone, {
      firstSeenAt: signedUp.minus({ days: 40 }).toISO()!,
      signedUpAt: signedUp.toISO()!,
    });
    const expected = anniversaryOf(signedUp, 1);

    await sleepPast(expected.minus({ hours: 1 }));
    expect(stub.emailsTo('an-signup')).toEqual([]);
    await sleepPast(expected);
    const emails = stub.emailsTo('an-signup');
    expect(emails.map((e) => [e.step, e.template, e.data])).toEqual([
      [`anniversary-${expected.year}`, 'anniversary', { years: 1, since: 'sign-up' }],
    ]);
    expectAt(emails[0], expected);
  });

  it('counts from the first visit when there is neither purchase nor sign-up', async () => {
    const zone = 'America/Chicago';
    const firstSeen = (await localNow(zone)).minus({ years: 3 }).plus({ days: 4 });
    await start('an-seen', zone, { firstSeenAt: firstSeen.toISO()! });
    const expected = anniversaryOf(firstSeen, 3);

    await sleepPast(expected);
    const emails = stub.emailsTo('an-seen');
    expect(emails.map((e) => e.data)).toEqual([{ years: 3, since: 'sign-up' }]);
    expectAt(emails[0], expected);
  });

  it('celebrates the first purchase, not the sign-up, once there is one', async () => {
    const zone = 'Asia/Tokyo';
    const now = await localNow(zone);
    const signedUp = now.minus({ years: 3 }).plus({ days: 5 });
    const firstOrder = now.minus({ years: 2 }).plus({ days: 20 });
    await start('an-order', zone, {
      firstSeenAt: signedUp.toISO()!,
      signedUpAt: signedUp.toISO()!,
      firstOrderAt: firstOrder.toISO()!,
    });
    const expected = anniversaryOf(firstOrder, 2);

    await sleepPast(expected);
    const emails = stub.emailsTo('an-order');
    expect(emails.map((e) => [e.step, e.data])).toEqual([
      [`anniversary-${expected.year}`, { years: 2, since: 'first-purchase' }],
    ]);
    expectAt(emails[0], expected);
  });

  it('moves the anniversary to the first order when it arrives, and keeps it there in later years', async () => {
    const zone = 'America/New_York';
    const signedUp = (await localNow(zone)).minus({ years: 1 }).plus({ days: 30 });
    const handle = await start('an-moves', zone, { firstSeenAt: signedUp.toISO()!, signedUpAt: signedUp.toISO()! });
    await env().sleep('2 days');

    const ordered = (await localNow(zone)).minus({ days: 1 }); // the backend's timestamp, a day back
    await handle.signal(eventSignal, order('an-moves', ordered));
    await env().sleep('1 day');
    await handle.signal(eventSignal, order('an-moves', await localNow(zone))); // a second order moves nothing
    const expected = anniversaryOf(ordered, 1);
    await signalsTaken(handle);
    expect(await handle.query(journeyStateQuery)).toMatchObject({
      step: `anniversary-${expected.year}`,
      nextWakeAt: expected.toUTC().toISO(),
    });

    await sleepPast(anniversaryOf(signedUp, 1)); // the sign-up anniversary passes without an email
    expect(stub.emailsTo('an-moves')).toEqual([]);

    await sleepPast(expected);
    const nextYear = anniversaryOf(ordered, 2);
    await sleepPast(nextYear);
    const emails = stub.emailsTo('an-moves');
    expect(emails.map((e) => [e.step, e.data])).toEqual([
      [`anniversary-${expected.year}`, { years: 1, since: 'first-purchase' }],
      [`anniversary-${nextYear.year}`, { years: 2, since: 'first-purchase' }],
    ]);
    expectAt(emails[0], expected);
    expectAt(emails[1], nextYear);
  });

  it('sends year after year, each from a new run (continue-as-new)', async () => {
    const zone = 'Australia/Sydney';
    const signedUp = (await localNow(zone)).minus({ years: 1 }).plus({ days: 3 });
    const handle = await start('an-years', zone, { firstSeenAt: signedUp.toISO()!, signedUpAt: signedUp.toISO()! });

    const first = anniversaryOf(signedUp, 1);
    await sleepPast(first);
    expect(stub.emailsTo('an-years').map((e) => e.data)).toEqual([{ years: 1, since: 'sign-up' }]);
    const firstRun = env().client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
    expect((await firstRun.describe()).status.name).toBe('CONTINUED_AS_NEW');
    await recordHistory(firstRun, 'anniversary');
    expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);

    const second = anniversaryOf(signedUp, 2);
    await sleepPast(second);
    const emails = stub.emailsTo('an-years');
    expect(emails.map((e) => [e.step, e.data])).toEqual([
      [`anniversary-${first.year}`, { years: 1, since: 'sign-up' }],
      [`anniversary-${second.year}`, { years: 2, since: 'sign-up' }],
    ]);
    expectAt(emails[0], first);
    expectAt(emails[1], second);
  });

  it('sends nothing on the day of sign-up itself, even before 09:00 local time', async () => {
    // A zone where it is early morning now, so a "next 09:00 on this day" would still be today.
    const now = await env().currentTimeMs();
    const zone = EARLY_ZONES.find((z) => {
      const hour = DateTime.fromMillis(now, { zone: z }).hour;
      return hour >= 1 && hour < 8;
    })!;
    const signedUp = DateTime.fromMillis(now, { zone });
    const handle = await start('an-today', zone, { firstSeenAt: signedUp.toISO()!, signedUpAt: signedUp.toISO()! });

    await env().sleep('2 days');
    expect(stub.emailsTo('an-today')).toEqual([]);
    const expected = anniversaryOf(signedUp, 1);
    expect(await handle.query(journeyStateQuery)).toMatchObject({
      step: `anniversary-${signedUp.year + 1}`,
      nextWakeAt: expected.toUTC().toISO(),
    });
  });
});

/** Zones whose UTC offsets are at most a few hours apart around the clock. */
const EARLY_ZONES = [
  'UTC',
  'Europe/Berlin',
  'Asia/Dubai',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Pacific/Auckland',
  'Pacific/Honolulu',
  'America/Los_Angeles',
  'America/Chicago',
  'America/New_York',
];

/** 09:00 local on the `years`-th anniversary of `anchor` (in its zone); 29 February falls on the 28th. */
function anniversaryOf(anchor: DateTime, years: number): DateTime {
  const first = DateTime.fromObject(
    { year: anchor.year + years, month: anchor.month, day: 1, hour: 9 },
    { zone: anchor.zone },
  );
  return first.set({ day: Math.min(anchor.day, first.daysInMonth!) });
}
