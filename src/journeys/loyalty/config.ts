import { z } from 'zod';
import { audienceRule, common, duration, localTime, template, topic } from '../../config/journey-config';

/** The loyalty journey's configuration (journeys.loyalty): the brief's defaults, each overridable. */
export const loyaltyConfig = z
  .strictObject({
    ...common,
    /** Top spenders and frequent buyers (src/journeys/segments.ts), thresholds in `segments.best-customers`. */
    audience: audienceRule(['best-customers']),
    ...topic('offers'),
    /** The rule before segments, kept for customer runs from before them (deprecated: set segments.best-customers). */
    afterOrders: z.number().int().min(1).default(5),
    afterSpend: z.number().positive().default(500),
    /** After the qualifying order, so the ask does not land beside its confirmation. */
    sendAfter: duration.default('3 days'),
    /** Then at the customer's own hour (when they read our email); for one whose habits are unknown, at this local time. */
    usualTime: localTime.default('10:00'),
    templates: z.strictObject({ reviewAndReferral: template.default('loyalty-review-referral') }).prefault({}),
  })
  .prefault({});
