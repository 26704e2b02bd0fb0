import { DateTime } from 'luxon';
import { hoursOn, isOpen, nextOpening, opensWithin } from '../../src/shared/opening-hours';
import type { OpeningHours } from '../../src/shared/store';

// A store's opening hours are read in the store's own zone, whatever the customer's, across the
// clock changes.

const MON_SAT: OpeningHours[] = [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], opens: '10:00', closes: '20:00' }];
const BERLIN = 'Europe/Berlin';
const at = (iso: string): number => DateTime.fromISO(iso, { setZone: true }).toMillis();
const utc = (ms: number | Date | null): string | null =>
  ms === null ? null : DateTime.fromMillis(typeof ms === 'number' ? ms : ms.getTime(), { zone: 'UTC' }).toISO();

describe('a store open 10:00-20:00 Monday to Saturday in Berlin', () => {
  it('is open from opening time until just before closing, in its own zone', () => {
    expect(isOpen(MON_SAT, BERLIN, at('2030-01-08T09:59:59+01:00'))).toBe(false);
    expect(isOpen(MON_SAT, BERLIN, at('2030-01-08T10:00:00+01:00'))).toBe(true);
    expect(isOpen(MON_SAT, BERLIN, at('2030-01-08T19:59:59+01:00'))).toBe(true);
    expect(isOpen(MON_SAT, BERLIN, at('2030-01-08T20:00:00+01:00'))).toBe(false);
    expect(isOpen(MON_SAT, BERLIN, at('2030-01-13T12:00:00+01:00'))).toBe(false); // Sunday
  });

  it('opens next at 10:00 its time: later today, tomorrow, or on Monday after a Saturday evening', () => {
    expect(utc(nextOpening(MON_SAT, BERLIN, at('2030-01-08T08:30:00+01:00')))).toBe('2030-01-08T09:00:00.000Z');
    expect(utc(nextOpening(MON_SAT, BERLIN, at('2030-01-08T12:00:00+01:00')))).toBe('2030-01-09T09:00:00.000Z');
    expect(utc(nextOpening(MON_SAT, BERLIN, at('2030-01-12T21:00:00+01:00')))).toBe('2030-01-14T09:00:00.000Z');
  });

  it('is worth telling about while open, or when it opens within the wait: not on a Saturday night', () => {
    const twelveHours = 12 * 3600_000;
    expect(opensWithin(MON_SAT, BERLIN, at('2030-01-08T12:00:00+01:00'), twelveHours)).toBe(true); // open
    expect(opensWithin(MON_SAT, BERLIN, at('2030-01-08T22:30:00+01:00'), twelveHours)).toBe(true); // 11.5 h
    expect(opensWithin(MON_SAT, BERLIN, at('2030-01-08T21:30:00+01:00'), twelveHours)).toBe(false); // 12.5 h
    expect(opensWithin(MON_SAT, BERLIN, at('2030-01-12T21:00:00+01:00'), twelveHours)).toBe(false); // Monday
    expect(opensWithin([], BERLIN, at('2030-01-08T12:00:00+01:00'), twelveHours)).toBe(false);
  });

  it('is read in the store’s zone for a customer in another: 09:30 in London is 10:30 in Berlin', () => {
    const londonMorning = at('2030-01-08T09:30:00+00:00');
    expect(isOpen(MON_SAT, BERLIN, londonMorning)).toBe(true);
    expect(isOpen(MON_SAT, 'Europe/London', londonMorning)).toBe(false);
    // 08:00 in New York on a Saturday is 14:00 in Berlin: open; 15:00 in New York is 21:00 there: closed.
    expect(isOpen(MON_SAT, BERLIN, at('2030-01-12T08:00:00-05:00'))).toBe(true);
    expect(utc(nextOpening(MON_SAT, BERLIN, at('2030-01-12T15:00:00-05:00')))).toBe('2030-01-14T09:00:00.000Z');
  });

  it('opens at 10:00 local across the clock changes: 08:00 UTC in summer time, 09:00 in winter', () => {
    // Summer time starts on Sunday 31 March 2030 in Berlin; the store is closed that day.
    expect(utc(nextOpening(MON_SAT, BERLIN, at('2030-03-30T21:00:00+01:00')))).toBe('2030-04-01T08:00:00.000Z');
    expect(utc(nextOpening(MON_SAT, BERLIN, at('2030-10-26T21:00:00+02:00')))).toBe('2030-10-28T09:00:00.000Z');
    const sundays: OpeningHours[] = [{ days: ['sun'], opens: '10:00', closes: '18:00' }];
    expect(utc(nextOpening(sundays, BERLIN, at('2030-03-31T00:30:00+01:00')))).toBe('2030-03-31T08:00:00.000Z');
    expect(isOpen(sundays, BERLIN, at('2030-03-31T08:30:00Z'))).toBe(true); // 10:30 summer time
  });

  it('opens at the first instant after a skipped hour: 02:30 does not exist on the night the clocks go forward', () => {
    const night: OpeningHours[] = [{ days: ['sun'], opens: '02:30', closes: '05:00' }];
    expect(utc(nextOpening(night, BERLIN, at('2030-03-31T00:00:00+01:00')))).toBe('2030-03-31T01:30:00.000Z');
    expect(hoursOn(night, BERLIN, at('2030-03-31T02:00:00Z'))).toBe('03:30–05:00');
  });

  it('says today’s hours as a person reads them, in order; nothing on a day it is closed', () => {
    const split: OpeningHours[] = [
      { days: ['mon'], opens: '15:00', closes: '19:00' },
      { days: ['mon', 'tue'], opens: '09:00', closes: '13:00' },
    ];
    expect(hoursOn(split, BERLIN, at('2030-01-07T10:00:00+01:00'))).toBe('09:00–13:00, 15:00–19:00');
    expect(hoursOn(split, BERLIN, at('2030-01-08T10:00:00+01:00'))).toBe('09:00–13:00');
    expect(hoursOn(MON_SAT, BERLIN, at('2030-01-13T10:00:00+01:00'))).toBe('');
  });

  it('never opens without opening hours', () => {
    expect(isOpen([], BERLIN, at('2030-01-08T12:00:00+01:00'))).toBe(false);
    expect(nextOpening([], BERLIN, at('2030-01-08T12:00:00+01:00'))).toBeNull();
  });
});
