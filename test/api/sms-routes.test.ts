import express from 'express';
import request from 'supertest';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { smsRouter } from '../../src/api/sms-routes';
import { emailHash } from '../../src/db/suppression';
import type { CustomerEvent } from '../../src/shared/events';
import { createRenderer } from '../../src/templates/renderer';
import { testConfig } from '../helpers/journeys';
import { useMigratedPostgres } from '../helpers/postgres';

const TOKEN = 'routes-test-auth-token';
const PUBLIC = 'https://api.shop.example';

describe("the SMS provider's routes: delivery reports and inbound keywords, signature-checked", () => {
  const db = useMigratedPostgres();
  const accepted: CustomerEvent[] = [];
  const config = testConfig();
  let app: express.Express;
  beforeAll(async () => {
    app = express().use(
      smsRouter({
        pool: db.pool(),
        publicUrl: PUBLIC,
        authToken: TOKEN,
        accept: async (e) => accepted.push(e),
        replies: { renderer: createRenderer({ defaultLocale: 'en' }), messaging: () => config.messaging },
      }),
    );
    await db
      .pool()
      .query(
        `INSERT INTO customers (id, phone, locale) VALUES ('de-1', '+4915112345699', 'de'), ('en-1', '+15005550010', 'en')`,
      );
  });
  beforeEach(() => {
    accepted.length = 0;
  });

  /** A callback as Twilio posts it: form fields, signed for the URL it called. */
  const twilio = (path: string, fields: Record<string, string>, token = TOKEN) =>
    request(app)
      .post(path)
      .type('form')
      .set('X-Twilio-Signature', getExpectedTwilioSignature(token, `${PUBLIC}${path}`, fields))
      .send(fields);
  const inbound = (from: string, body: string) =>
    twilio('/v1/sms/inbound', {
      MessageSid: `SM${from.slice(1)}${body.length}`,
      From: from,
      To: '+15005550006',
      Body: body,
    });
  const smsConsent = async (id: string) =>
    (await db.pool().query(`SELECT status, reason FROM subscriptions WHERE customer_id = $1 AND channel = 'sms'`, [id]))
      .rows[0];

  it('STOP ends marketing texts at once and answers in the customer language; START opts in again', async () => {
    const stop = await inbound('+4915112345699', '  stop please');
    expect(stop.status).toBe(200);
    expect(stop.type).toBe('text/xml');
    expect(stop.text).toMatch(/<Response><Message>.*START.*<\/Message><\/Response>/);
    expect(stop.text).not.toMatch(/You will no longer/); // German, not English
    expect(await smsConsent('de-1')).toEqual({ status: 'unsubscribed', reason: 'STOP by text' });
    expect(accepted).toEqual([
      expect.objectContaining({
        event: 'Unsubscribed',
        userId: 'de-1',
        properties: expect.objectContaining({ channel: 'sms', topic: 'marketing' }),
      }),
    ]);

    const start = await inbound('+4915112345699', 'START');
    expect(start.text).toContain('<Message>');
    expect(await smsConsent('de-1')).toEqual({ status: 'subscribed', reason: 'START by text' });
    expect(accepted.at(-1)).toMatchObject({ event: 'SMS Opted In', userId: 'de-1' });
  });

  it('HELP is answered and changes nothing; any other text gets an empty answer', async () => {
    const help = await inbound('+15005550010', 'help');
    expect(help.text).toMatch(/<Message>.+<\/Message>/);
    expect(accepted).toEqual([]);
    const chat = await inbound('+15005550010', 'Is my order on its way?');
    expect(chat.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  it('answers STOP from a number nobody has, in the default language', async () => {
    const res = await inbound('+15005550011', 'STOP');
    expect(res.text).toMatch(/<Message>.*START.*<\/Message>/);
    expect(accepted).toEqual([]);
  });

  it('refuses a callback that is not signed with our auth token (403), and changes nothing', async () => {
    const forged = await twilio('/v1/sms/inbound', { From: '+15005550010', Body: 'STOP' }, 'another-token');
    expect(forged.status).toBe(403);
    const unsigned = await request(app)
      .post('/v1/sms/inbound')
      .type('form')
      .send({ From: '+15005550010', Body: 'STOP' });
    expect(unsigned.status).toBe(403);
    expect(await smsConsent('en-1')).toBeUndefined();
  });

  it('records a delivery report on the text it names; a number gone for good is suppressed', async () => {
    const { rows } = await db.pool().query(
      `INSERT INTO messages (idempotency_key, customer_id, journey, step, template, channel, status, provider_id, sent_at)
       VALUES ('k-report', 'en-1', 'abandoned-cart', 'reminder-with-incentive', 'cart-reminder-incentive', 'sms', 'sent', 'SMreport1', now())
       RETURNING id`,
    );
    const report = (status: string, extra: Record<string, string> = {}) =>
      twilio('/v1/sms/status', { MessageSid: 'SMreport1', MessageStatus: status, To: '+15005550010', ...extra });
    expect((await report('sent')).status).toBe(204);
    expect((await report('failed', { ErrorCode: '30006' })).status).toBe(204);
    const row = (await db.pool().query('SELECT status, reason FROM messages WHERE id = $1', [rows[0].id])).rows[0];
    expect(row).toEqual({ status: 'failed', reason: 'SMS failed (30006)' });
    const events = await db.pool().query('SELECT type FROM message_events WHERE message_id = $1', [rows[0].id]);
    expect(events.rows).toEqual([{ type: 'undelivered' }]);
    const suppressed = await db
      .pool()
      .query('SELECT reason FROM suppressions WHERE email_hash = $1', [emailHash('+15005550010')]);
    expect(suppressed.rows).toEqual([{ reason: 'hard-bounce' }]);
    // A report on a text we never sent is acknowledged (Twilio would retry otherwise) and ignored.
    expect((await twilio('/v1/sms/status', { MessageSid: 'SMunknown', MessageStatus: 'delivered' })).status).toBe(204);
  });
});
