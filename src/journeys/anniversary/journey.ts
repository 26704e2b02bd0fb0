import { DateTime } from 'luxon';
import type { JourneyConfigs } from '../../config/schema';
import { Events, type CustomerEvent } from '../../shared/events';
import type { CustomerSnapshot, JourneyResult } from '../../shared/journey';
import { defineJourney } from '../../workflows/dsl/journey-entry';
import { localYear, monthDayOf } from '../../workflows/dsl/local-time';
import { everyYear, type YearlyInput } from '../../workflows/dsl/yearly';

type Config = JourneyConfigs['anniversary'];

/**
 * Anniversary, every year.
 * On the anniversary of the customer's first purchase, at 09:00 (`sendAt`) their local time:
 * celebrate the years they have been with us.
 * Until they buy, count from the day they signed up (or first came by); the moment the first
 * order arrives, the anniversary moves to that first purchase.
 */
export async function anniversary(input: YearlyInput<Config>): Promise<JourneyResult> {
  return everyYear(input, {
    name: 'anniversary',
    section: (config) => config.journeys.anniversary,
    day: (customer, zone) => {
      const { at } = anchor(customer);
      return { monthDay: monthDayOf(at, zone), firstYear: localYear(instant(at), zone) + 1 };
    },
    learn: firstOrder,
    send: (j, step, year) => {
      const { at, since } = anchor(j.input.customer);
      const years = year - localYear(instant(at), j.zone);
      return j.send(step, j.config.templates.anniversary, { data: { years, since } });
    },
  });
}

/** What the anniversary counts from: the first purchase, else sign-up, else the first visit. */
function anchor(customer: CustomerSnapshot): { at: string; since: 'first-purchase' | 'sign-up' } {
  if (customer.firstOrderAt) return { at: customer.firstOrderAt, since: 'first-purchase' };
  return { at: customer.signedUpAt ?? customer.firstSeenAt, since: 'sign-up' };
}

/** The first order, when it happened (as the backend says, never later than now). */
function firstOrder(customer: CustomerSnapshot, event: CustomerEvent): CustomerSnapshot {
  if (event.event !== Events.OrderCompleted || customer.firstOrderAt) return customer;
  const said = instant(event.timestamp);
  const at = Number.isNaN(said) ? Date.now() : Math.min(said, Date.now());
  return { ...customer, firstOrderAt: new Date(at).toISOString() };
}

/** An ISO 8601 timestamp as epoch milliseconds (UTC when it names no offset); NaN when invalid. */
function instant(iso: string): number {
  return DateTime.fromISO(iso, { zone: 'utc' }).toMillis();
}

export const anniversaryJourney = defineJourney({
  name: 'anniversary',
  config: 'anniversary',
  workflow: anniversary,
  startsOn: () => [Events.SignedUp, Events.OrderCompleted],
  reentry: () => 'once',
  listensTo: () => [Events.OrderCompleted],
});
