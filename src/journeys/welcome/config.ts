import { z } from 'zod';
import { common, duration, incentive, template, topic } from '../../config/journey-config';

/** The welcome journey's configuration (journeys.welcome): the brief's defaults, each overridable. */
export const welcomeConfig = z
  .strictObject({
    ...common,
    ...topic('news'),
    trigger: z.string().default('Signed Up'),
    confirmReminderAfter: duration.default('2 days'),
    confirmGiveUpAfter: duration.default('5 days'),
    bestContentAfter: duration.default('2 days'),
    profileAfter: duration.default('7 days'),
    /** The welcome not opened by a person this long after it went out: send it again, with another subject. */
    resendAfter: duration.default('3 days'),
    incentive: incentive.default({ code: 'WELCOME10', percentOff: 10 }),
    templates: z
      .strictObject({
        confirm: template.default('welcome-confirm'),
        confirmReminder: template.default('welcome-confirm-reminder'),
        welcome: template.default('welcome'),
        welcomeResend: template.default('welcome-resend'),
        bestContent: template.default('welcome-best-content'),
        completeProfile: template.default('welcome-complete-profile'),
      })
      .prefault({}),
  })
  .prefault({});
