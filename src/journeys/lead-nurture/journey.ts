import type { JourneyConfigs } from '../../config/schema';
import type { JourneyInput, JourneyResult } from '../../shared/journey';
import { defineJourney } from '../../workflows/dsl/journey-entry';
import { runJourney } from '../../workflows/dsl/run-journey';

type Config = JourneyConfigs['leadNurture'];

/**
 * Lead nurture drip, on a captured lead.
 * Send the configured emails in order, each its `after` past the previous one (the first, past
 * the capture): by default 1 day, then 3 days, then 7 days.
 * Ends the moment the lead converts (by default, their first order).
 */
export async function leadNurture(input: JourneyInput<Config>): Promise<JourneyResult> {
  return runJourney(input, { goal: input.config.conversion }, async (j) => {
    for (const [index, email] of j.config.emails.entries()) {
      const step = `nurture-${index + 1}`;
      await j.wait(email.after, `waiting for ${step}`);
      await j.send(step, email.template);
    }
  });
}

export const leadNurtureJourney = defineJourney({
  name: 'lead-nurture',
  config: 'leadNurture',
  workflow: leadNurture,
  startsOn: (c) => [c.trigger],
  reentry: () => 'once',
  listensTo: (c) => [c.conversion],
});
