import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';
import { DEFAULT_FRESHNESS_WINDOW } from '../shared/customer';
import { senderAddress } from './sender';

// The journey configuration: every timing, threshold and template name a journey uses.
// Defaults are the marketing brief's; a JSON file (JOURNEYS_CONFIG) and JOURNEYS__a__b=value
// environment variables override them. Durations read like "2 days", "1 hour", "90m".

const duration = z.string().refine(
  (v) => {
    try {
      return msToNumber(v as never) > 0;
    } catch {
      return false;
    }
  },
  { message: 'expected a duration such as "2 days", "1 hour" or "90m"' },
);
const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time as HH:MM (24-hour)');
const template = z.string().min(1);
const share = z.number().min(0).max(1);
const cap = z.strictObject({ max: z.number().int().positive(), per: duration });
const topicId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected a topic id such as offers (lower case, digits, dashes)');
/** The subscription topic a journey's marketing belongs to: customers may leave one topic and keep the others. */
const topic = (id: string) => ({ topic: topicId.default(id) });

/** What every journey has: an on/off switch, a holdout share, A/B variants, a group on finish. */
const common = {
  enabled: z.boolean().default(true),
  /** Share of entrants (0..1) who enter but receive nothing, to measure lift. */
  holdoutShare: share.default(0),
  /** A/B split, deterministic per customer; empty means no split. */
  variants: z.array(z.strictObject({ name: z.string().min(1), weight: z.number().positive() })).default([]),
  /** On finish, copy the customer to a group, or move them there (leaving `from`). */
  finish: z
    .strictObject({
      group: z.string().min(1),
      from: z.array(z.string()).default([]),
      on: z.array(z.string()).optional(),
    })
    .optional(),
};

const incentive = z.strictObject({ code: z.string(), percentOff: z.number().positive().max(100) });

