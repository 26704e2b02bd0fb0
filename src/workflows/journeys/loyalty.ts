import type { JourneyConfigs } from '../../config/schema';
import { Events } from '../../shared/events';
import type { JourneyInput, JourneyResult } from '../../shared/journey';
import { defineJourney } from '../dsl/journey-entry';
import { runJourney } from '../dsl/run-journey';

type Config = JourneyConfigs['loyalty'];

/**
 * Loyal customer / ambassador, once per customer.
 * On the order that makes them loyal (their 5th order, or 500 spent in total), and 3 days
 * later so it does not land beside the order confirmation: thank them, ask for a review and
 * invite them to refer a friend with their own referral code.
 * One email, then done: nothing can end it early, as there is nothing to wait for.
 */
export async function loyalty(input: JourneyInput<Config>): Promise<JourneyResult> {
  return runJourney(input, {}, async (j) => {
    await j.wait(j.config.sendAfter, 'waiting after the qualifying order');
    await j.send('review-and-referral', j.config.templates.reviewAndReferral, {
      data: { referralCode: referralCode(j.customerId), orders: input.customer.orders },
    });
  });
}

/** The customer's referral code, for the template's referral link (placeholder until referrals exist). */
function referralCode(customerId: string): string {
  return `REF-${customerId}`;
}

export const loyaltyJourney = defineJourney({
  name: 'loyalty',
  config: 'loyalty',
  workflow: loyalty,
  startsOn: () => [Events.OrderCompleted],
  when: (_e, customer, c) => customer.orders >= c.afterOrders || customer.totalSpent >= c.afterSpend,
  reentry: () => 'once',
  listensTo: () => [],
});
