import { DateTime } from 'luxon';
import { WEEKDAYS, type OpeningHours } from './store';

// A store's opening hours, read in the store's own IANA zone (never the customer's, never the
// ambient one) at an explicit instant (workflow time, or a located event's time): pure, so the
// nearby-store journey and the dispatcher's location projection both read them by one rule.

/** One opening of the store: the instants it opens and closes. */
interface Opening {
  opens: DateTime;
  closes: DateTime;
}

/** The store's openings on the local day of `day` (its zone), earliest first. */
function openingsOn(hours: OpeningHours[], day: DateTime): Opening[] {
  const weekday = WEEKDAYS[day.weekday - 1];
  const at = (time: string): DateTime => {
    const [hour, minute] = time.split(':').map(Number);
    // A time the clocks skip (a spring-forward gap) is the first instant after the gap (luxon).
    return day.set({ hour, minute, second: 0, millisecond: 0 });
  };
  return hours
    .filter((h) => h.days.includes(weekday))
    .map((h) => ({ opens: at(h.opens), closes: at(h.closes) }))
    .filter((o) => o.closes > o.opens)
    .sort((a, b) => a.opens.toMillis() - b.opens.toMillis());
}

function local(now: number, zone: string): DateTime {
  const dt = DateTime.fromMillis(now, { zone });
  if (!dt.isValid) throw new Error(`invalid IANA time zone "${zone}"`);
  return dt;
}

/** Whether the store is open at `now`. */
export function isOpen(hours: OpeningHours[], zone: string, now: number): boolean {
  return openingsOn(hours, local(now, zone)).some((o) => o.opens.toMillis() <= now && now < o.closes.toMillis());
}

/** The next instant after `now` the store opens (within a week), or null when it never opens. */
export function nextOpening(hours: OpeningHours[], zone: string, now: number): Date | null {
  const today = local(now, zone).startOf('day');
  for (let days = 0; days <= 7; days++) {
    const next = openingsOn(hours, today.plus({ days })).find((o) => o.opens.toMillis() > now);
    if (next) return next.opens.toJSDate();
  }
  return null;
}

/** The store's hours on the local day of `now`, as a person reads them: "10:00–14:00, 15:00–20:00"; "" when closed all day. */
export function hoursOn(hours: OpeningHours[], zone: string, now: number): string {
  return openingsOn(hours, local(now, zone))
    .map((o) => `${o.opens.toFormat('HH:mm')}–${o.closes.toFormat('HH:mm')}`)
    .join(', ');
}

/** Whether the store is open at `now` or opens within `withinMs` of it: worth telling a customer about. */
export function opensWithin(hours: OpeningHours[], zone: string, now: number, withinMs: number): boolean {
  if (isOpen(hours, zone, now)) return true;
  const next = nextOpening(hours, zone, now);
  return next !== null && next.getTime() - now <= withinMs;
}
