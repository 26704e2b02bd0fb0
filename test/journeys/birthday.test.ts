import type { WorkflowHandle } from '@temporalio/client';
import { DateTime } from 'luxon';
import type { CustomerProfile } from '../../src/shared/customer';
import { eventSignal, journeyStateQuery } from '../../src/shared/signals';
import { birthday } from '../../src/journeys/birthday/journey';
import { identify, journeyInput, useJourneySuite, type Sent } from '../helpers/journeys';
import { recordHistory } from '../helpers/histories';
import { signalsTaken } from '../helpers/signals-taken';

// Slack for the worker's own time: the test server's clock runs on in real time while a task is
// pending, minutes on a very busy machine. Still far below any difference of timezone or day.
const WORK_MARGIN = 10 * 60_000;
const HOUR_FORMAT = 'yyyy-MM-dd HH';
const OFFER = { code: 'BIRTHDAY15', percentOff: 15 };

describe('birthday journey', () => {
  const { env, stub, taskQueue } = useJourneySuite(require.resolve('../../src/journeys/birthday/journey'));
  const started: WorkflowHandle[] = [];
  // The journey never ends by itself: stop each test's workflow, passed or failed.
  afterEach(async () => {
    for (const handle of started.splice(0)) await handle.terminate('test done').catch(() => undefined);
  });

  const start = async (customerId: string, profile: CustomerProfile) => {
    const trigger = identify({ ...profile }, customerId);
    const input = journeyInput('birthday', 'birthday', { trigger, customer: { profile } });
    const handle = await env().client.workflow.start(birthday, {
      args: [input],
      taskQueue: taskQueue(),
      workflowId: `journey-birthday-${customerId}`,
    });
    started.push(handle);
    return handle;
  };
  /** The test server's clock, read in `zone`. */
  const localNow = async (zone: string) => DateTime.fromMillis(await env().currentTimeMs(), { zone });
  /** Advances the clock to just past `at`. */
  const sleepPast = async (at: DateTime) => env().sleep(at.toMillis() - (await env().currentTimeMs()) + WORK_MARGIN);
  /** When an email arrived, on the customer's wall clock, to the hour (expectAt checks the minutes). */
  const local = (email: Sent, zone: string) => DateTime.fromJSDate(email.at, { zone }).toFormat(HOUR_FORMAT);
  const expectAt = (email: Sent, expected: DateTime) => {
    expect(local(email, expected.zoneName!)).toBe(expected.toFormat(HOUR_FORMAT));
    expect(email.at.getTime() - expected.toMillis()).toBeGreaterThanOrEqual(0);
    expect(email.at.getTime() - expected.toMillis()).toBeLessThan(WORK_MARGIN);
  };

  it.each(['America/New_York', 'Asia/Tokyo'])('sends the offer at 09:00 local time in %s', async (zone) => {
    const day = (await localNow(zone)).plus({ days: 10 });
    await start(`bd-${zone}`, { timezone: zone, birthday: `1990-${day.toFormat('MM-dd')}` });

    await env().sleep('9 days');
    expect(stub.emailsTo(`bd-${zone}`)).toEqual([]);
    await env().sleep('2 days');

    const emails = stub.emailsTo(`bd-${zone}`);
    expect(emails.map((e) => [e.step, e.template, e.data])).toEqual([
      [`birthday-${day.year}`, 'birthday-offer', { offer: OFFER }],
    ]);
    expectAt(emails[0], at9(day));
    expect(emails[0].transactional).toBe(false);
  });

  it('sends again the next year, from a new run (continue-as-new)', async () => {
    const zone = 'America/New_York';
    const day = (await localNow(zone)).plus({ days: 3 });
    const handle = await start('bd-years', { timezone: zone, birthday: `--${day.toFormat('MM-dd')}` });

    await sleepPast(at9(day));
    expect(stub.emailsTo('bd-years').map((e) => e.step)).toEqual([`birthday-${day.year}`]);
    const firstRun = env().client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
    expect((await firstRun.describe()).status.name).toBe('CONTINUED_AS_NEW');
    await recordHistory(firstRun, 'birthday');
    expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);

    const nextYear = onDay(day.year + 1, day.month, day.day, zone);
    await sleepPast(nextYear);
    const emails = stub.emailsTo('bd-years');
    expect(emails.map((e) => e.step)).toEqual([`birthday-${day.year}`, `birthday-${day.year + 1}`]);
    expectAt(emails[1], nextYear);
    expect(emails[1].data).toEqual({ offer: OFFER });
    expect(emails[0].idempotencyKey.startsWith(`${handle.workflowId}/${handle.firstExecutionRunId}/`)).toBe(true);
    expect(emails[1].idempotencyKey.startsWith(`${handle.workflowId}/${handle.firstExecutionRunId}/`)).toBe(false);
  });

  it('moves the offer to a new birthday given by identify, this year and the years after', async () => {
    const zone = 'America/New_York';
    const oldDay = (await localNow(zone)).plus({ days: 30 });
    const handle = await start('bd-moved', { timezone: zone, birthday: `1985-${oldDay.toFormat('MM-dd')}` });
    await env().sleep('1 day');
    expect(await handle.query(journeyStateQuery)).toMatchObject({
      step: `birthday-${oldDay.year}`,
      nextWakeAt: at9(oldDay).toUTC().toISO(),
    });

    const newDay = (await localNow(zone)).plus({ days: 5 });
    await handle.signal(eventSignal, identify({ birthday: `1985-${newDay.toFormat('MM-dd')}` }, 'bd-moved'));
    await signalsTaken(handle);
    expect(await handle.query(journeyStateQuery)).toMatchObject({
      step: `birthday-${newDay.year}`,
      nextWakeAt: at9(newDay).toUTC().toISO(),
    });

    await sleepPast(at9(oldDay)); // past both days
    const emails = stub.emailsTo('bd-moved');
    expect(emails.map((e) => e.step)).toEqual([`birthday-${newDay.year}`]);
    expectAt(emails[0], at9(newDay));

    // The new birthday is carried into the next run.
    const nextYear = onDay(newDay.year + 1, newDay.month, newDay.day, zone);
    await sleepPast(nextYear);
    expect(stub.emailsTo('bd-moved').map((e) => local(e, zone))).toEqual([
      at9(newDay).toFormat(HOUR_FORMAT),
      nextYear.toFormat(HOUR_FORMAT),
    ]);
  });

  it('moves the offer to 09:00 in a new time zone given by identify', async () => {
    const day = (await localNow('America/New_York')).plus({ days: 10 });
    const handle = await start('bd-zone', { timezone: 'America/New_York', birthday: `2001-${day.toFormat('MM-dd')}` });
    await env().sleep('1 day');
    await handle.signal(eventSignal, identify({ timezone: 'Asia/Tokyo', locale: 'ja' }, 'bd-zone'));

    await sleepPast(at9(day));
    const emails = stub.emailsTo('bd-zone');
    expect(emails.map((e) => e.step)).toEqual([`birthday-${day.year}`]);
    expectAt(emails[0], onDay(day.year, day.month, day.day, 'Asia/Tokyo'));
  });

  it('celebrates 29 February on 28 February in common years', async () => {
    const zone = 'Asia/Tokyo';
    const now = await localNow(zone);
    const firstYear = onDay(now.year, 2, 29, zone) > now ? now.year : now.year + 1;
    // On the 29th in a leap year, on the 28th in a common one (of two years in a row, one is common).
    const expected = [onDay(firstYear, 2, 29, zone), onDay(firstYear + 1, 2, 29, zone)];
    await start('bd-leap', { timezone: zone, birthday: '--02-29' });

    await sleepPast(expected[1]);
    const emails = stub.emailsTo('bd-leap');
    expect(emails.map((e) => e.step)).toEqual([`birthday-${firstYear}`, `birthday-${firstYear + 1}`]);
    expectAt(emails[0], expected[0]);
    expectAt(emails[1], expected[1]);
  });

  it('never sends two offers in one year when the birthday moves later after this year’s', async () => {
    const zone = 'Europe/Berlin';
    const day = (await localNow(zone)).plus({ days: 2 });
    const handle = await start('bd-once', { timezone: zone, birthday: `1970-${day.toFormat('MM-dd')}` });
    await sleepPast(at9(day));
    expect(stub.emailsTo('bd-once').map((e) => e.step)).toEqual([`birthday-${day.year}`]);

    const later = (await localNow(zone)).plus({ days: 5 });
    await handle.signal(eventSignal, identify({ birthday: `1970-${later.toFormat('MM-dd')}` }, 'bd-once'));
    const expected = onDay(day.year + 1, later.month, later.day, zone);
    await env().sleep('10 days');
    expect(stub.emailsTo('bd-once')).toHaveLength(1);
    expect(await handle.query(journeyStateQuery)).toMatchObject({
      step: `birthday-${day.year + 1}`,
      nextWakeAt: expected.toUTC().toISO(),
    });

    await sleepPast(expected);
    const emails = stub.emailsTo('bd-once');
    expect(emails.map((e) => e.step)).toEqual([`birthday-${day.year}`, `birthday-${day.year + 1}`]);
    expectAt(emails[1], expected);
  });

  it('waits without sending while the birthday is not a real date, then sends once it is', async () => {
    const zone = 'UTC';
    const handle = await start('bd-bad', { timezone: zone, birthday: '1990-13-45' });
    await env().sleep('400 days');
    expect(stub.emailsTo('bd-bad')).toEqual([]);

    const day = (await localNow(zone)).plus({ days: 4 });
    await handle.signal(eventSignal, identify({ birthday: `1990-${day.toFormat('MM-dd')}` }, 'bd-bad'));
    await sleepPast(at9(day));
    const emails = stub.emailsTo('bd-bad');
    expect(emails.map((e) => e.step)).toEqual([`birthday-${day.year}`]);
    expectAt(emails[0], at9(day));
  });

  it('sends the offer configured on the day, not the one configured at the start', async () => {
    const day = (await localNow('UTC')).plus({ days: 6 });
    await start('bd-config', { timezone: 'UTC', birthday: `1999-${day.toFormat('MM-dd')}` });
    await env().sleep('1 day');
    const configured = stub.config.journeys.birthday.offer;
    stub.config.journeys.birthday.offer = { code: 'BDAY25', percentOff: 25 };
    try {
      await sleepPast(at9(day));
    } finally {
      stub.config.journeys.birthday.offer = configured;
    }
    expect(stub.emailsTo('bd-config').map((e) => e.data)).toEqual([{ offer: { code: 'BDAY25', percentOff: 25 } }]);
  });

  it('skips the year while the journey is disabled in the configuration, and sends again once enabled', async () => {
    const zone = 'UTC';
    const day = (await localNow(zone)).plus({ days: 6 });
    await start('bd-disabled', { timezone: zone, birthday: `1999-${day.toFormat('MM-dd')}` });
    stub.config.journeys.birthday.enabled = false;
    try {
      await sleepPast(at9(day));
    } finally {
      stub.config.journeys.birthday.enabled = true;
    }
    expect(stub.emailsTo('bd-disabled')).toEqual([]);

    const nextYear = onDay(day.year + 1, day.month, day.day, zone);
    await sleepPast(nextYear);
    const emails = stub.emailsTo('bd-disabled');
    expect(emails.map((e) => e.step)).toEqual([`birthday-${day.year + 1}`]);
    expectAt(emails[0], nextYear);
  });
});

/** 09:00 on the day of `day`, in its zone. */
function at9(day: DateTime): DateTime {
  return day.set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
}

/** 09:00 in `zone` on month/day of `year`, the 29th of February falling on the 28th in common years. */
function onDay(year: number, month: number, day: number, zone: string): DateTime {
  const first = DateTime.fromObject({ year, month, day: 1, hour: 9 }, { zone });
  return first.set({ day: Math.min(day, first.daysInMonth!) });
}
