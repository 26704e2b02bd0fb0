import type { Transporter } from 'nodemailer';
import type { JourneysConfig } from '../config/schema';
import { senderAddress } from '../config/sender';
import type { SendOutcome, SendRequest } from '../shared/journey';
import { names, type Recipient } from '../db/send-decision';
import { templateData } from '../templates/context';
import { deliver, type Channel, type DeliveryDeps } from './deliver';
import { whileHeartbeating } from './heartbeat';
import { messageLinks, trackHtml, type LinkSettings } from '../tracking/links';
import { isPermanentSmtpFailure } from './mailer';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  locale: string;
}

export interface Renderer {
  render(template: string, locale: string | undefined, data: Record<string, unknown>): Promise<RenderedEmail>;
}

export interface EmailDeps extends DeliveryDeps {
  mailer: Transporter;
  renderer: Renderer;
  links: LinkSettings;
}

/** The send activity for email (the outbox's guarantees: src/activities/deliver.ts, decision 4). */
export function createSendEmail(deps: EmailDeps): (req: SendRequest) => Promise<SendOutcome> {
  return (req) => whileHeartbeating(() => sendMessage(deps, req));
}

/** One email, decided, rendered, handed off and recorded (the send activity's and a batch's). */
export function sendMessage(deps: EmailDeps, req: SendRequest): Promise<SendOutcome> {
  return deliver(deps, req, emailChannel(deps, req, deps.config()));
}

function emailChannel(deps: EmailDeps, req: SendRequest, config: JourneysConfig): Channel<RenderedEmail> {
  const sender = senderAddress(config.messaging.from)!; // the configuration schema checked it
  return {
    provider: 'smtp',
    perSecond: config.messaging.maxEmailsPerSecond,
    render: (messageId, recipient) => render(deps, req, messageId, recipient, config),
    // A resend of a message interrupted in the hand-off carries its first Message-ID: providers collapse the two.
    header: (messageId, earlier) => earlier ?? `<${messageId}.${req.journey}@${sender.domain}>`,
    handOff: async (email, recipient, messageId, header) => {
      const unsubscribe = messageLinks(messageId, deps.links).unsubscribe;
      await deps.mailer.sendMail({
        from: { name: sender.name, address: sender.address },
        // One recipient, given as an address object (never parsed from text) and as the envelope:
        // no stored value can add a second recipient or a header.
        to: { name: '', address: recipient.address },
        envelope: { from: sender.address, to: [recipient.address] },
        subject: email.subject,
        html: email.html,
        text: email.text,
        messageId: header,
        headers: {
          'X-Journey': req.journey,
          'X-Journey-Step': req.step,
          // RFC 8058 one-click unsubscribe; transactional mail carries it too, harmlessly.
          'List-Unsubscribe': `<${unsubscribe}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      });
      return {};
    },
    // A 5xx reply: the address is suppressed, as a hard bounce is.
    permanent: (err) =>
      isPermanentSmtpFailure(err) ? { reason: `SMTP: ${(err as Error).message}`, suppress: true } : undefined,
    deliveredOnHandOff: true,
  };
}

async function render(
  deps: EmailDeps,
  req: SendRequest,
  messageId: number,
  recipient: Recipient,
  config: JourneysConfig,
): Promise<RenderedEmail> {
  const data = templateData(
    {
      customer: { ...names(recipient), email: recipient.address },
      links: { ...messageLinks(messageId, deps.links) },
      brand: config.messaging.brand,
    },
    req.data,
  );
  const email = await deps.renderer.render(req.template, recipient.locale ?? config.messaging.defaultLocale, data);
  return { ...email, html: trackHtml(email.html, messageId, deps.links) };
}
