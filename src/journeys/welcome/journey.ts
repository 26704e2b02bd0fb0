import { patched } from '@temporalio/workflow';
import type { JourneyConfigs } from '../../config/schema';
import { Events, leavesEmailMarketing } from '../../shared/events';
import type { JourneyInput, JourneyResult } from '../../shared/journey';
import { after } from '../../workflows/dsl/after';
import { defineJourney } from '../../workflows/dsl/journey-entry';
import { runJourney } from '../../workflows/dsl/run-journey';

type Config = JourneyConfigs['welcome'];

/**
 * Welcome series with double opt-in, on sign-up.
 * Immediately: ask them to confirm their address (transactional; skipped when double opt-in is off).
 * Not confirmed after 2 days: remind them once (transactional); still not confirmed 5 days later: give up.
 * Once confirmed: welcome them, with the sign-up incentive.
 * 2 days after the welcome: our best content.
 * Not opened 3 days after the welcome: the welcome again, with another subject (an open by Apple's
 * privacy proxy or a link scanner is nobody's open).
 * 7 days after the welcome: ask them to complete their profile and tell us their interests.
 * Only an unsubscribe stops it. A purchase does not: buying something must not cut the
 * confirmation short, so this series has no goal on purpose (keep it simple).
 */
export async function welcome(input: JourneyInput<Config>): Promise<JourneyResult> {
  return runJourney(input, { exitOn: [leavesEmailMarketing] }, async (j) => {
    // Asked before the first await (decision 23): runs started before the resend replay without it.
    const resends = patched(WELCOME_RESEND_PATCH);
    const { templates } = j.config;
    // A shop that collects consent elsewhere turned double opt-in off: nothing to confirm.
    // (Runs started before the setting existed have no value: they asked, as it defaults to on.)
    if (input.messaging.doubleOptIn !== false) {
      await j.send('confirm', templates.confirm, { transactional: true });
      const confirmed = await j.waitFor(
        Events.EmailConfirmed,
        j.config.confirmReminderAfter,
        'waiting for confirmation',
      );
      if (!confirmed) {
        await j.send('confirm-reminder', templates.confirmReminder, { transactional: true });
        const late = await j.waitFor(Events.EmailConfirmed, j.config.confirmGiveUpAfter, 'waiting after reminder');
        if (!late) j.exit('never confirmed');
      }
    }

    const welcomed = await j.send('welcome', templates.welcome, { data: { incentive: j.config.incentive } });
    const welcomedAt = Date.now();

    await j.waitUntil(after(welcomedAt, j.config.bestContentAfter), 'waiting to send best content');
    await j.send('best-content', templates.bestContent);

    // Opens since the welcome went out count, those before the best content too. (A customer run
    // whose configuration predates the resend has no resendAfter: it resends nothing.)
    const { resendAfter } = j.config;
    if (resends && resendAfter && welcomed.status === 'sent') {
      const opened = await j.waitForOpen('welcome', after(welcomedAt, resendAfter).getTime() - Date.now());
      if (!opened) await j.send('welcome-resend', templates.welcomeResend, { data: { incentive: j.config.incentive } });
    }

    await j.waitUntil(after(welcomedAt, j.config.profileAfter), 'waiting to ask for the profile');
    await j.send('complete-profile', templates.completeProfile);
  });
}

/** Since this patch an unopened welcome is sent again (`welcome-resend`). */
export const WELCOME_RESEND_PATCH = 'welcome-resend';

export const welcomeJourney = defineJourney({
  name: 'welcome',
  config: 'welcome',
  workflow: welcome,
  startsOn: (c) => [c.trigger],
  reentry: () => 'once',
  listensTo: () => [Events.EmailConfirmed, Events.Unsubscribed],
});
