import { z } from 'zod';
import { common, duration, incentive, template, topic } from '../../config/journey-config';

/** The re-engagement journey's configuration (journeys.reengagement): the brief's defaults, each overridable. */
export const reengagementConfig = z
  .strictObject({
    ...common,
    ...topic('offers'),
    silenceAfter: duration.default('90 days'),
    winBackAfter: duration.default('30 days'),
    sunsetAfter: duration.default('30 days'),
    sunsetGroup: z.string().default('sunset'),
    reentryCooldown: duration.default('30 days'),
    offer: incentive.default({ code: 'MISSYOU20', percentOff: 20 }),
    templates: z
      .strictObject({
        checkIn: template.default('reengagement-check-in'),
        winBack: template.default('win-back'),
      })
      .prefault({}),
  })
  .prefault({});
