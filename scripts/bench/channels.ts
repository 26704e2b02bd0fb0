// The channels phase of `npm run bench`: one message's latency through each channel's real send
// path, beside the raw hand-off alone to the same receiver, measured in the same run:
//   email    createSendEmail (decide and claim the outbox row, render, mark sending, SMTP, mark
//            sent) to an SMTP sink, beside pooled nodemailer sending the same rendered email there
//   sms      createSendSms through the twilio client to the local Twilio stand-in, beside that
//            same provider object's send of the same text
//   webhook  createCallWebhook to the local Standard Webhooks receiver, beside a signed fetch POST
//            of the same payload
// Each runs one message at a time (latency), then `concurrency` in flight (throughput), every
// message to a customer and idempotency key of its own, on an embedded PostgreSQL of its own: no
// Temporal, worker or API (the activities are called as functions, as the worker calls them).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Pool, QueryResult } from 'pg';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import { createSendEmail, type EmailDeps } from '../../src/activities/email';
import { messageLinks, shortenLinks, trackHtml, type LinkSettings } from '../../src/tracking/links';
import { createMailer } from '../../src/activities/mailer';
import { createSendSms, type SmsDeps } from '../../src/activities/sms';
import { createSmsProvider } from '../../src/activities/sms-provider';
import { createCallWebhook, type WebhookDeps } from '../../src/activities/webhook';
import { configSchema } from '../../src/config/schema';
import { senderAddress } from '../../src/config/sender';
import { migrate } from '../../src/db/migrate';
import { createPool } from '../../src/db/pool';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres';
import { listenOnLoopback } from '../../src/dev/listen';
import { startSmsStandin } from '../../src/dev/sms-standin';
import { startWebhookReceiver } from '../../src/dev/webhook-receiver';
import type { SendOutcome, SendRequest, WebhookOutcome, WebhookRequest } from '../../src/shared/journey';
import { SMS_STATUS_PATH } from '../../src/shared/sms-paths';
import { HTTP_CALL_TIMEOUT_MS } from '../../src/shared/sending';
import { templateData } from '../../src/templates/context';
import { createRenderer } from '../../src/templates/renderer';
import { timed } from './timed';

export type ChannelName = 'email' | 'sms' | 'webhook';

export interface ChannelBenchOptions {
  /** Messages in each run (one at a time, then `concurrency` in flight), per path and channel. */
  messages: number;
  /** Messages in flight in the throughput runs. */
  concurrency: number;
  progress(line: string): void;
}

/** One run of `messages`: each message's latency in ms (sorted), and the wall-clock seconds of the run. */
export interface Run {
  latencies: number[];
  seconds: number;
}

/** Where a message of the real path spent its time, means over the one-at-a-time run (ms). */
export interface Split {
  total: number;
  /** The decision's transaction: a connection from the pool, BEGIN to COMMIT. */
  transaction: number;
  transactionQueries: number;
  /** PostgreSQL's other statements, each on its own: the marks (sending, sent), short links, the webhook's answer. */
  writes: number;
  writeQueries: number;
  /** The template rendered (for email, before its links are made trackable). */
  render: number;
}

/** Milliseconds and statements so far, added up over every message. */
interface Spent {
  transaction: number;
  transactionQueries: number;
  writes: number;
  writeQueries: number;
  render: number;
}

export interface ChannelResult {
  channel: ChannelName;
  /** What the raw baseline is, and the real path. */
  rawPath: string;
  realPath: string;
  raw: { serial: Run; concurrent: Run };
  real: { serial: Run; concurrent: Run };
  split: Split;
}

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'bench-auth-token';
const SMS_FROM = '+15005550006';
const WARM_UP = 20;
const JOURNEY = 'abandoned-cart';
const CART_ITEMS = [
  {
    productId: 'sku-trail-42',
    name: 'Trailblazer Hiking Boot',
    quantity: 1,
    price: 149.95,
    url: 'https://shop.example/p/trailblazer?size=42&color=brown',
    imageUrl: 'https://cdn.shop.example/img/trailblazer.jpg',
  },
  { productId: 'sku-merino-socks', name: 'Merino Socks (2-pack)', quantity: 2, price: 18 },
];
const SMS_DATA = { incentive: { code: 'COMEBACK10', percentOff: 10 }, cartUrl: 'https://shop.example/cart' };

