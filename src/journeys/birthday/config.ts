import { z } from 'zod';
import { common, incentive, localTime, template, topic } from '../../config/journey-config';

/** The birthday journey's configuration (journeys.birthday): the brief's defaults, each overridable. */
export const birthdayConfig = z
  .strictObject({
    ...common,
    ...topic('offers'),
    sendAt: localTime.default('09:00'),
    offer: incentive.default({ code: 'BIRTHDAY15', percentOff: 15 }),
    templates: z.strictObject({ offer: template.default('birthday-offer') }).prefault({}),
  })
  .prefault({});
