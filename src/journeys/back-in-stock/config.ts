import { z } from 'zod';
import { common, duration, template, topic } from '../../config/journey-config';

/** The back-in-stock journey's configuration (journeys.backInStock): the brief's defaults, each overridable. */
export const backInStockConfig = z
  .strictObject({
    ...common,
    ...topic('reminders'),
    expireAfter: duration.default('90 days'),
    templates: z.strictObject({ backInStock: template.default('back-in-stock') }).prefault({}),
  })
  .prefault({});