/** Every channel, one after the other; every server it started is stopped, whatever happens. */
export async function benchChannels(opts: ChannelBenchOptions): Promise<ChannelResult[]> {
  const { progress } = opts;
  const cleanup: (() => Promise<void>)[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journeys-bench-channels-'));
  cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  try {
    fs.chmodSync(dir, 0o755); // as root, PostgreSQL runs as its own user and must reach its folder
    progress('starting PostgreSQL, an SMTP sink, the SMS stand-in and the webhook receiver...');
    const postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), persistent: false });
    cleanup.push(() => postgres.stop());
    const pool = createPool(postgres.url, 20); // as the worker's
    cleanup.push(() => pool.end());
    await migrate(pool);

    const sink = await startSmtpSink();
    cleanup.push(sink.stop);
    const standin = await startSmsStandin({ port: 0, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    cleanup.push(() => standin.stop());
    // Where the stand-in reports each text's delivery (the API's route in production): answered, not stored.
    const callbacks = await listenOnLoopback((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    }, 0);
    cleanup.push(() => closed(callbacks));
    const secret = `whsec_${crypto.randomBytes(32).toString('base64')}`;
    const receiver = await startWebhookReceiver({ port: 0, secret });
    cleanup.push(() => receiver.stop());

    const publicUrl = `http://127.0.0.1:${(callbacks.address() as AddressInfo).port}`;
    const links: LinkSettings = { publicUrl, signingSecret: 'bench-signing-secret'.repeat(2) };
    const config = configSchema.parse({
      messaging: {
        quietHours: null,
        frequencyCap: { max: 1_000_000, per: '1 hour' },
        sms: { from: SMS_FROM, quietHours: null, frequencyCap: { max: 1_000_000, per: '1 hour' } },
      },
    });
    // Time waiting on PostgreSQL and rendering, added up, to split a message's time.
    const spent: Spent = { transaction: 0, transactionQueries: 0, writes: 0, writeQueries: 0, render: 0 };
    const renderer = createRenderer({ defaultLocale: 'en' });
    const timedRenderer = {
      render: (...args: Parameters<typeof renderer.render>) => rendering(renderer.render(...args), spent),
      renderSms: (...args: Parameters<typeof renderer.renderSms>) => rendering(renderer.renderSms(...args), spent),
    };
    const base = { pool: timedPool(pool, spent), clock: () => new Date(), config: () => config, links };
    const sms = createSmsProvider({ url: standin.url, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });

    const customers = new Customers(pool);
    const common = { ...opts, spent };
    const results: ChannelResult[] = [];

    // Email: the same rendered cart reminder (its links trackable, as the activity sends it) by raw nodemailer.
    const mailer = createMailer(sink.url);
    cleanup.push(async () => mailer.close());
    const rawMailer = createMailer(sink.url);
    cleanup.push(async () => rawMailer.close());
    const emailDeps: EmailDeps = { ...base, mailer, renderer: timedRenderer, links };
    const sender = senderAddress(config.messaging.from)!;
    const emailData = (i: number) => ({ cartId: `cart-${i}`, items: CART_ITEMS });
    const rendered = await renderer.render(
      'cart-reminder',
      'en',
      templateData(
        {
          customer: { first_name: 'Ada', email: 'raw@bench.test', locale: 'en' },
          links: { ...messageLinks(1, links) },
          brand: config.messaging.brand,
        },
        emailData(0),
      ),
    );
    const html = trackHtml(rendered.html, 1, links);
    const sendEmail = createSendEmail(emailDeps);
    results.push(
      await benchChannel(common, customers, {
        channel: 'email',
        rawPath: 'raw pooled nodemailer sendMail',
        realPath: 'createSendEmail (cart-reminder)',
        raw: async (i) => {
          const address = `raw-${i}@bench.test`;
          await rawMailer.sendMail({
            from: { name: sender.name, address: sender.address },
            to: { name: '', address },
            envelope: { from: sender.address, to: [address] },
            subject: rendered.subject,
            html,
            text: rendered.text,
            messageId: `<raw-${i}@${sender.domain}>`,
            headers: {
              'X-Journey': JOURNEY,
              'X-Journey-Step': 'reminder',
              'List-Unsubscribe': `<${messageLinks(1, links).unsubscribe}>`,
              'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            },
          });
        },
        real: async (key, customerId, i) =>
          sent(
            await sendEmail(send(key, customerId, { step: 'reminder', template: 'cart-reminder', data: emailData(i) })),
          ),
      }),
    );
    const mails = sink.received();
    const expectedMails = 2 * (WARM_UP + 2 * opts.messages);
    if (mails !== expectedMails) throw new Error(`the SMTP sink got ${mails} emails, not ${expectedMails}`);

    // SMS: the text as the activity hands it over (its link shortened), by the same provider object.
    const text = await shortenLinks(
      (
        await renderer.renderSms(
          'cart-reminder-incentive',
          'en',
          templateData(
            {
              customer: { first_name: 'Ada', phone: '+4915100000000', locale: 'en' },
              links: { ...messageLinks(1, links) },
              brand: config.messaging.brand,
            },
            SMS_DATA,
          ),
        )
      ).text,
      links,
      async (urls) => new Map(urls.map((url) => [url, crypto.randomBytes(6).toString('base64url')])),
    );
    const sendSms = createSendSms({ ...base, renderer: timedRenderer, sms } satisfies SmsDeps);
    const statusCallback = `${publicUrl}${SMS_STATUS_PATH}`;
    results.push(
      await benchChannel(common, customers, {
        channel: 'sms',
        rawPath: 'raw twilio messages.create',
        realPath: 'createSendSms (cart-reminder-incentive)',
        raw: async (i) => {
          await sms.send({ to: phone(9_000_000 + i), from: SMS_FROM, body: text, statusCallback });
        },
        real: async (key, customerId) =>
          sent(
            await sendSms(
              send(key, customerId, { step: 'incentive', template: 'cart-reminder-incentive', data: SMS_DATA }),
            ),
          ),
      }),
    );
    const texts = standin.messages().length;
    if (texts !== expectedMails) throw new Error(`the SMS stand-in got ${texts} texts, not ${expectedMails}`);

    // Webhook: the same payload, signed as the activity signs it, by fetch.
    const signer = new Webhook(secret);
    const hook = `${receiver.url}/hooks/crm`;
    const webhookBody = (i: number) => ({ cartId: `cart-${i}`, value: 120 });
    const callWebhook = createCallWebhook({ ...base, webhookSecret: secret } satisfies WebhookDeps);
    results.push(
      await benchChannel(common, customers, {
        channel: 'webhook',
        rawPath: 'raw signed fetch POST',
        realPath: 'createCallWebhook',
        raw: async (i) => {
          const id = `msg_raw_${i}`;
          const now = new Date();
          const payload = JSON.stringify({
            type: `${JOURNEY}.tell-crm`,
            timestamp: now.toISOString(),
            data: { customerId: `raw-${i}`, journey: JOURNEY, step: 'tell-crm', ...webhookBody(i) },
          });
          const res = await fetch(hook, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'webhook-id': id,
              'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
              'webhook-signature': signer.sign(id, now, payload),
            },
            body: payload,
            redirect: 'manual',
            signal: AbortSignal.timeout(HTTP_CALL_TIMEOUT_MS),
          });
          await res.text();
          if (res.status !== 200) throw new Error(`the webhook receiver answered ${res.status}`);
        },
        real: async (key, customerId, i) => {
          const req: WebhookRequest = {
            idempotencyKey: key,
            customerId,
            journey: JOURNEY,
            step: 'tell-crm',
            url: hook,
            body: webhookBody(i),
          };
          sent(await callWebhook(req));
        },
      }),
    );
    const calls = receiver.calls();
    const verified = calls.filter((c) => c.verified && !c.duplicate).length;
    if (verified !== calls.length || calls.length !== expectedMails)
      throw new Error(`the webhook receiver verified ${verified} of ${calls.length} calls, ${expectedMails} expected`);
    progress(
      `every message arrived once: ${mails} emails at the sink, ${texts} texts at the stand-in, ${verified} verified webhook calls`,
    );
    return results;
  } finally {
    for (const stop of cleanup.reverse()) {
      await stop().catch((err: unknown) => console.error(`  cleanup: ${err instanceof Error ? err.message : err}`));
    }
  }
}

