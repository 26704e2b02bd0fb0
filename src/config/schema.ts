import { z } from 'zod';
import { DEFAULT_FRESHNESS_WINDOW } from '../shared/customer';
import { senderAddress } from './sender';
import { cap, duration, localTime, topicId } from './journey-config';
import { journeySections } from './journeys';
import { segmentsSection } from './segments';

// The journey configuration: every timing, threshold and template name a journey uses.
// Defaults are the marketing brief's; a JSON file (JOURNEYS_CONFIG) and JOURNEYS__a__b=value
// environment variables override them. Durations read like "2 days", "1 hour", "90m".

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
    /** Named conditions journeys enter, skip or leave by (src/journeys/segments.ts has the shipped ones). */
    segments: segmentsSection,
    journeys: z.strictObject(journeySections).prefault({}),
  })
  .superRefine((config, ctx) => {
    // A journey's audience names segments that exist, or no customer could ever be in it.
    for (const [name, journey] of Object.entries(config.journeys)) {
      for (const key of ['require', 'exclude'] as const)
        journey.audience[key].forEach((segment, i) => {
          if (!(segment in config.segments))
            ctx.addIssue({
              code: 'custom',
              path: ['journeys', name, 'audience', key, i],
              message: `"${segment}" is not a segment (${Object.keys(config.segments).join(', ')})`,
            });
        });
    }
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
  'enabled' | 'audience' | 'holdoutShare' | 'variants' | 'finish' | 'topic'
>;
