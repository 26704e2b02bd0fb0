import type { Pool } from 'pg';
import { configSchema, type MessagingConfig } from '../config/schema';
import type { TrackedMessage } from '../db/message-events';
import { messageLocale, readPreferences, type CustomerPreferences } from '../db/preferences';
import { MARKETING, type ConsentChannel, type SubscriptionStatus } from '../db/subscriptions';
import { httpLink } from '../shared/http-link';
import { localeChain } from '../templates/locale';
import { createPageRenderer, type PageName, type PageRenderer } from '../templates/pages';
import { maskEmail, maskPhone } from './masked-address';
import type { PreferenceChange } from './preference-form';

// The pages behind an email's links (/u/<token>, /c/<token>), in the language the email was
// written in, from the Liquid templates in src/templates/_preferences/. The data they get is
// listed in README.md ("Preference centre"); nothing in it is an address in full.

/** What the preference centre needs besides the database: its pages, and the brand and topics as configured now. */
export interface PreferenceCentreSettings {
  pages: PageRenderer;
  messaging: () => MessagingConfig;
}

export interface PreferenceCentreDeps extends PreferenceCentreSettings {
  pool: Pool;
}

/** The built-in pages with the default configuration's brand and topics (for tests, and apps built without them). */
export function defaultPreferenceCentre(): PreferenceCentreSettings {
  const { messaging } = configSchema.parse({});
  return { pages: createPageRenderer({ defaultLocale: messaging.defaultLocale }), messaging: () => messaging };
}

/** The choice an email's link suggests (?action=): the page highlights its button. */
export type Suggestion = 'pause' | 'fewer' | 'unsubscribe';

interface ChannelChoices {
  id: ConsentChannel;
  /** Masked: a***@example.com, +49 *** ** 78; null when the customer has no such address. */
  address: string | null;
  /** `subscribed`: marketing arrives, by topic; `pending`: not yet confirmed (email) or never opted in (SMS). */
  marketing: SubscriptionStatus;
  topics: { id: string; name: string; subscribed: boolean }[];
}

export interface PreferenceCentre {
  /** The page with the customer's current choices; undefined when the customer is gone (erased). */
  choices(m: TrackedMessage, formAction: string, suggested?: Suggestion): Promise<string | undefined>;
  /** What a change did, with the way back to the choices. */
  done(m: TrackedMessage, change: PreferenceChange, formAction: string): Promise<string>;
  /** The double opt-in's thanks. */
  confirmed(m: TrackedMessage): Promise<string>;
}

export function preferenceCentre(deps: PreferenceCentreDeps): PreferenceCentre {
  /** The page in the message's language, with what every page shows (the brand). */
  async function render(name: PageName, m: TrackedMessage, data: (ctx: PageContext) => Record<string, unknown>) {
    const messaging = deps.messaging();
    const locale = await deps.pages.pageLocale(name, (await messageLocale(deps.pool, m.id)) ?? undefined);
    const ctx = { messaging, locale };
    const brand = { ...messaging.brand, website: httpLink(messaging.brand.website) };
    return (await deps.pages.renderPage(name, locale, { brand, ...data(ctx) })).html;
  }

  return {
    async choices(m, formAction, suggested) {
      const prefs = await readPreferences(deps.pool, m.customerId);
      if (!prefs) return undefined;
      return render('page', m, (ctx) => ({
        form_action: formAction,
        suggested: suggested ?? null,
        paused_until: pausedUntil(prefs, ctx.locale),
        fewer: prefs.frequency === 'fewer',
        email: channelChoices('email', prefs, ctx),
        sms: prefs.phone ? channelChoices('sms', prefs, ctx) : null,
      }));
    },
    done: (m, change, formAction) =>
      render('done', m, (ctx) => ({
        back_url: formAction,
        change: {
          action: change.action,
          channel: 'channel' in change ? change.channel : null,
          topic: 'topic' in change ? change.topic : null,
          topic_name: 'topic' in change && change.topic !== MARKETING ? topicName(change.topic, ctx) : null,
        },
      })),
    confirmed: (m) => render('confirmed', m, () => ({})),
  };
}

interface PageContext {
  messaging: MessagingConfig;
  /** The locale the page is rendered in. */
  locale: string;
}

function channelChoices(channel: ConsentChannel, prefs: CustomerPreferences, ctx: PageContext): ChannelChoices {
  const consent = prefs.consent[channel];
  // As the send decision reads it (src/db/send-decision.ts): texts need an explicit opt-in.
  const fallback = channel === 'sms' || ctx.messaging.doubleOptIn ? 'pending' : 'subscribed';
  const address = channel === 'email' ? prefs.email && maskEmail(prefs.email) : prefs.phone && maskPhone(prefs.phone);
  return {
    id: channel,
    address,
    marketing: consent[MARKETING] ?? fallback,
    topics: ctx.messaging.topics.map(({ id }) => ({
      id,
      name: topicName(id, ctx),
      subscribed: consent[id] !== 'unsubscribed',
    })),
  };
}

/** The topic's name in the page's language, else its language's, the default locale's, English, or its id. */
function topicName(id: string, ctx: PageContext): string {
  const names = ctx.messaging.topics.find((t) => t.id === id)?.names ?? {};
  const chain = [...localeChain(ctx.locale, ctx.messaging.defaultLocale), 'en'];
  return chain.map((l) => names[l]).find((name) => name !== undefined) ?? id;
}

/** The end of a pause still running, as a date in the page's language and the customer's time zone. */
function pausedUntil(prefs: CustomerPreferences, locale: string): string | null {
  if (!prefs.pausedUntil || prefs.pausedUntil <= new Date()) return null;
  const format = (timeZone?: string) =>
    new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone }).format(prefs.pausedUntil!);
  try {
    return format(prefs.timezone ?? undefined);
  } catch {
    return format(); // a zone Intl does not know
  }
}
