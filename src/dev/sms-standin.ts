import { setMaxListeners } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { renderSmsInbox } from './sms-standin-page';
import { listenOnLoopback } from './listen';
import {
  reason,
  twilioError,
  authorized,
  formField,
  phoneNumber,
  newSid,
  segmentsOf,
  preview,
  messageResource,
  statusParams,
  inboundParams,
  twimlMessages,
  API_VERSION,
  E164,
} from './sms-standin-twilio';

export interface SmsStandinSettings {
  port: number;
  accountSid: string;
  authToken: string;
  /** Where inbound texts are posted (our API's Twilio inbound webhook); optional. */
  inboundUrl?: string;
  /** Our own number customers text to; default the `from` of the last text sent, else '+15005550006'. */
  ourNumber?: string;
  log?: (line: string) => void;
}

export interface StandinSms {
  sid: string;
  to: string;
  from: string;
  body: string;
  numSegments: number;
  /** 'received' is an inbound text's status, as Twilio names it. */
  status: 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'received';
  errorCode?: number;
  /** 'outbound-reply': the TwiML answer to an inbound text, as Twilio names it. */
  direction: 'outbound-api' | 'outbound-reply' | 'inbound';
  /** Sent through a Messaging Service instead of from a number. */
  messagingServiceSid?: string;
  createdAt: string;
}

export interface SmsStandin {
  /** The base URL, in place of https://api.twilio.com. */
  url: string;
  messages(): StandinSms[];
  /** A customer texts us: posts Twilio's inbound webhook to `inboundUrl` and keeps any TwiML reply. */
  replyFrom(from: string, body: string, to?: string): Promise<{ status: number; twiml: string }>;
  stop(): Promise<void>;
}

/** Twilio's test "From" number that always works. */
const FALLBACK_NUMBER = '+15005550006';
const MAX_BODY_CHARS = 1600;
const STEP_MS = 50;
const CALLBACK_ATTEMPTS = 3;
const CALLBACK_RETRY_MS = 200;

type Outcome = Pick<StandinSms, 'status' | 'errorCode'>;

/** Twilio's test numbers that are refused outright, so tests choose the error by the number. */
const REFUSED_TO: Record<string, { code: number; message: (to: string) => string }> = {
  '+15005550001': { code: 21211, message: (to) => `The 'To' number ${to} is not a valid phone number.` },
  '+15005550009': { code: 21614, message: (to) => `'To' number ${to} is not a mobile number` },
};

/** The statuses a text goes through after 'queued'; a few numbers choose a bad ending. */
const LIFECYCLE: Record<string, Outcome[]> = {
  '+15005550004': [{ status: 'sent' }, { status: 'undelivered', errorCode: 30003 }], // unreachable
  '+15005550005': [{ status: 'failed', errorCode: 30005 }], // unknown destination: never sent
};
const DELIVERED: Outcome[] = [{ status: 'sent' }, { status: 'delivered' }];

/**
 * Twilio's Messages API, as much of it as our worker uses, on loopback: the official `twilio`
 * client sends texts here, status callbacks and inbound texts are posted signed as Twilio signs
 * them, and a web page shows every text. Logs one line per text.
 */