interface ChannelPaths {
  channel: ChannelName;
  rawPath: string;
  realPath: string;
  /** The raw hand-off of message `i`. */
  raw(i: number): Promise<void>;
  /** Message `i` through the real path, with its own idempotency key and customer. */
  real(key: string, customerId: string, i: number): Promise<void>;
}

/** Warm-up, then raw and real one at a time, then raw and real `concurrency` in flight. */
async function benchChannel(
  opts: ChannelBenchOptions & { spent: Spent },
  customers: Customers,
  paths: ChannelPaths,
): Promise<ChannelResult> {
  const { messages, concurrency, progress, spent } = opts;
  const { channel } = paths;
  const ids = await customers.next(channel, WARM_UP + 2 * messages);
  let n = 0; // raw messages so far, each to an address of its own
  let c = 0; // real messages so far, each to a customer of its own
  const raw = () => paths.raw(n++);
  const real = () => {
    const i = c++;
    return paths.real(`bench-${channel}-${i}`, ids[i], i);
  };
  const run = async (job: () => Promise<void>, inFlight: number): Promise<Run> => {
    const started = performance.now();
    const latencies = await timed(
      Array.from({ length: messages }, () => job),
      inFlight,
    );
    const seconds = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 500)); // the stand-in's delivery reports of the last texts
    return { latencies, seconds };
  };

  progress(`${channel}: warming up (${WARM_UP} raw, ${WARM_UP} real, ${concurrency} in flight)...`);
  await timed(
    Array.from({ length: WARM_UP }, () => raw),
    concurrency,
  );
  await timed(
    Array.from({ length: WARM_UP }, () => real),
    concurrency,
  );
  progress(`${channel}: ${paths.rawPath}, ${messages} one at a time...`);
  const rawSerial = await run(raw, 1);
  progress(`${channel}: ${paths.realPath}, ${messages} one at a time...`);
  const before = { ...spent };
  const realSerial = await run(real, 1);
  const per = (x: number) => x / messages;
  const split: Split = {
    total: realSerial.latencies.reduce((a, b) => a + b, 0) / messages,
    transaction: per(spent.transaction - before.transaction),
    transactionQueries: per(spent.transactionQueries - before.transactionQueries),
    writes: per(spent.writes - before.writes),
    writeQueries: per(spent.writeQueries - before.writeQueries),
    render: per(spent.render - before.render),
  };
  progress(`${channel}: ${paths.rawPath}, ${messages} with ${concurrency} in flight...`);
  const rawConcurrent = await run(raw, concurrency);
  progress(`${channel}: ${paths.realPath}, ${messages} with ${concurrency} in flight...`);
  const realConcurrent = await run(real, concurrency);
  return {
    channel,
    rawPath: paths.rawPath,
    realPath: paths.realPath,
    raw: { serial: rawSerial, concurrent: rawConcurrent },
    real: { serial: realSerial, concurrent: realConcurrent },
    split,
  };
}

