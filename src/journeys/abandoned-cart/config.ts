import { z } from 'zod';
import { common, duration, incentive, template, topic } from '../../config/journey-config';

/** The abandoned-cart journey's configuration (journeys.abandonedCart): the brief's defaults, each overridable. */
export const abandonedCartConfig = z
  .strictObject({
    ...common,
    ...topic('reminders'),
    firstReminderAfter: duration.default('1 hour'),
    secondReminderAfter: duration.default('24 hours'),
    incentive: incentive.default({ code: 'COMEBACK10', percentOff: 10 }),
    /** The incentive goes by text to customers who agreed to texts (by email otherwise); false: always email. */
    incentiveBySms: z.boolean().default(true),
    /** Still no order this long after the incentive: the cart is lost. */
    lostAfter: duration.default('3 days'),
    /** Told of a lost cart (a signed POST: the shop's CRM, say); null: no call. */
    lostCartWebhook: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
      .nullable()
      .default(null),
    templates: z
      .strictObject({
        reminder: template.default('cart-reminder'),
        reminderWithIncentive: template.default('cart-reminder-incentive'),
      })
      .prefault({}),
  })
  .prefault({});
