import {
  CancellationScope,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { JourneyConfigs } from '../../config/schema';
import { Events, type CustomerEvent } from '../../shared/events';
import { eventSignal } from '../../shared/signals';
import type { JourneyInput, JourneyResult } from '../../shared/journey';
import { activities, olderPatch } from '../../workflows/dsl/activities';
import { defineJourney } from '../../workflows/dsl/journey-entry';
import type { Journey } from '../../workflows/dsl/journey';
import { runJourney } from '../../workflows/dsl/run-journey';

type Config = JourneyConfigs['reengagement'];

export interface ReengagementInput extends JourneyInput<Config> {
  /** Carried over by continue-as-new: check-ins sent so far, so step names stay unique. */
  checkIns?: number;
  /** Carried over by continue-as-new: when the silence being measured began (ISO 8601). */
  silentSince?: string;
}

/** Opens, clicks and orders are signs of life; a preference update answers the check-in. */
const SIGNS_OF_LIFE: string[] = [
  Events.EmailOpened,
  Events.EmailLinkClicked,
  Events.OrderCompleted,
  Events.PreferenceUpdated,
];
const signOfLife = (e: CustomerEvent): boolean => SIGNS_OF_LIFE.includes(e.event);

/**
 * Since this patch the customer workflow forwards this journey no sign of life: when a wait ends,
 * the journey looks up the last one since the wait began (the events PostgreSQL stored). An open
 * or a click no longer costs a signal and a workflow task of a journey that sleeps for months.
 */
export const SIGNS_OF_LIFE_LOOKED_UP = 'signs-of-life-looked-up';

/**
 * Every restart of the clock adds a few events to the history, for as long as they stay a customer
 * (years): one a silence looked up, or one a forwarded reaction (every day, for a customer whose
 * workflow forwards them, from before the lookup). So at the top of the loop, where nothing but
 * the count of check-ins and the clock is worth keeping, continue as new once the history is long.
 */
const HISTORY_LIMIT = 1500;
const historyIsLong = (): boolean =>
  workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_LIMIT;

/**
 * Re-engagement and win-back, one per customer, from their first sign of life.
 * Silent for 90 days (no open, no click, no order): check in, offering a pause or fewer emails.
 * Still silent 30 days later: a win-back offer.
 * Still silent 30 days after that: sunset. Move them to the sunset group and stop marketing email.
 * Any open, click, order or preference change restarts the clock from the top.
 */
export async function reengagement(input: ReengagementInput): Promise<JourneyResult> {
  return runJourney(input, {}, async (j) => {
    const { silenceAfter, winBackAfter, sunsetAfter, templates, offer } = j.config;
    let checkIns = input.checkIns ?? 0;
    let silentSince = input.silentSince ? Date.parse(input.silentSince) : Date.now();
    for (;;) {
      if (historyIsLong()) {
        await continueAsNew<typeof reengagement>({ ...input, checkIns, silentSince: iso(silentSince) });
      }
      let lifeAt = await lastSignOfLife(j, silentSince, silenceAfter, 'silence');
      if (lifeAt !== undefined) {
        silentSince = lifeAt;
        continue;
      }

      const n = ++checkIns;
      // The delivery layer turns each preference into a link that sets it.
      await j.send(`check-in-${n}`, templates.checkIn, { data: { preferences: ['pause', 'fewer'] } });
      lifeAt = await lastSignOfLife(j, Date.now(), winBackAfter, `after check-in-${n}`);
      if (lifeAt !== undefined) {
        silentSince = lifeAt;
        continue;
      }

      await j.send(`win-back-${n}`, templates.winBack, { data: { offer } });
      lifeAt = await lastSignOfLife(j, Date.now(), sunsetAfter, `after win-back-${n}`);
      if (lifeAt !== undefined) {
        silentSince = lifeAt;
        continue;
      }
      break;
    }
    // The holdout was never asked, so it is not sunset either: it measures what this journey changes.
    if (!j.holdout) await sunset(j, input.parentWorkflowId);
    // The journey has run its course: it ends as `completed`. Should they come back (an order, a
    // sign-in) after the re-entry cooldown, the customer workflow starts it again.
  });
}

/**
 * Waits until `within` has passed since `from`, then returns when the customer last showed a
 * sign of life since `from` (never later than now), or undefined if they stayed silent. A sign
 * forwarded by a customer workflow from before SIGNS_OF_LIFE_LOOKED_UP ends the wait at once.
 */
async function lastSignOfLife(
  j: Journey<Config>,
  from: number,
  within: Duration,
  step: string,
): Promise<number | undefined> {
  const forwarded = await j.waitFor(signOfLife, from + msToNumber(within) - Date.now(), step);
  if (forwarded) return Date.now();
  if (!patched(SIGNS_OF_LIFE_LOOKED_UP)) return undefined;
  const last = await activities.lastEventAfter(j.customerId, SIGNS_OF_LIFE, iso(from));
  return last === null ? undefined : Math.min(Date.parse(last), Date.now());
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Silent for months: stop mailing them, which protects deliverability for everyone else. The
 * customer workflow hears of it as an unsubscribe, so its state (and the admin API) shows it too.
 */
async function sunset(j: Journey<Config>, parentWorkflowId?: string): Promise<void> {
  await j.updateGroups([j.config.sunsetGroup]);
  await CancellationScope.nonCancellable(() => activities.setMarketingConsent(j.customerId, false, 'sunset'));
  // Journeys sunset before this existed replay without the signal.
  if (parentWorkflowId && olderPatch('sunset-tells-customer')) {
    const { workflowId, runId } = workflowInfo();
    const unsubscribed: CustomerEvent = {
      messageId: `sunset-${workflowId}-${runId}`,
      type: 'track',
      event: Events.Unsubscribed,
      userId: j.customerId,
      timestamp: new Date().toISOString(),
      properties: { reason: 'sunset' },
    };
    await getExternalWorkflowHandle(parentWorkflowId)
      .signal(eventSignal, unsubscribed)
      .catch(() => undefined); // the customer was erased meanwhile
  }
}

export const reengagementJourney = defineJourney({
  name: 're-engagement',
  config: 'reengagement',
  workflow: reengagement,
  startsOn: () => [Events.SignedUp, Events.OrderCompleted, Events.Identify],
  reentry: (c) => ({ cooldown: c.reentryCooldown }),
  listensTo: () => [],
  listenedTo: { until: SIGNS_OF_LIFE_LOOKED_UP, events: SIGNS_OF_LIFE },
});
