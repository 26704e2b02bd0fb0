import { DateTime } from 'luxon';
import { monthDayOf, nextAnnual, nextLocalTime, quietHoursEnd } from '../../src/workflows/dsl/local-time';

const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toMillis();
const local = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat('ccc yyyy-MM-dd HH:mm');

describe('local time in the customer zone', () => {
  it('finds the next 09:00 local, today or tomorrow', () => {
    expect(
      local(nextLocalTime(at('2026-03-02T08:00', 'Europe/Berlin'), 'Europe/Berlin', '09:00'), 'Europe/Berlin'),
    ).toBe('Mon 2026-03-02 09:00');
    expect(
      local(nextLocalTime(at('2026-03-02T09:00', 'Europe/Berlin'), 'Europe/Berlin', '09:00'), 'Europe/Berlin'),
    ).toBe('Tue 2026-03-03 09:00');
  });

  it('skips weekdays that are not allowed', () => {
    const fridayEvening = at('2026-03-06T18:00', 'America/New_York');
    const next = nextLocalTime(fridayEvening, 'America/New_York', '09:00', { weekdays: [1, 2, 3, 4, 5] });
    expect(local(next, 'America/New_York')).toBe('Mon 2026-03-09 09:00');
  });

  it('keeps 09:00 local across a daylight-saving change', () => {
    const beforeDst = at('2026-03-07T12:00', 'America/New_York'); // DST starts 8 March
    const next = nextLocalTime(beforeDst, 'America/New_York', '09:00', { weekdays: [7] });
    expect(local(next, 'America/New_York')).toBe('Sun 2026-03-08 09:00');
    expect(next.toISOString()).toBe('2026-03-08T13:00:00.000Z');
  });

  it('tells whether a moment is inside quiet hours, across midnight too', () => {
    const quiet = { start: '21:00', end: '08:00' };
    expect(quietHoursEnd(at('2026-03-02T12:00', 'Asia/Tokyo'), 'Asia/Tokyo', quiet)).toBeNull();
    expect(local(quietHoursEnd(at('2026-03-02T22:30', 'Asia/Tokyo'), 'Asia/Tokyo', quiet)!, 'Asia/Tokyo')).toBe(
      'Tue 2026-03-03 08:00',
    );
    expect(local(quietHoursEnd(at('2026-03-03T07:59', 'Asia/Tokyo'), 'Asia/Tokyo', quiet)!, 'Asia/Tokyo')).toBe(
      'Tue 2026-03-03 08:00',
    );
    expect(quietHoursEnd(at('2026-03-03T08:00', 'Asia/Tokyo'), 'Asia/Tokyo', quiet)).toBeNull();
  });

  it('finds the next yearly date, with 29 February on the 28th in common years', () => {
    expect(local(nextAnnual(at('2026-06-01T00:00', 'UTC'), 'UTC', '05-17', '09:00'), 'UTC')).toBe(
      'Mon 2027-05-17 09:00',
    );
    expect(local(nextAnnual(at('2026-01-01T00:00', 'UTC'), 'UTC', '02-29', '09:00'), 'UTC')).toBe(
      'Sat 2026-02-28 09:00',
    );
    expect(local(nextAnnual(at('2027-03-01T00:00', 'UTC'), 'UTC', '02-29', '09:00'), 'UTC')).toBe(
      'Tue 2028-02-29 09:00',
    );
  });

  it('reads month and day from birthdays and timestamps', () => {
    expect(monthDayOf('1990-05-17', 'UTC')).toBe('05-17');
    expect(monthDayOf('--12-01', 'UTC')).toBe('12-01');
    expect(monthDayOf('2025-12-31T23:30:00Z', 'Asia/Tokyo')).toBe('01-01');
    expect(monthDayOf('not a date', 'UTC')).toBeUndefined();
  });

  it('rejects an unknown zone instead of guessing one', () => {
    expect(() => nextLocalTime(Date.now(), 'Mars/Olympus_Mons', '09:00')).toThrow(/invalid IANA time zone/);
  });
});