/** Customers to send to, inserted beforehand: an email, a mobile number, marketing consent on both. */
class Customers {
  private count = 0;
  constructor(private readonly pool: Pool) {}

  async next(prefix: string, count: number): Promise<string[]> {
    const first = this.count;
    this.count += count;
    const ids = Array.from({ length: count }, (_, i) => `${prefix}-${first + i}`);
    const phones = Array.from({ length: count }, (_, i) => phone(first + i + 1));
    await this.pool.query(
      `INSERT INTO customers (id, email, phone, first_name, locale)
       SELECT id, id || '@bench.test', phone, 'Ada', 'en' FROM unnest($1::text[], $2::text[]) AS c (id, phone)`,
      [ids, phones],
    );
    await this.pool.query(
      `INSERT INTO subscriptions (customer_id, channel, topic, status)
       SELECT id, channel, 'marketing', 'subscribed' FROM unnest($1::text[]) id, unnest(ARRAY['email', 'sms']) channel`,
      [ids],
    );
    return ids;
  }
}

/** A German mobile number in E.164, distinct for each `n` below 10^8: +4915100000001. */
const phone = (n: number) => `+49151${String(n).padStart(8, '0')}`;

/** A marketing message of the abandoned-cart journey, as its workflow asks for it. */
const send = (
  idempotencyKey: string,
  customerId: string,
  step: Pick<SendRequest, 'step' | 'template' | 'data'>,
): SendRequest => ({
  idempotencyKey,
  customerId,
  journey: JOURNEY,
  ...step,
  transactional: false,
  topic: 'reminders',
  holdout: false,
});

/** A message that did not go out would measure nothing: the run stops. */
function sent(outcome: SendOutcome | WebhookOutcome): void {
  if (outcome.status !== 'sent') throw new Error(`not sent: ${outcome.status} (${outcome.reason ?? 'no reason'})`);
}

/** `work`, adding the time it took to `spent.render`. */
function rendering<T>(work: Promise<T>, spent: { render: number }): Promise<T> {
  const start = performance.now();
  return work.finally(() => (spent.render += performance.now() - start));
}

type Query = (text: string, values?: unknown[]) => Promise<QueryResult>;

/**
 * `pool`, adding the time its callers wait on PostgreSQL to `spent`: on a client of its own (the
 * decision's transaction, from asking for the connection to its release) or a statement on the pool.
 */
function timedPool(pool: Pool, spent: Spent): Pool {
  const waited = <T>(work: Promise<T>, what: 'transaction' | 'writes'): Promise<T> => {
    const start = performance.now();
    return work.finally(() => (spent[what] += performance.now() - start));
  };
  const forward = <O extends object>(target: O, prop: string | symbol): unknown => {
    const value: unknown = Reflect.get(target, prop, target);
    return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
  };
  const onPool: Query = (text, values) => {
    spent.writeQueries++;
    return waited(pool.query(text, values), 'writes');
  };
  return new Proxy(pool, {
    get(target, prop) {
      if (prop === 'query') return onPool;
      if (prop !== 'connect') return forward(target, prop);
      return async () => {
        const client = await waited(target.connect(), 'transaction');
        const onClient: Query = (text, values) => {
          spent.transactionQueries++;
          return waited(client.query(text, values), 'transaction');
        };
        return new Proxy(client, { get: (c, p) => (p === 'query' ? onClient : forward(c, p)) });
      };
    },
  });
}

/** An SMTP server on loopback that takes every message and counts them. */
async function startSmtpSink() {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    hideSTARTTLS: true, // its built-in certificate is long expired; loopback needs no TLS
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    received: () => received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function closed(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
