import { z } from 'zod';
import { common, duration, template, topic } from '../../config/journey-config';

/** The browse-abandonment journey's configuration (journeys.browseAbandonment): the brief's defaults, each overridable. */
export const browseAbandonmentConfig = z
  .strictObject({
    ...common,
    ...topic('reminders'),
    remindAfter: duration.default('4 hours'),
    reentryCooldown: duration.default('7 days'),
    templates: z.strictObject({ reminder: template.default('browse-reminder') }).prefault({}),
  })
  .prefault({});
