import type { JourneysConfig } from '../config/schema';
import type { SendOutcome, SendRequest } from '../shared/journey';
import { names } from '../db/send-decision';
import { SMS_STATUS_PATH } from '../shared/sms-paths';
import { numberGone } from '../shared/twilio-errors';
import { shortLinksFor } from '../db/short-links';
import { templateData } from '../templates/context';
import { deliver, type Channel, type DeliveryDeps, type PermanentFailure } from './deliver';
import { whileHeartbeating } from './heartbeat';
import { messageLinks, shortenLinks, type LinkSettings } from '../tracking/links';
import { providerRefusal, type SmsProvider } from './sms-provider';

export interface RenderedText {
  text: string;
  locale: string;
}

export interface SmsRenderer {
  renderSms(template: string, locale: string | undefined, data: Record<string, unknown>): Promise<RenderedText>;
}

export interface SmsDeps extends DeliveryDeps {
  renderer: SmsRenderer;
  links: LinkSettings;
  /** Undefined when no provider is configured: a text is then recorded `failed`, saying so. */
  sms: SmsProvider | undefined;
}

/** The send activity for text messages (the outbox's guarantees: src/activities/deliver.ts, decision 4). */
export function createSendSms(deps: SmsDeps): (req: SendRequest) => Promise<SendOutcome> {
  return (req) =>
    whileHeartbeating(() => deliver(deps, { ...req, channel: 'sms' }, smsChannel(deps, req, deps.config())));
}

function smsChannel(deps: SmsDeps, req: SendRequest, config: JourneysConfig): Channel<RenderedText> {
  const { from } = config.messaging.sms;
  return {
    provider: 'sms',
    perSecond: config.messaging.sms.maxPerSecond,
    render: (messageId, recipient) => {
      const data = templateData(
        {
          customer: { ...names(recipient), phone: recipient.address },
          links: { ...messageLinks(messageId, deps.links) },
          brand: config.messaging.brand,
        },
        req.data,
      );
      return deps.renderer.renderSms(req.template, recipient.locale ?? config.messaging.defaultLocale, data);
    },
    handOff: async ({ text }, recipient, messageId) => {
      if (!deps.sms || !from) throw new SmsNotConfigured();
      const body = await shortenLinks(text, deps.links, (urls) => shortLinksFor(deps.pool, messageId, urls));
      const statusCallback = `${deps.links.publicUrl}${SMS_STATUS_PATH}`;
      return deps.sms.send({ to: recipient.address, from, body, statusCallback });
    },
    permanent: refusal,
    deliveredOnHandOff: false,
  };
}

class SmsNotConfigured extends Error {
  constructor() {
    super('no SMS provider: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and messaging.sms.from');
  }
}

/** A 4xx from the provider is permanent (a 429 asks to come back later); a number it refuses is suppressed. */
function refusal(err: unknown): PermanentFailure | undefined {
  if (err instanceof SmsNotConfigured) return { reason: err.message, suppress: false };
  const refused = providerRefusal(err);
  if (!refused || refused.status < 400 || refused.status >= 500 || refused.status === 429) return undefined;
  const code = refused.code ? ` (${refused.code})` : '';
  return { reason: `SMS provider: ${refused.message}${code}`, suppress: numberGone(refused.code) };
}
