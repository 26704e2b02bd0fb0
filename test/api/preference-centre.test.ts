import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../src/api/errors';
import { trackingRouter } from '../../src/api/tracking';
import { configSchema, type MessagingConfig } from '../../src/config/schema';
import { storeEvents } from '../../src/db/events';
import { applyEvent } from '../../src/db/projections';
import { setSubscription } from '../../src/db/subscriptions';
import type { CustomerEvent } from '../../src/shared/events';
import { createPageRenderer } from '../../src/templates/pages';
import { signToken } from '../../src/tracking/tokens';
import { useMigratedPostgres } from '../helpers/postgres';

const SECRET = 'preference-centre-test-secret';

const defaults = configSchema.parse({}).messaging;
/** The default messaging configuration with these topics, and this brand's fields. */
const messagingWith = ({
  brand,
  topics,
}: {
  brand?: Partial<MessagingConfig['brand']>;
  topics?: MessagingConfig['topics'];
}) => ({
  ...defaults,
  brand: { ...defaults.brand, ...brand },
  topics: topics ?? defaults.topics,
});

describe('the preference centre', () => {
  const db = useMigratedPostgres();
  const accepted: CustomerEvent[] = [];
  let seq = 0;

  /** The tracking routes as the API serves them, with these settings; what they accept is stored, and kept in `accepted`. */
  const appWith = (messaging: MessagingConfig) =>
    express()
      .use(
        trackingRouter({
          pool: db.pool(),
          signingSecret: SECRET,
          accept: async (event) => {
            accepted.push(event);
            await storeEvents(db.pool(), [event]);
          },
          preferences: {
            pages: createPageRenderer({ defaultLocale: messaging.defaultLocale }),
            messaging: () => messaging,
          },
        }),
      )
      .use(errorHandler(() => {}));
  let app: express.Express;
  beforeAll(() => {
    app = appWith(messagingWith({ brand: { name: 'Bergsport Müller' } }));
  });

  /** A customer who confirmed their address (double opt-in), and an email sent to them in `locale`; the token of its links. */
  async function customerWithEmail(
    customer: { email?: string; phone?: string; locale?: string | null },
    locale: string | null,
    { confirmed = true } = {},
  ): Promise<{ id: string; token: string }> {
    const id = `pc-${++seq}`;
    await db
      .pool()
      .query('INSERT INTO customers (id, email, phone, locale) VALUES ($1, $2, $3, $4)', [
        id,
        customer.email ?? `${id}@example.com`,
        customer.phone ?? null,
        customer.locale ?? null,
      ]);
    const { rows } = await db.pool().query(
      `INSERT INTO messages (idempotency_key, customer_id, journey, step, template, status, locale)
       VALUES ($1, $2, 'win-back', 'offer', 'win-back', 'sent', $3) RETURNING id`,
      [`k-${id}`, id, locale],
    );
    if (confirmed) await setSubscription(db.pool(), id, 'marketing', 'subscribed', 'Email Confirmed');
    return { id, token: signToken({ m: Number(rows[0].id) }, SECRET) };
  }

  /** The customer's subscription rows, but for the confirmation the setup recorded. */
  const subscriptions = async (customerId: string) =>
    (
      await db.pool().query(
        `SELECT channel, topic, status FROM subscriptions
            WHERE customer_id = $1 AND reason <> 'Email Confirmed' ORDER BY channel, topic`,
        [customerId],
      )
    ).rows;
  /** What the dispatcher does with each stored event before delivering it. */
  const project = async () => {
    for (const event of accepted) await applyEvent(db.pool(), event);
  };
  const post = (token: string, form: Record<string, string>) =>
    request(app).post(`/u/${token}`).type('form').send(form);

  beforeEach(() => {
    accepted.length = 0;
  });

  it('shows a German customer the German page with the brand and the topics by their German names', async () => {
    const { id, token } = await customerWithEmail({ email: 'anna.berg@example.com', locale: 'de' }, 'de-AT');
    const res = await request(app).get(`/u/${token}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('<html lang="de">');
    expect(res.text).toContain('Deine Einstellungen');
    expect(res.text).toContain('Bergsport Müller');
    for (const name of ['Angebote und Rabatte', 'Erinnerungen an deinen Warenkorb', 'Neuigkeiten und Tipps']) {
      expect(res.text).toContain(name);
    }
    expect(res.text).toContain('Alle Werbe-E-Mails abbestellen');
    expect(res.text).toContain('Werbung für 30 Tage pausieren');
    expect(res.text).toContain('Alle Werbung abbestellen');
    expect(res.text).not.toContain('Offers and discounts');
    // The address masked, never in full; no phone, so no SMS choices.
    expect(res.text).toContain('a***@example.com');
    expect(res.text).not.toContain('anna.berg');
    expect(res.text).not.toContain('name="channel" value="sms"');
    // Looking changes nothing.
    expect(accepted).toEqual([]);
    expect(await subscriptions(id)).toEqual([]);
  });

  it('speaks English to an email written in English, and highlights the choice the link suggests', async () => {
    const { token } = await customerWithEmail({ locale: 'de' }, 'en');
    const res = await request(app).get(`/u/${token}?action=pause`);
    expect(res.text).toContain('<html lang="en">');
    expect(res.text).toContain('Offers and discounts');
    expect(res.text).toMatch(/class="wide primary" name="action" value="pause"/);
    expect(res.text).not.toMatch(/primary" name="action" value="(fewer|unsubscribe)"/);
  });

  it('falls back from an unknown language to the default one, and names a topic in English or by its id', async () => {
    const topics: MessagingConfig['topics'] = [
      { id: 'offers', names: { en: 'Offers', de: 'Angebote' } },
      { id: 'vip', names: { en: 'VIP previews' } },
      { id: 'beta', names: {} },
    ];
    const custom = appWith(messagingWith({ topics }));
    const german = await customerWithEmail({}, 'de');
    const page = await request(custom).get(`/u/${german.token}`);
    expect(page.text).toContain('Angebote');
    expect(page.text).toContain('VIP previews');
    expect(page.text).toMatch(/<span class="topic">beta<\/span>/);
    const french = await customerWithEmail({ locale: 'fr' }, null);
    expect((await request(custom).get(`/u/${french.token}`)).text).toContain('<html lang="en">');
  });

  it('tells a customer who has not confirmed their address yet that no marketing comes, and lets them unsubscribe', async () => {
    const { token } = await customerWithEmail({}, 'en', { confirmed: false });
    const res = await request(app).get(`/u/${token}?action=unsubscribe`);
    expect(res.text).toContain('your email address is not confirmed');
    expect(res.text).not.toContain('name="topic" value="offers"');
    expect(res.text).toMatch(
      /class="wide primary" name="action" value="unsubscribe">Unsubscribe from all marketing emails/,
    );
  });

  it('shows SMS choices only with a phone number, masked, and SMS marketing off until the customer opted in', async () => {
    const { id, token } = await customerWithEmail({ phone: '+4915112345678', locale: 'en' }, 'en');
    let res = await request(app).get(`/u/${token}`);
    expect(res.text).toContain('Text messages to +49 *** ** 78');
    expect(res.text).not.toContain('15112345678');
    expect(res.text).toContain('You get no marketing text messages from us.');
    expect(res.text).not.toContain('name="channel" value="sms"');

    await setSubscription(db.pool(), id, 'marketing', 'subscribed', 'sms_opt_in trait', 'sms');
    res = await request(app).get(`/u/${token}`);
    expect(res.text).toContain('name="channel" value="sms"');
    expect(res.text).toContain('Unsubscribe from all marketing text messages');
    expect(res.text).toContain('from Offers and discounts by text message');
  });

  it('unsubscribes from one topic on email: the event names it, and the projection leaves the other topics', async () => {
    const { id, token } = await customerWithEmail({ locale: 'de' }, 'de');
    const res = await post(token, { action: 'unsubscribe', channel: 'email', topic: 'offers' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Du bekommst „Angebote und Rabatte“ nicht mehr per E-Mail');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({
      event: 'Unsubscribed',
      userId: id,
      properties: { channel: 'email', topic: 'offers', campaign_name: 'win-back' },
    });
    const stored = await db.pool().query('SELECT name, properties FROM events WHERE customer_id = $1', [id]);
    expect(stored.rows).toEqual([
      { name: 'Unsubscribed', properties: expect.objectContaining({ channel: 'email', topic: 'offers' }) },
    ]);
    await project();
    expect(await subscriptions(id)).toEqual([{ channel: 'email', topic: 'offers', status: 'unsubscribed' }]);
    const counted = await db.pool().query(
      `SELECT count(*)::int AS n FROM message_events e JOIN messages m ON m.id = e.message_id
          WHERE m.customer_id = $1 AND e.type = 'unsubscribed'`,
      [id],
    );
    expect(counted.rows[0].n).toBe(1);

    // The page now shows the topic as left, with the way back.
    const page = await request(app).get(`/u/${token}`);
    expect(page.text).toMatch(/Abbestellt<\/span>\s*<button type="submit" name="action" value="resubscribe">/);
  });

  it('subscribes again to a topic left before, and each change counts, however often it is made', async () => {
    const { id, token } = await customerWithEmail({}, 'en');
    await post(token, { action: 'unsubscribe', channel: 'email', topic: 'news' }).expect(200);
    const back = await post(token, { action: 'resubscribe', channel: 'email', topic: 'news' });
    expect(back.text).toContain('Welcome back: you will get “News and tips” by email again.');
    await post(token, { action: 'unsubscribe', channel: 'email', topic: 'news' }).expect(200);
    expect(accepted.map((e) => [e.event, e.properties?.preference, e.properties?.topic])).toEqual([
      ['Unsubscribed', undefined, 'news'],
      ['Email Preference Updated', 'subscribed', 'news'],
      ['Unsubscribed', undefined, 'news'],
    ]);
    expect(new Set(accepted.map((e) => e.messageId)).size).toBe(3);
    await project();
    expect(await subscriptions(id)).toEqual([{ channel: 'email', topic: 'news', status: 'unsubscribed' }]);
  });

  it('unsubscribes from one topic on SMS only', async () => {
    const { id, token } = await customerWithEmail({ phone: '+4915112345678' }, 'en');
    await setSubscription(db.pool(), id, 'marketing', 'subscribed', 'sms_opt_in trait', 'sms');
    const res = await post(token, { action: 'unsubscribe', channel: 'sms', topic: 'reminders' });
    expect(res.text).toContain('you will no longer get “Reminders about your cart” by text message');
    await project();
    expect(await subscriptions(id)).toEqual([
      { channel: 'sms', topic: 'marketing', status: 'subscribed' },
      { channel: 'sms', topic: 'reminders', status: 'unsubscribed' },
    ]);
  });

  it("unsubscribes from everything: both channels' marketing", async () => {
    const { id, token } = await customerWithEmail({ phone: '+4915112345678', locale: 'de' }, 'de');
    await setSubscription(db.pool(), id, 'marketing', 'subscribed', 'sms_opt_in trait', 'sms');
    const res = await post(token, { action: 'unsubscribe', channel: 'all', topic: 'marketing' });
    expect(res.text).toContain('weder per E-Mail noch per SMS');
    expect(accepted[0]).toMatchObject({ event: 'Unsubscribed', properties: { channel: 'all', topic: 'marketing' } });
    await project();
    expect(await subscriptions(id)).toEqual([
      { channel: 'email', topic: 'marketing', status: 'unsubscribed' },
      { channel: 'sms', topic: 'marketing', status: 'unsubscribed' },
    ]);
  });

  it('keeps RFC 8058 one-click working: email marketing unsubscribed, counted, the answer in the email’s language', async () => {
    const { id, token } = await customerWithEmail({}, 'de');
    const res = await request(app).post(`/u/${token}`).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Du bist abgemeldet');
    expect(accepted[0]).toMatchObject({ event: 'Unsubscribed', properties: { channel: 'email', topic: 'marketing' } });
    await project();
    expect(await subscriptions(id)).toEqual([{ channel: 'email', topic: 'marketing', status: 'unsubscribed' }]);
    const { rows } = await db
      .pool()
      .query(`SELECT e.type FROM message_events e JOIN messages m ON m.id = e.message_id WHERE m.customer_id = $1`, [
        id,
      ]);
    expect(rows).toEqual([{ type: 'unsubscribed' }]);
  });

  it('pauses, and then shows until when, in the page’s language', async () => {
    const { token } = await customerWithEmail({}, 'de');
    const res = await post(token, { action: 'pause' });
    expect(res.text).toContain('30 Tage lang keine Werbung');
    await project();
    const page = await request(app).get(`/u/${token}`);
    expect(page.text).toMatch(/Werbung ist pausiert bis zum \d{1,2}\. \S+ \d{4}\./);
  });

  it('answers 404 to a forged token, on every page', async () => {
    const { token } = await customerWithEmail({}, 'de');
    const [body] = token.split('.');
    const forged = `${body}.${signToken({ m: 1 }, 'another-secret').split('.')[1]}`;
    for (const res of [
      await request(app).get(`/u/${forged}`),
      await post(forged, { action: 'unsubscribe' }),
      await request(app).post(`/u/${forged}`).type('form').send('List-Unsubscribe=One-Click'),
      await request(app).get(`/c/${forged}`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'not_found', message: 'Unknown link' } });
    }
    expect(accepted).toEqual([]);
  });

  it.each([
    [{ action: 'delete-everything' }, 'action'],
    [{}, 'action'],
    [{ action: 'unsubscribe', channel: 'fax', topic: 'offers' }, 'channel'],
    [{ action: 'unsubscribe', channel: 'email', topic: 'lottery' }, 'topic'],
    [{ action: 'resubscribe', channel: 'all', topic: 'offers' }, 'channel'],
    [{ action: 'resubscribe', channel: 'sms', topic: 'marketing' }, 'topic'],
  ])('answers 400 naming the field to %j', async (form, field) => {
    const { token } = await customerWithEmail({}, 'en');
    const res = await post(token, form);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'invalid_request',
      details: [expect.objectContaining({ path: field })],
    });
    expect(res.body.error.message).toMatch(new RegExp(`^${field} `));
    expect(accepted).toEqual([]);
  });

  it('answers 400 to a field given twice', async () => {
    const { token } = await customerWithEmail({}, 'en');
    const res = await request(app).post(`/u/${token}`).type('form').send('action=unsubscribe&topic=offers&topic=news');
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'topic' })]);
  });

  it('confirms a double opt-in on a page in the email’s language', async () => {
    const { token } = await customerWithEmail({}, 'de-CH');
    const res = await request(app).get(`/c/${token}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Deine E-Mail-Adresse ist bestätigt. Willkommen bei Bergsport Müller!');
    expect(accepted.map((e) => e.event)).toEqual(['Email Confirmed']);
  });

  it('escapes a hostile brand name and topic name from the configuration on every page', async () => {
    const hostile = appWith(
      messagingWith({
        brand: { name: '<script>alert("brand")</script> & "Co"', website: 'https://shop.example/?a=1&b="2"' },
        topics: [{ id: 'offers', names: { en: '<img src=x onerror=alert(1)>' } }],
      }),
    );
    const { token } = await customerWithEmail({ email: "o'hara+<b>@example.com" }, 'en');
    const pages = [
      (await request(hostile).get(`/u/${token}`)).text,
      (await request(hostile).post(`/u/${token}`).type('form').send({ action: 'unsubscribe', topic: 'offers' })).text,
      (await request(hostile).get(`/c/${token}`)).text,
    ];
    for (const html of pages) {
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('<img');
      expect(html).toContain('&lt;script&gt;alert(&#34;brand&#34;)&lt;/script&gt; &amp; &#34;Co&#34;');
      expect(html).toContain('href="https://shop.example/?a=1&amp;b=&#34;2&#34;"');
    }
    expect(pages[0]).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(pages[0]).toContain('o***@example.com');
  });
});
