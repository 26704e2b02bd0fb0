import { DateTime } from 'luxon';

// Local-time arithmetic in the customer's IANA zone. Always an explicit zone and an explicit
// `now` (workflow time): never the ambient zone or clock (docs/architecture.md, decision 6).

export interface LocalTimeOptions {
  /** Allowed ISO weekdays, 1 = Monday ... 7 = Sunday; all days when absent. */
  weekdays?: number[];
}

function zoned(now: number, zone: string): DateTime {
  const dt = DateTime.fromMillis(now, { zone });
  if (!dt.isValid) throw new Error(`invalid IANA time zone "${zone}"`);
  return dt;
}

function parseHHMM(time: string): { hour: number; minute: number } {
  const [hour, minute] = time.split(':').map(Number);
  return { hour, minute };
}

/** The next instant after `now` at which the local clock in `zone` reads `time` on an allowed weekday. */
export function nextLocalTime(now: number, zone: string, time: string, opts: LocalTimeOptions = {}): Date {
  const { hour, minute } = parseHHMM(time);
  let candidate = zoned(now, zone).set({ hour, minute, second: 0, millisecond: 0 });
  for (let i = 0; i < 8; i++) {
    const allowed = !opts.weekdays || opts.weekdays.includes(candidate.weekday);
    if (allowed && candidate.toMillis() > now) return candidate.toJSDate();
    candidate = candidate.plus({ days: 1 }).set({ hour, minute });
  }
  throw new Error(`no allowed weekday in ${JSON.stringify(opts.weekdays)}`);
}

/** `now` while the local clock in `zone` is within the hour from `time`; else the next instant it reads `time`. */
export function thisHourOrNext(now: number, zone: string, time: string): Date {
  const { hour, minute } = parseHHMM(time);
  const local = zoned(now, zone);
  const start = local.set({ hour, minute, second: 0, millisecond: 0 });
  if (local >= start && local < start.plus({ hours: 1 })) return new Date(now);
  return nextLocalTime(now, zone, time);
}

/** If `now` falls inside the local window [start, end) (which may span midnight), the window's end. */
export function quietHoursEnd(now: number, zone: string, window: { start: string; end: string }): Date | null {
  const local = zoned(now, zone);
  const minutes = local.hour * 60 + local.minute;
  const s = parseHHMM(window.start);
  const e = parseHHMM(window.end);
  const start = s.hour * 60 + s.minute;
  const end = e.hour * 60 + e.minute;
  const inside = start <= end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
  return inside ? nextLocalTime(now, zone, window.end) : null;
}

/**
 * The next yearly occurrence, after `now`, of month-day `monthDay` ("MM-DD") at local `time`.
 * 29 February falls on 28 February in common years.
 */
export function nextAnnual(now: number, zone: string, monthDay: string, time: string): Date {
  const [month, day] = monthDay.split('-').map(Number);
  const { hour, minute } = parseHHMM(time);
  const local = zoned(now, zone);
  for (let year = local.year; year <= local.year + 1; year++) {
    const inYear = DateTime.fromObject({ year, month, day: 1, hour, minute }, { zone });
    const at = inYear.set({ day: Math.min(day, inYear.daysInMonth ?? day) });
    if (at.toMillis() > now) return at.toJSDate();
  }
  throw new Error(`no next occurrence of ${monthDay}`);
}

/** "MM-DD" of a date or birthday string: YYYY-MM-DD, --MM-DD or an ISO timestamp (read in `zone`). */
export function monthDayOf(value: string, zone: string): string | undefined {
  const plain = /^(?:\d{4}|--)-?(\d{2})-(\d{2})$/.exec(value);
  if (plain) return `${plain[1]}-${plain[2]}`;
  const dt = DateTime.fromISO(value, { zone });
  return dt.isValid ? dt.toFormat('MM-dd') : undefined;
}

/** The calendar year in `zone` at `now`. */
export function localYear(now: number, zone: string): number {
  return zoned(now, zone).year;
}
