import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import nodemailer from 'nodemailer';
import { createActivities, type ActivityDeps } from '../../src/activities';
import { createSendSms, type SmsDeps } from '../../src/activities/sms';
import { createSendEmail } from '../../src/activities/email';
import { createMailer } from '../../src/activities/mailer';
import { createSmsProvider } from '../../src/activities/sms-provider';
import { smsRouter } from '../../src/api/sms-routes';
import { startSmsStandin, type SmsStandin } from '../../src/dev/sms-standin';
import { emailHash } from '../../src/db/suppression';
import type { CustomerEvent } from '../../src/shared/events';
import type { SendRequest } from '../../src/shared/journey';
import { createRenderer } from '../../src/templates/renderer';
import { eventually } from '../helpers/eventually';
import { testConfig } from '../helpers/journeys';
import { useMigratedPostgres } from '../helpers/postgres';
import { useSmtpSink } from '../helpers/smtp-sink';

const ACCOUNT = `AC${'1'.repeat(32)}`;
const TOKEN = 'sms-test-auth-token';
const INCENTIVE = { code: 'COMEBACK10', percentOff: 10 };

describe('sendSms activity (real PostgreSQL, the Twilio stand-in through the twilio client, the real callback route)', () => {
  const db = useMigratedPostgres();
  const smtp = useSmtpSink();
  const config = testConfig({ messaging: { sms: { from: '+15005550006' } } });
  let standin: SmsStandin;
  let api: Server;
  let deps: SmsDeps;
  const renderer = createRenderer({ defaultLocale: 'en' });
  const accepted: CustomerEvent[] = [];

  beforeAll(async () => {
    standin = await startSmsStandin({ port: 0, accountSid: ACCOUNT, authToken: TOKEN });
    // The API's SMS routes, where the stand-in reports delivery and short links are followed.
    const app = express();
    let publicUrl = '';
    app.use((req, res, next) =>
      smsRouter({
        pool: db.pool(),
        publicUrl,
        authToken: TOKEN,
        accept: async (e) => accepted.push(e),
      })(req, res, next),
    );
    api = app.listen(0, '127.0.0.1');
    await new Promise((r) => api.once('listening', r));
    publicUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    deps = {
      pool: db.pool(),
      clock: () => new Date(),
      config: () => config,
      renderer,
      links: { publicUrl, signingSecret: 'test-secret' },
      sms: createSmsProvider({ url: standin.url, accountSid: ACCOUNT, authToken: TOKEN }),
    };
  });
  afterAll(async () => {
    await standin.stop();
    await new Promise((r) => api.close(r));
  });

  let seq = 0;
  /** A customer with a phone number; `optIn` true gives SMS marketing consent. */
  const customer = async (phone: string, opts: { optIn?: boolean; locale?: string } = {}) => {
    const id = `s-${++seq}`;
    await db
      .pool()
      .query('INSERT INTO customers (id, email, phone, first_name, locale) VALUES ($1, $2, $3, $4, $5)', [
        id,
        `${id}@example.test`,
        phone,
        'Ada',
        opts.locale ?? 'en',
      ]);
    await db
      .pool()
      .query(
        `INSERT INTO subscriptions (customer_id, channel, topic, status) VALUES ($1, 'email', 'marketing', 'subscribed')`,
        [id],
      );
    if (opts.optIn)
      await db
        .pool()
        .query(
          `INSERT INTO subscriptions (customer_id, channel, topic, status) VALUES ($1, 'sms', 'marketing', 'subscribed')`,
          [id],
        );
    return id;
  };
  const request = (customerId: string, over: Partial<SendRequest> = {}): SendRequest => ({
    idempotencyKey: `journey-abandoned-cart-${customerId}/run-1/sms-${++seq}`,
    customerId,
    journey: 'abandoned-cart',
    step: 'reminder-with-incentive',
    template: 'cart-reminder-incentive',
    transactional: false,
    holdout: false,
    data: { incentive: INCENTIVE, cartUrl: 'https://shop.example/cart?c=k-1' },
    ...over,
  });
  const row = async (key: string) =>
    (await db.pool().query('SELECT * FROM messages WHERE idempotency_key = $1', [key])).rows[0];
  const textsTo = (phone: string) => standin.messages().filter((m) => m.to === phone && m.direction === 'outbound-api');

  it('texts an opted-in customer in their language, with a tracked short link, and records delivery', async () => {
    const id = await customer('+4915112345601', { optIn: true, locale: 'de' });
    const req = request(id);
    expect(await createSendSms(deps)(req)).toEqual({ status: 'sent', emailId: expect.any(String) });

    const [text] = textsTo('+4915112345601');
    expect(text.from).toBe('+15005550006');
    expect(text.body).toContain('COMEBACK10');
    expect(text.body).toMatch(/STOP/);
    expect(text.body).not.toContain('shop.example/cart');
    const short = /(http:\/\/127\.0\.0\.1:\d+\/s\/[A-Za-z0-9_-]{8})/.exec(text.body)![1];

    const sent = await row(req.idempotencyKey);
    expect(sent).toMatchObject({ channel: 'sms', status: 'sent', provider_id: text.sid, locale: 'de' });
    // The stand-in reports delivery to the callback route, signed; the row's events say so.
    await eventually(
      async () =>
        (await db.pool().query(`SELECT 1 FROM message_events WHERE message_id = $1 AND type = 'delivered'`, [sent.id]))
          .rowCount,
      'the delivery report',
    );

    const click = await fetch(short, { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe('https://shop.example/cart?c=k-1');
    const clicks = await db
      .pool()
      .query(`SELECT url FROM message_events WHERE message_id = $1 AND type = 'clicked'`, [sent.id]);
    expect(clicks.rows).toEqual([{ url: 'https://shop.example/cart?c=k-1' }]);
    expect(accepted.at(-1)).toMatchObject({
      event: 'SMS Link Clicked',
      userId: id,
      properties: { url: 'https://shop.example/cart?c=k-1' },
    });

    // A retried activity finds the row sent and texts nobody again.
    expect(await createSendSms(deps)(req)).toEqual({ status: 'sent', emailId: expect.any(String) });
    expect(textsTo('+4915112345601')).toHaveLength(1);
  });

  it('texts marketing only with an opt-in; transactional texts go regardless', async () => {
    const id = await customer('+4915112345602');
    const marketing = request(id);
    expect(await createSendSms(deps)(marketing)).toEqual({ status: 'suppressed', reason: 'no SMS opt-in' });
    const confirmation = request(id, {
      transactional: true,
      template: 'order-confirmation',
      data: { order: { orderId: 'o-9', products: [], currency: 'EUR' } },
    });
    expect(await createSendSms(deps)(confirmation)).toEqual({ status: 'sent', emailId: expect.any(String) });
    expect(textsTo('+4915112345602')).toHaveLength(1);
    expect(textsTo('+4915112345602')[0].body).toContain('o-9');
  });

  it('suppresses a number the provider reports gone for good, so no text goes to it again', async () => {
    const id = await customer('+15005550005', { optIn: true }); // the stand-in reports it failed, 30005
    const first = request(id);
    expect(await createSendSms(deps)(first)).toEqual({ status: 'sent', emailId: expect.any(String) });
    await eventually(async () => (await row(first.idempotencyKey)).status === 'failed', 'the failure report');
    expect((await row(first.idempotencyKey)).reason).toBe('SMS failed (30005)');
    const suppressed = await db
      .pool()
      .query('SELECT reason FROM suppressions WHERE email_hash = $1', [emailHash('+15005550005')]);
    expect(suppressed.rows).toEqual([{ reason: 'hard-bounce' }]);
    const next = request(id, { transactional: true });
    expect(await createSendSms(deps)(next)).toEqual({ status: 'suppressed', reason: 'hard-bounce' });
  });

  it('records a number the provider refuses as failed, not retried, and suppresses it', async () => {
    const id = await customer('+15005550001', { optIn: true }); // invalid at Twilio: 21211
    const req = request(id);
    await expect(createSendSms(deps)(req)).rejects.toMatchObject({ nonRetryable: true });
    expect(await row(req.idempotencyKey)).toMatchObject({ status: 'failed' });
    expect((await row(req.idempotencyKey)).reason).toMatch(/21211/);
  });

  it('counts texts and emails against one frequency cap, and texts against their own', async () => {
    const id = await customer('+4915112345603', { optIn: true });
    const mailer = createMailer(smtp.url());
    const email = createSendEmail({ ...deps, renderer, mailer });
    // Two texts fill the SMS cap (2 a week); the third waits, while an email still has room.
    expect(await createSendSms(deps)(request(id))).toEqual({ status: 'sent', emailId: expect.any(String) });
    expect(await createSendSms(deps)(request(id))).toEqual({ status: 'sent', emailId: expect.any(String) });
    expect(await createSendSms(deps)(request(id))).toMatchObject({ status: 'capped' });
    const mail = request(id, { template: 'cart-reminder', data: { cartId: 'k-1', items: [] } });
    expect(await email(mail)).toEqual({ status: 'sent', emailId: expect.any(String) });
    // Three marketing messages in the week: the cap across channels is full for email too.
    expect(await email(request(id, { template: 'cart-reminder', data: { cartId: 'k-1', items: [] } }))).toMatchObject({
      status: 'capped',
    });
    mailer.close();
  });

  it('records a text failed, saying why, when no SMS provider is configured', async () => {
    const id = await customer('+4915112345604', { optIn: true });
    const req = request(id);
    await expect(createSendSms({ ...deps, sms: undefined })(req)).rejects.toMatchObject({ nonRetryable: true });
    expect((await row(req.idempotencyKey)).reason).toMatch(/no SMS provider: set TWILIO_ACCOUNT_SID/);
  });

  it('offers texts as a marketing channel only where the shop can send them', async () => {
    const id = await customer('+4915112345605', { optIn: true });
    const channels = (over: Partial<ActivityDeps> = {}) =>
      createActivities({
        ...deps,
        renderer,
        mailer: nodemailer.createTransport({ jsonTransport: true }),
        webhookSecret: undefined,
        ...over,
      }).marketingChannels(id);
    expect(await channels()).toEqual(['email', 'sms']);
    expect(await channels({ sms: undefined })).toEqual(['email']);
    const noSender = testConfig({ messaging: { sms: { from: null } } });
    expect(await channels({ config: () => noSender })).toEqual(['email']);
  });
});
