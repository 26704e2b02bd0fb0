import { continueAsNew, workflowInfo } from '@temporalio/workflow';
import { DateTime } from 'luxon';
import type { CommonJourneyConfig, JourneysConfig } from '../../config/schema';
import type { CustomerEvent } from '../../shared/events';
import type { CustomerSnapshot, JourneyInput, JourneyResult } from '../../shared/journey';
import { localActivities } from './activities';
import type { Journey } from './journey';
import { runJourney } from './run-journey';
import { localYear, nextAnnual } from './local-time';

// Yearly journeys (birthday, anniversary): wait for the customer's day of the year, send at a
// local time on it, and do it again next year, for as long as the customer is around.
//
// Each year is one run: after the year's email the journey continues as new, carrying what it
// learnt (the customer snapshot, the last year it sent), so its history stays small forever.
//
// Continue-as-new and runJourney: continueAsNew() is called *inside* the journey body. It throws;
// runJourney's catch swallows only its own exits and cancellations, so the throw closes the run as
// "continued as new" before runJourney's finishing steps run. That is what we want: the journey
// has not finished, so there is no `finish` group change and no journeyFinished signal; the
// customer workflow keeps it in its running set and keeps forwarding events to its workflow id
// (signals without a run id reach the newest run). Calling continueAsNew after runJourney returned
// would report the journey finished once a year, and the customer workflow would stop forwarding
// events to it. A yearly journey only ends when it is cancelled or terminated.

export type YearlyConfig = CommonJourneyConfig & { sendAt: string };

/** A yearly journey's input: the customer workflow's, plus what it carries across continue-as-new. */
export interface YearlyInput<C> extends JourneyInput<C> {
  /** Local calendar year of the last yearly email: a date moved later never sends twice in a year. */
  lastSentYear?: number;
}

export interface Yearly<C extends YearlyConfig> {
  /** Steps are named `<name>-<year>`, e.g. `birthday-2027`. */
  name: string;
  /** This journey's section of a freshly loaded configuration. */
  section: (config: JourneysConfig) => C;
  /** The customer's day ("MM-DD", read in `zone`) and the first year it counts; undefined while unknown. */
  day: (customer: CustomerSnapshot, zone: string) => { monthDay: string | undefined; firstYear?: number } | undefined;
  /** What `event` tells us about the customer: a changed copy, or `customer` itself when nothing changes. */
  learn: (customer: CustomerSnapshot, event: CustomerEvent) => CustomerSnapshot;
  /** The day's email, sent as step `step`; `year` is the customer's local calendar year. */
  send: (j: Journey<C>, step: string, year: number) => Promise<unknown>;
}

/** How long a journey that does not know the customer's day yet waits before checking again. */
const UNKNOWN_DAY_RECHECK = '366 days';

/**
 * Runs a yearly journey: plans the next day at `config.sendAt` local time, re-plans whenever a
 * forwarded event changes what it knows (a new birthday, a time zone, a first order), sends on the
 * day with the configuration as it is then (skipping the year if the journey was disabled), and
 * continues as new.
 */
export function everyYear<C extends YearlyConfig>(input: YearlyInput<C>, yearly: Yearly<C>): Promise<JourneyResult> {
  return runJourney(input, {}, async (j) => {
    // `input` is the journey's own (j.input is the same object): updating input.customer keeps
    // j.zone current and is what continue-as-new carries.
    let learnt = 0;
    const learnAll = (): void => {
      const events = j.received();
      for (; learnt < events.length; learnt++) input.customer = yearly.learn(input.customer, events[learnt]);
    };
    const changesPlan = (e: CustomerEvent): boolean => yearly.learn(input.customer, e) !== input.customer;
    const historyFull = (): boolean => workflowInfo().continueAsNewSuggested;
    const carryOn = (lastSentYear: number | undefined): Promise<never> => {
      learnAll(); // events that arrived while sending
      return continueAsNew<(next: YearlyInput<C>) => Promise<JourneyResult>>({ ...input, lastSentYear });
    };

    for (;;) {
      learnAll();
      if (historyFull()) await carryOn(input.lastSentYear);
      const next = nextDay(j, yearly, input.lastSentYear);
      if (!next) {
        await j.waitFor((e) => changesPlan(e) || historyFull(), UNKNOWN_DAY_RECHECK, `${yearly.name}: day unknown`);
        continue;
      }
      const news = await j.waitFor((e) => changesPlan(e) || historyFull(), next.at - Date.now(), next.step);
      if (news) continue;

      const config = await localActivities.loadJourneysConfig();
      input.config = yearly.section(config);
      input.messaging = config.messaging;
      if (j.config.enabled) await yearly.send(j, next.step, next.year);
      await carryOn(next.year);
    }
  });
}

/** The next time the customer's day comes round at `sendAt` local time, in a year not yet sent. */
function nextDay<C extends YearlyConfig>(j: Journey<C>, yearly: Yearly<C>, lastSentYear: number | undefined) {
  const zone = j.zone;
  const day = yearly.day(j.input.customer, zone);
  if (!day?.monthDay || !isRealMonthDay(day.monthDay)) return undefined;
  const fromYear = Math.max(day.firstYear ?? 0, (lastSentYear ?? 0) + 1);
  if (!Number.isFinite(fromYear)) return undefined;
  const yearStart = DateTime.fromObject({ year: fromYear }, { zone }).toMillis();
  const at = nextAnnual(Math.max(Date.now(), yearStart - 1), zone, day.monthDay, j.config.sendAt).getTime();
  const year = localYear(at, zone);
  return { at, year, step: `${yearly.name}-${year}` };
}

/** Whether "MM-DD" is a day some year has (29 February included). */
function isRealMonthDay(monthDay: string): boolean {
  const [month, day] = monthDay.split('-').map(Number);
  return DateTime.fromObject({ year: 2000, month, day }, { zone: 'UTC' }).isValid;
}
