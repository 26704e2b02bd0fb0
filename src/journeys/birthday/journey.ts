import { IANAZone } from 'luxon';
import type { JourneyConfigs } from '../../config/schema';
import { Events, type CustomerEvent } from '../../shared/events';
import type { CustomerSnapshot, JourneyResult } from '../../shared/journey';
import { defineJourney } from '../../workflows/dsl/journey-entry';
import { monthDayOf } from '../../workflows/dsl/local-time';
import { everyYear, type YearlyInput } from '../../workflows/dsl/yearly';

type Config = JourneyConfigs['birthday'];

/**
 * Birthday, every year.
 * On the customer's birthday, at 09:00 (`sendAt`) in their own time zone: send the birthday offer.
 * Born on 29 February: celebrate on 28 February in common years.
 * They may tell us a new birthday or time zone at any time: the next offer moves with it,
 * and nobody gets two birthday offers in one year.
 */
export async function birthday(input: YearlyInput<Config>): Promise<JourneyResult> {
  return everyYear(input, {
    name: 'birthday',
    section: (config) => config.journeys.birthday,
    day: ({ profile }, zone) => ({ monthDay: profile.birthday && monthDayOf(profile.birthday, zone) }),
    learn: newBirthdayOrTimeZone,
    send: (j, step) => j.send(step, j.config.templates.offer, { data: { offer: j.config.offer } }),
  });
}

/** An identify call that changes the birthday or (to a real IANA zone) the time zone. */
function newBirthdayOrTimeZone(customer: CustomerSnapshot, event: CustomerEvent): CustomerSnapshot {
  if (event.event !== Events.Identify) return customer;
  const { birthday, timezone } = event.traits ?? {};
  const newBirthday = typeof birthday === 'string' && birthday !== customer.profile.birthday;
  const newZone =
    typeof timezone === 'string' && timezone !== customer.profile.timezone && IANAZone.isValidZone(timezone);
  if (!newBirthday && !newZone) return customer;
  const profile = { ...customer.profile };
  if (newBirthday) profile.birthday = birthday;
  if (newZone) profile.timezone = timezone;
  return { ...customer, profile };
}

export const birthdayJourney = defineJourney({
  name: 'birthday',
  config: 'birthday',
  workflow: birthday,
  startsOn: () => [Events.Identify],
  when: (_e, customer) => customer.profile.birthday !== undefined,
  reentry: () => 'once',
  listensTo: () => [Events.Identify],
});
