import { patched } from '@temporalio/workflow';
import type { JourneyConfigs } from '../../config/schema';
import { Events, prop } from '../../shared/events';
import { activities, olderPatch } from '../../workflows/dsl/activities';
import type { JourneyInput, JourneyResult } from '../../shared/journey';
import { defineJourney } from '../../workflows/dsl/journey-entry';
import { runJourney } from '../../workflows/dsl/run-journey';

type Config = JourneyConfigs['loyalty'];

/**
 * Loyal customer / ambassador, once per customer.
 * On the order that makes them one of our best customers (the `best-customers` segment: their 5th
 * order, or 500 spent in total, unless the shop set other thresholds), 3 days later so it does
 * not land beside the order confirmation, at the hour they usually read our email: thank them, ask
 * for a review and invite them to refer a friend with their referral code.
 * The code is the shop's: a `referral_code` on the qualifying order, else the customer's
 * `referral_code` trait. Without one there is nothing to share, and no email.
 * One email, then done: nothing can end it early, as there is nothing to wait for.
 */
export async function loyalty(input: JourneyInput<Config>): Promise<JourneyResult> {
  // Asked first, before anything is awaited (docs/architecture.md, decision 23): runs from before it send at once.
  const atBestTime = patched(BEST_TIME_PATCH);
  return runJourney(input, {}, async (j) => {
    await j.wait(j.config.sendAfter, 'waiting after the qualifying order');
    // Runs from before referral codes came from the shop replay with the code they were sent.
    const referralCode = olderPatch('referral-code-from-shop')
      ? (prop(input.trigger, REFERRAL_CODE) ?? (await activities.profileTrait(j.customerId, REFERRAL_CODE)))
      : `REF-${j.customerId}`;
    if (!referralCode) return j.exit('no referral code from the shop');
    await j.send('review-and-referral', j.config.templates.reviewAndReferral, {
      data: { referralCode, orders: input.customer.orders },
      ...(atBestTime ? { at: 'best-time' as const, usualTime: j.config.usualTime } : {}),
    });
  });
}

/** Since this patch the ask goes out at the customer's best time (send-time optimisation). */
const BEST_TIME_PATCH = 'loyalty-best-time';

/** Where the shop puts a customer's referral code: an Order Completed property or an identify trait. */
const REFERRAL_CODE = 'referral_code';

export const loyaltyJourney = defineJourney({
  name: 'loyalty',
  config: 'loyalty',
  workflow: loyalty,
  // On an order, for the customers in its audience (`best-customers`: src/journeys/segments.ts).
  startsOn: () => [Events.OrderCompleted],
  whenBeforeSegments: (_e, customer, c) => customer.orders >= c.afterOrders || customer.totalSpent >= c.afterSpend,
  reentry: () => 'once',
  listensTo: () => [],
});