export async function startSmsStandin(settings: SmsStandinSettings): Promise<SmsStandin> {
  const log = settings.log ?? (() => {});
  const texts: StandinSms[] = [];
  const stopping = new AbortController();
  // Every text on its way waits on this one signal: a burst is many listeners, not a leak.
  setMaxListeners(0, stopping.signal);
  const background = new Set<Promise<void>>();

  const lastSent = () => texts.filter((t) => t.direction === 'outbound-api').at(-1);
  const ourNumber = () => settings.ourNumber ?? lastSent()?.from ?? FALLBACK_NUMBER;

  function keep(text: StandinSms): StandinSms {
    texts.push(text);
    const who = text.direction === 'inbound' ? `from ${text.from}` : `to ${text.to}`;
    log(`[sms] ${who}: ${preview(text.body)}`);
    return text;
  }

  /** Work that goes on after the answer; stop() ends it, and nothing in it can crash the stand-in. */
  function inBackground(work: () => Promise<void>): void {
    const running: Promise<void> = work()
      .catch((err: unknown) => {
        if (!stopping.signal.aborted) log(`[sms] ${reason(err)}`);
      })
      .finally(() => background.delete(running));
    background.add(running);
  }

  function postSigned(url: string, params: Record<string, string>) {
    return fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': getExpectedTwilioSignature(settings.authToken, url, params),
      },
      body: new URLSearchParams(params),
      signal: stopping.signal,
    });
  }

  async function postCallback(url: string, params: Record<string, string>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let failure: string;
      try {
        const res = await postSigned(url, params);
        await res.arrayBuffer();
        if (res.ok) return;
        failure = `HTTP ${res.status}`;
      } catch (err) {
        if (stopping.signal.aborted) return;
        failure = reason(err);
      }
      const what = `[sms] status callback '${params.MessageStatus}' for ${params.MessageSid} to ${url}`;
      log(`${what} failed (${failure}), attempt ${attempt} of ${CALLBACK_ATTEMPTS}`);
      if (attempt === CALLBACK_ATTEMPTS) return;
      await sleep(CALLBACK_RETRY_MS * attempt, undefined, { signal: stopping.signal });
    }
  }

  /** Moves a text on from 'queued' as a carrier would, telling `statusCallback` each step in order. */
  async function deliver(text: StandinSms, statusCallback?: string): Promise<void> {
    for (const step of LIFECYCLE[text.to] ?? DELIVERED) {
      await sleep(STEP_MS, undefined, { signal: stopping.signal });
      Object.assign(text, step);
      if (statusCallback) await postCallback(statusCallback, statusParams(text, settings.accountSid));
    }
  }

  const app = express();
  app.disable('x-powered-by');

  app.post(
    `/${API_VERSION}/Accounts/:AccountSid/Messages.json`,
    express.urlencoded({ extended: false }),
    (req, res) => {
      if (!authorized(req.get('authorization'), req.params.AccountSid, settings)) {
        res.set('WWW-Authenticate', 'Basic realm="Twilio API"');
        return twilioError(res, 401, 20003, 'Authenticate');
      }
      const form = (req.body ?? {}) as Record<string, unknown>;
      const to = formField(form, 'To');
      const from = formField(form, 'From');
      const messagingServiceSid = formField(form, 'MessagingServiceSid');
      const body = formField(form, 'Body');
      const statusCallback = formField(form, 'StatusCallback');
      if (!to) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
      if (!from && !messagingServiceSid) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
      if (!body) return twilioError(res, 400, 21602, 'Message body is required.');
      if (body.length > MAX_BODY_CHARS) {
        return twilioError(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
      }
      if (!E164.test(to)) return twilioError(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
      const refused = REFUSED_TO[to];
      if (refused) return twilioError(res, 400, refused.code, refused.message(to));

      const text = keep({
        sid: newSid(),
        to,
        from: from ?? ourNumber(),
        body,
        numSegments: segmentsOf(body),
        status: 'queued',
        direction: 'outbound-api',
        messagingServiceSid,
        createdAt: new Date().toISOString(),
      });
      res.status(201).json(messageResource(text, settings.accountSid));
      inBackground(() => deliver(text, statusCallback));
    },
  );

  async function replyFrom(from: string, body: string, to = ourNumber()): Promise<{ status: number; twiml: string }> {
    const inboundUrl = settings.inboundUrl;
    if (!inboundUrl) throw new Error('The SMS stand-in has no inboundUrl to post inbound texts to');
    const customer = phoneNumber(from);
    if (!customer) throw new Error(`${from} is not a phone number in E.164 format (+ and digits)`);
    const inbound = keep({
      sid: newSid(),
      to,
      from: customer,
      body,
      numSegments: segmentsOf(body),
      status: 'received',
      direction: 'inbound',
      createdAt: new Date().toISOString(),
    });
    const res = await postSigned(inboundUrl, inboundParams(inbound, settings.accountSid));
    const twiml = await res.text();
    // Twilio acts on TwiML only in a successful answer.
    if (res.ok) {
      for (const reply of twimlMessages(twiml)) {
        const text = keep({
          sid: newSid(),
          to: customer,
          from: to,
          body: reply,
          numSegments: segmentsOf(reply),
          status: 'queued',
          direction: 'outbound-reply',
          createdAt: new Date().toISOString(),
        });
        inBackground(() => deliver(text));
      }
    }
    return { status: res.status, twiml };
  }

  const newestFirst = () => texts.map((t) => ({ ...t })).reverse();

  app.get('/api/messages', (_req, res) => {
    res.json(newestFirst());
  });
  app.delete('/api/messages', (_req, res) => {
    texts.length = 0;
    res.status(204).end();
  });
  app.post('/api/inbound', express.json(), async (req, res) => {
    const { from, body, to } = (req.body ?? {}) as Record<string, unknown>;
    if (typeof from !== 'string' || typeof body !== 'string' || !body || (to !== undefined && typeof to !== 'string')) {
      res.status(400).json({ error: 'Send JSON { from, body, to? } with strings' });
      return;
    }
    if (!phoneNumber(from)) {
      res.status(400).json({ error: `${from} is not a phone number in E.164 format (+ and digits)` });
      return;
    }
    if (!settings.inboundUrl) {
      res.status(503).json({ error: 'No inboundUrl is set: there is nowhere to post inbound texts' });
      return;
    }
    try {
      res.json(await replyFrom(from, body, to || undefined));
    } catch (err) {
      // Our API could not be reached.
      res.status(502).json({ error: reason(err) });
    }
  });
  app.get('/', (_req, res) => {
    // The page's "text us as" form starts with the customer we texted last.
    res.type('html').send(renderSmsInbox(newestFirst(), { suggestedFrom: lastSent()?.to ?? '' }));
  });

  const server = await listenOnLoopback(app, settings.port);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    messages: newestFirst,
    replyFrom,
    async stop() {
      stopping.abort();
      await Promise.all(background);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
