import { CancellationScope, continueAsNew, getExternalWorkflowHandle, workflowInfo } from '@temporalio/workflow';
import type { JourneyConfigs } from '../../config/schema';
import { Events, type CustomerEvent } from '../../shared/events';
import { eventSignal } from '../../shared/signals';
import type { JourneyInput, JourneyResult } from '../../shared/journey';
import { activities, olderPatch } from '../dsl/activities';
import { defineJourney } from '../dsl/journey-entry';
import type { Journey } from '../dsl/journey';
import { runJourney } from '../dsl/run-journey';

type Config = JourneyConfigs['reengagement'];

export interface ReengagementInput extends JourneyInput<Config> {
  /** Carried over by continue-as-new: check-ins sent so far, so step names stay unique. */
  checkIns?: number;
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
 * A customer who reacts every day keeps restarting the clock, and every restart adds a few events
 * to the history, for as long as they stay a customer (years). So at the top of the loop, where
 * nothing but the count of check-ins is worth keeping, continue as new once the history is long.
 * A reaction that arrived in the same instant is not lost: the new run starts the clock after it.
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
    for (;;) {
      if (historyIsLong()) await continueAsNew<typeof reengagement>({ ...input, checkIns });
      if (await j.waitFor(signOfLife, silenceAfter, 'silence')) continue;

      const n = ++checkIns;
      // The delivery layer turns each preference into a link that sets it.
      await j.send(`check-in-${n}`, templates.checkIn, { data: { preferences: ['pause', 'fewer'] } });
      if (await j.waitFor(signOfLife, winBackAfter, `after check-in-${n}`)) continue;

      await j.send(`win-back-${n}`, templates.winBack, { data: { offer } });
      if (await j.waitFor(signOfLife, sunsetAfter, `after win-back-${n}`)) continue;
      break;
    }
    // The holdout was never asked, so it is not sunset either: it measures what this journey changes.
    if (!j.holdout) await sunset(j, input.parentWorkflowId);
    // The journey has run its course: it ends as `completed`. Should they come back (an order, a
    // sign-in) after the re-entry cooldown, the customer workflow starts it again.
  });
}

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
  listensTo: () => SIGNS_OF_LIFE,
});