export const configSchema = z
  .strictObject({
    lifecycle: z
      .strictObject({
        repeatAfterOrders: z.number().int().min(2).default(2),
        loyalAfterOrders: z.number().int().min(2).default(5),
        loyalAfterSpend: z.number().positive().default(1000),
        atRiskAfter: duration.default('60 days'),
        lapsedAfter: duration.default('180 days'),
      })
      .prefault({}),
    customer: z
      .strictObject({
        /** How many recent messageIds each customer workflow remembers for dedupe. */
        dedupeWindow: z.number().int().min(100).default(1000),
        /** History length at which the customer workflow continues as new. */
        historyLimit: z.number().int().min(200).max(40_000).default(1500),
        /**
         * An event older than this (by its timestamp) is history, not news: it updates the profile and
         * reaches running journeys, but starts none. A backfilled order from 2012 sends no confirmation today.
         */
        freshnessWindow: duration.default(DEFAULT_FRESHNESS_WINDOW),
      })
      .prefault({}),
    messaging: z
      .strictObject({
        defaultTimezone: z.string().default('UTC'),
        defaultLocale: z.string().default('en'),
        /** The From header of every email: one mailbox, optionally with a name. Its domain names every Message-ID. */
        from: z
          .string()
          .refine((v) => senderAddress(v) !== undefined, 'expected one sender, such as "Shop <hello@shop.example>"')
          .default('Journeys Shop <hello@shop.example>'),
        /**
         * Double opt-in: marketing mail only once the customer confirmed their address (the welcome
         * journey asks); until then, transactional mail only. Off for shops that collect consent elsewhere.
         */
        doubleOptIn: z.boolean().default(true),
        /** Shown in every email's footer (CAN-SPAM and GDPR want a postal address). */
        brand: z
          .strictObject({
            name: z.string().default('Journeys Shop'),
            website: z.string().url().default('https://shop.example'),
            address: z.string().default('1 Example Street, 10115 Berlin, Germany'),
          })
          .prefault({}),
        /** Marketing email due inside this local-time window waits for its end; null turns it off. */
        quietHours: z
          .strictObject({ start: localTime, end: localTime })
          .nullable()
          .default({ start: '21:00', end: '08:00' }),
        /**
         * At most this many emails a second go to the SMTP server, from all workers together (your
         * relay's or provider's limit); null: as fast as the workers send.
         */
        maxEmailsPerSecond: z.number().positive().max(100_000).nullable().default(null),
        /** At most `max` marketing messages per customer in any rolling `per` window, on all channels together. */
        frequencyCap: cap.default({ max: 3, per: '7 days' }),
        /**
         * What marketing is about, as the preference centre offers it: a customer may unsubscribe
         * from one topic (on one channel or all) and keep the others. Each journey names its topic.
         */
        topics: z.array(z.strictObject({ id: topicId, names: z.record(z.string(), z.string().min(1)) })).default([
          { id: 'offers', names: { en: 'Offers and discounts', de: 'Angebote und Rabatte' } },
          { id: 'reminders', names: { en: 'Reminders about your cart', de: 'Erinnerungen an deinen Warenkorb' } },
          { id: 'news', names: { en: 'News and tips', de: 'Neuigkeiten und Tipps' } },
        ]),
        /** Text messages (SMS), through Twilio's Messages API: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, SMS_URL. */
        sms: z
          .strictObject({
            /** The sender: a number in E.164 or a Messaging Service SID; null: no texts (an SMS step records `failed`). */
            from: z
              .string()
              .regex(
                /^(\+[1-9]\d{6,14}|MG[0-9a-f]{32})$/,
                'expected a number such as +15017122661 or a Messaging Service SID',
              )
              .nullable()
              .default(null),
            /** Marketing texts due inside this local-time window wait for its end; null turns it off. */
            quietHours: z
              .strictObject({ start: localTime, end: localTime })
              .nullable()
              .default({ start: '21:00', end: '08:00' }),
            /** At most `max` marketing texts per customer in any rolling `per` window (within the cap above). */
            frequencyCap: cap.default({ max: 2, per: '7 days' }),
            /** At most this many texts a second go to the provider, from all workers together; null: no limit. */
            maxPerSecond: z.number().positive().max(10_000).nullable().default(null),
          })
          .prefault({}),
      })
      .prefault({}),
    journeys: z
      .strictObject({
        welcome: z
          .strictObject({
            ...common,
            ...topic('news'),
            trigger: z.string().default('Signed Up'),
            confirmReminderAfter: duration.default('2 days'),
            confirmGiveUpAfter: duration.default('5 days'),
            bestContentAfter: duration.default('2 days'),
            profileAfter: duration.default('7 days'),
            incentive: incentive.default({ code: 'WELCOME10', percentOff: 10 }),
            templates: z
              .strictObject({
                confirm: template.default('welcome-confirm'),
                confirmReminder: template.default('welcome-confirm-reminder'),
                welcome: template.default('welcome'),
                bestContent: template.default('welcome-best-content'),
                completeProfile: template.default('welcome-complete-profile'),
              })
              .prefault({}),
          })
          .prefault({}),
        abandonedCart: z
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
          .prefault({}),
        postPurchase: z
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
          .prefault({}),
        birthday: z
          .strictObject({
            ...common,
            ...topic('offers'),
            sendAt: localTime.default('09:00'),
            offer: incentive.default({ code: 'BIRTHDAY15', percentOff: 15 }),
            templates: z.strictObject({ offer: template.default('birthday-offer') }).prefault({}),
          })
          .prefault({}),
        anniversary: z
          .strictObject({
            ...common,
            ...topic('offers'),
            sendAt: localTime.default('09:00'),
            templates: z.strictObject({ anniversary: template.default('anniversary') }).prefault({}),
          })
          .prefault({}),
        reengagement: z
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
          .prefault({}),
        leadNurture: z
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
          .prefault({}),
        loyalty: z
          .strictObject({
            ...common,
            ...topic('offers'),
            afterOrders: z.number().int().min(1).default(5),
            afterSpend: z.number().positive().default(500),
            /** After the qualifying order, so the ask does not land beside its confirmation. */
            sendAfter: duration.default('3 days'),
            templates: z.strictObject({ reviewAndReferral: template.default('loyalty-review-referral') }).prefault({}),
          })
          .prefault({}),
        browseAbandonment: z
          .strictObject({
            ...common,
            ...topic('reminders'),
            remindAfter: duration.default('4 hours'),
            reentryCooldown: duration.default('7 days'),
            templates: z.strictObject({ reminder: template.default('browse-reminder') }).prefault({}),
          })
          .prefault({}),
        backInStock: z
          .strictObject({
            ...common,
            ...topic('reminders'),
            expireAfter: duration.default('90 days'),
            templates: z.strictObject({ backInStock: template.default('back-in-stock') }).prefault({}),
          })
          .prefault({}),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    // A journey's topic is one the preference centre offers, or its customers could not leave it.
    const topics = new Set(config.messaging.topics.map((t) => t.id));
    for (const [name, journey] of Object.entries(config.journeys)) {
      if ('topic' in journey && !topics.has(journey.topic))
        ctx.addIssue({
          code: 'custom',
          path: ['journeys', name, 'topic'],
          message: `"${journey.topic}" is not one of messaging.topics (${[...topics].join(', ')})`,
        });
    }
  });

export type JourneysConfig = z.infer<typeof configSchema>;
export type JourneyConfigs = JourneysConfig['journeys'];
export type MessagingConfig = JourneysConfig['messaging'];
export type CommonJourneyConfig = Pick<
  JourneyConfigs['welcome'],
  'enabled' | 'holdoutShare' | 'variants' | 'finish' | 'topic'
>;
