import express, { Router, type Request, type RequestHandler } from 'express';
import type { Pool } from 'pg';
import MessagingResponse from 'twilio/lib/twiml/MessagingResponse';
import { validateRequest } from 'twilio/lib/webhooks/webhooks';
import type { MessagingConfig } from '../config/schema';
import { findMessage, recordMessageEvent } from '../db/message-events';
import { findShortLink } from '../db/short-links';
import { customersByPhone, lastTextTo } from '../db/sms-inbound';
import { MARKETING, setSubscription } from '../db/subscriptions';
import { normalizePhone } from '../shared/phone-number';
import type { SmsReplyKeyword } from '../templates/sms';
import { recordSmsDelivery, type SmsDeliveryStatus } from '../db/sms-delivery';
import { Events, type CustomerEvent } from '../shared/events';
import { SMS_INBOUND_PATH, SMS_STATUS_PATH } from '../shared/sms-paths';
import { ApiError } from './errors';
import { emailEvent } from './tracking-events';

export interface SmsRoutesDeps {
  pool: Pool;
  /** Where the provider calls us (PUBLIC_URL): Twilio signs the full URL it called. */
  publicUrl: string;
  /** Twilio's auth token, which signs its callbacks; undefined: the callbacks are refused. */
  authToken: string | undefined;
  accept: (event: CustomerEvent) => Promise<unknown>;
  /** The replies to STOP, START and HELP, in the customer's language and the brand's name; absent: no reply. */
  replies?: {
    renderer: {
      renderSmsReply(keyword: SmsReplyKeyword, locale: string | undefined, data: object): Promise<{ text: string }>;
    };
    messaging: () => MessagingConfig;
  };
}

/** The keywords carriers and Twilio recognise (and the German ones), by what they ask for. */
const KEYWORDS: Record<string, SmsReplyKeyword> = {
  STOP: 'stop',
  STOPALL: 'stop',
  UNSUBSCRIBE: 'stop',
  CANCEL: 'stop',
  END: 'stop',
  QUIT: 'stop',
  STOPP: 'stop',
  START: 'start',
  YES: 'start',
  UNSTOP: 'start',
  HELP: 'help',
  INFO: 'help',
  HILFE: 'help',
};

/** Twilio posts its callbacks urlencoded, with twenty-odd fields (more than our own forms take). */
const twilioForm = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 100 });

const FINAL: SmsDeliveryStatus[] = ['delivered', 'undelivered', 'failed'];

/**
 * The SMS provider's side: delivery reports (POST /v1/sms/status, signed with Twilio's scheme)
 * and the short links in texts (GET /s/<token>), which count clicks as email links do.
 */
export function smsRouter(deps: SmsRoutesDeps): Router {
  const router = Router();

  router.post(SMS_STATUS_PATH, twilioForm, signedByTwilio(deps), async (req, res) => {
    const body = req.body as Record<string, string>;
    const status = FINAL.find((s) => s === body.MessageStatus);
    // queued, sending, sent: on its way; only the end of the story is recorded.
    if (status && body.MessageSid) {
      const code = Number(body.ErrorCode) || undefined;
      await recordSmsDelivery(deps.pool, body.MessageSid, status, code, new Date());
    }
    res.status(204).end();
  });

  // A text a customer sent us: STOP ends their marketing texts (a transactional one still goes),
  // START opts them in again, HELP says who we are; each is answered in their language (TwiML).
  router.post(SMS_INBOUND_PATH, twilioForm, signedByTwilio(deps), async (req, res) => {
    const body = req.body as Record<string, string>;
    const keyword = KEYWORDS[(body.Body ?? '').trim().split(/\s+/)[0].toUpperCase()];
    const phone = normalizePhone(body.From ?? '');
    const reply = new MessagingResponse();
    if (keyword && phone) {
      const customers = await customersByPhone(deps.pool, phone);
      for (const customer of customers) await applyKeyword(deps, keyword, customer.id, body.MessageSid ?? phone);
      if (deps.replies) {
        const messaging = deps.replies.messaging();
        const locale = customers[0]?.locale ?? messaging.defaultLocale;
        const { text } = await deps.replies.renderer.renderSmsReply(keyword, locale, { brand: messaging.brand });
        reply.message(text);
      }
    }
    res.type('text/xml').send(reply.toString());
  });

  router.get('/s/:token', async (req: Request<{ token: string }>, res) => {
    const link = await findShortLink(deps.pool, req.params.token);
    const message = link && (await findMessage(deps.pool, link.messageId));
    if (!link || !message) throw new ApiError(404, 'not_found', 'Unknown link');
    await recordMessageEvent(deps.pool, message.id, 'clicked', link.url);
    await deps.accept(emailEvent(Events.SmsLinkClicked, message, { url: link.url }, link.url));
    res.redirect(302, link.url);
  });

  return router;
}

/**
 * STOP and START change the customer's SMS marketing consent at once (the next text is decided on
 * it), and are stored as events too, so their workflow and statistics hear of them.
 */
async function applyKeyword(deps: SmsRoutesDeps, keyword: SmsReplyKeyword, customerId: string, sid: string) {
  if (keyword === 'help') return;
  const stop = keyword === 'stop';
  const reason = `${keyword.toUpperCase()} by text`;
  await setSubscription(deps.pool, customerId, MARKETING, stop ? 'unsubscribed' : 'subscribed', reason, 'sms');
  const last = stop ? await lastTextTo(deps.pool, customerId) : undefined;
  if (last) await recordMessageEvent(deps.pool, last.id, 'unsubscribed');
  await deps.accept({
    messageId: `sms-${keyword}:${sid}:${customerId}`,
    type: 'track',
    event: stop ? Events.Unsubscribed : Events.SmsOptedIn,
    userId: customerId,
    timestamp: new Date().toISOString(),
    properties: { channel: 'sms', topic: MARKETING, reason },
  });
}

/** Refuses (403) a callback whose X-Twilio-Signature does not verify with our auth token. */
function signedByTwilio(deps: SmsRoutesDeps): RequestHandler {
  return (req, _res, next) => {
    const signature = req.get('x-twilio-signature');
    const url = `${deps.publicUrl}${req.originalUrl}`;
    const params = (req.body ?? {}) as Record<string, string>;
    if (!deps.authToken || !signature || !validateRequest(deps.authToken, signature, url, params)) {
      return next(new ApiError(403, 'forbidden', 'X-Twilio-Signature does not verify'));
    }
    next();
  };
}
