import { z } from 'zod';
import { common, duration, template, topic } from '../../config/journey-config';

/** The loyalty journey's configuration (journeys.loyalty): the brief's defaults, each overridable. */
export const loyaltyConfig = z
  .strictObject({
    ...common,
    ...topic('offers'),
    afterOrders: z.number().int().min(1).default(5),
    afterSpend: z.number().positive().default(500),
    /** After the qualifying order, so the ask does not land beside its confirmation. */
    sendAfter: duration.default('3 days'),
    templates: z.strictObject({ reviewAndReferral: template.default('loyalty-review-referral') }).prefault({}),
  })
  .prefault({});
