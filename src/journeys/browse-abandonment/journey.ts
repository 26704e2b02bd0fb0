import type { JourneyConfigs } from '../../config/schema';
import { Events } from '../../shared/events';
import type { JourneyInput, JourneyResult } from '../../shared/journey';
import { defineJourney } from '../../workflows/dsl/journey-entry';
import { runJourney } from '../../workflows/dsl/run-journey';

type Config = JourneyConfigs['browseAbandonment'];

/**
 * Browse abandonment.
 * They looked at a product and put nothing in a cart within 4 hours: show it to them again.
 * Ends the moment they add something to a cart. At most once a week.
 */
export async function browseAbandonment(input: JourneyInput<Config>): Promise<JourneyResult> {
  return runJourney(input, { goal: Events.ProductAdded }, async (j) => {
    await j.wait(j.config.remindAfter, 'waiting for a cart');
    await j.send('reminder', j.config.templates.reminder, { data: { product: input.trigger.properties ?? {} } });
  });
}

export const browseAbandonmentJourney = defineJourney({
  name: 'browse-abandonment',
  config: 'browseAbandonment',
  workflow: browseAbandonment,
  startsOn: () => [Events.ProductViewed],
  reentry: (c) => ({ cooldown: c.reentryCooldown }),
  listensTo: () => [Events.ProductAdded],
});
