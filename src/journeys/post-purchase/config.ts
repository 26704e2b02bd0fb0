import { z } from 'zod';
import { common, duration, template, topic } from '../../config/journey-config';

/** The post-purchase journey's configuration (journeys.postPurchase): the brief's defaults, each overridable. */
export const postPurchaseConfig = z
  .strictObject({
    ...common,
    ...topic('offers'),
    crossSellAfter: duration.default('3 days'),
    feedbackAfter: duration.default('14 days'),
    crossSellCount: z.number().int().min(1).max(12).default(3),
    templates: z
      .strictObject({
        confirmation: template.default('order-confirmation'),
        /** The confirmation by text as well (its sms.<locale>.liquid), to customers with a number; null: email only. */
        confirmationText: template.nullable().default(null),
        crossSell: template.default('cross-sell'),
        feedback: template.default('review-request'),
        survey: template.default('satisfaction-survey'),
      })
      .prefault({}),
  })
  .prefault({});
