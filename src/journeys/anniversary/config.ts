import { z } from 'zod';
import { common, localTime, template, topic } from '../../config/journey-config';

/** The anniversary journey's configuration (journeys.anniversary): the brief's defaults, each overridable. */
export const anniversaryConfig = z
  .strictObject({
    ...common,
    ...topic('offers'),
    sendAt: localTime.default('09:00'),
    templates: z.strictObject({ anniversary: template.default('anniversary') }).prefault({}),
  })
  .prefault({});
