import { z } from 'zod';
import { common, duration, template, topic } from '../../config/journey-config';

/** The lead-nurture journey's configuration (journeys.leadNurture): the brief's defaults, each overridable. */
export const leadNurtureConfig = z
  .strictObject({
    ...common,
    ...topic('news'),
    trigger: z.string().default('Lead Captured'),
    conversion: z.string().default('Order Completed'),
    emails: z
      .array(z.strictObject({ after: duration, template }))
      .min(1)
      .default([
        { after: '1 day', template: 'nurture-1' },
        { after: '3 days', template: 'nurture-2' },
        { after: '7 days', template: 'nurture-3' },
      ]),
  })
  .prefault({});
