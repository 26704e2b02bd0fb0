import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createActivities } from '../../src/activities';
import { createMailer } from '../../src/activities/mailer';
import { createSmsProvider } from '../../src/activities/sms-provider';
import { createApp } from '../../src/api/app';
import { startSmsStandin, type SmsStandin } from '../../src/dev/sms-standin';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/dev/webhook-receiver';
import { SMS_INBOUND_PATH } from '../../src/shared/sms-paths';
import { createRenderer } from '../../src/templates/renderer';
import { useDispatcher } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { testConfig } from '../helpers/journeys';
import { useMigratedPostgres } from '../helpers/postgres';
import { useSmtpSink } from '../helpers/smtp-sink';
import { useDevServerEnv } from '../helpers/temporal';
import { runProductWorker } from '../helpers/worker';

const ACCOUNT = `AC${'2'.repeat(32)}`;
const TOKEN = 'e2e-sms-auth-token';
const SECRET = `whsec_${Buffer.from('e2e-webhook-secret-of-32-bytes!!').toString('base64')}`;
const WRITE = 'e2e_write_key';
const ADMIN = 'e2e_admin_key';
const PHONE = '+4915123456701';

describe('end to end: one customer through email, texts and a webhook, with the real API and worker', () => {
  const env = useDevServerEnv();
  const db = useMigratedPostgres();
  const smtp = useSmtpSink();
  let standin: SmsStandin;
  let receiver: WebhookReceiver;
  let api: Server;
  let apiUrl: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver({ port: 0, secret: SECRET });
    // The brief's timings, shortened so the journey runs while the test watches.
    const config = testConfig({
      messaging: {
        quietHours: null,
        frequencyCap: { max: 10, per: '7 days' },
        sms: { from: '+15005550006', quietHours: null },
      },
      journeys: {
        abandonedCart: {
          firstReminderAfter: '2 seconds',
          secondReminderAfter: '2 seconds',
          lostAfter: '2 seconds',
          lostCartWebhook: `${receiver.url}/hooks/crm`,
        },
        postPurchase: { templates: { confirmationText: 'order-confirmation' } },
      },
    });
    const renderer = createRenderer({ defaultLocale: 'en' });
    // The API first, on a real port: the SMS stand-in calls it back (delivery reports, inbound
    // texts), signed for the public URL it called, so the app is made once the port is known.
    api = http.createServer();
    api.listen(0, '127.0.0.1');
    await new Promise((r) => api.once('listening', r));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const app = createApp({
      pool: db.pool(),
      temporal: env().client,
      apiKeys: [WRITE],
      adminKeys: [ADMIN],
      signingSecret: 'e2e-signing-secret',
      sms: { authToken: TOKEN, replies: { renderer, messaging: () => config.messaging } },
      publicUrl: apiUrl,
    });
    api.on('request', app);
    standin = await startSmsStandin({
      port: 0,
      accountSid: ACCOUNT,
      authToken: TOKEN,
      inboundUrl: `${apiUrl}${SMS_INBOUND_PATH}`,
    });

    const mailer = createMailer(smtp.url());
    const activities = createActivities({
      pool: db.pool(),
      mailer,
      clock: () => new Date(),
      config: () => config,
      renderer,
      links: { publicUrl: apiUrl, signingSecret: 'e2e-signing-secret' },
      sms: createSmsProvider({ url: standin.url, accountSid: ACCOUNT, authToken: TOKEN }),
      webhookSecret: SECRET,
    });
    await runProductWorker(env(), activities, async () => {
      mailer.close();
      await standin.stop();
      await receiver.stop();
      await new Promise((r) => api.close(r));
    });
  });
  useDispatcher(() => ({ pool: db.pool(), temporal: env().client, listenUrl: db.url() }));

  const post = async (path: string, body: object, key = WRITE) => {
    const res = await fetch(`${apiUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const texts = () => standin.messages().filter((m) => m.to === PHONE && m.direction === 'outbound-api');
  const addToCart = (cartId: string) =>
    post('/v1/track', {
      userId: 'mc-1',
      event: 'Product Added',
      properties: { cart_id: cartId, product_id: 'p-1', name: 'Regenjacke', price: 89, quantity: 1 },
    });

  it('emails, texts with a working short link, calls the CRM signed, honours STOP for marketing only', async () => {
    // A number with spaces and the customer's explicit yes to texts, as a backend sends them.
    const bad = await post('/v1/identify', { userId: 'mc-1', traits: { phone: '0151 2345 6701' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('traits.phone');
    const identified = await post('/v1/identify', {
      userId: 'mc-1',
      traits: {
        email: 'ada@example.test',
        first_name: 'Ada',
        locale: 'de',
        phone: '+49 151 2345 6701',
        sms_opt_in: true,
      },
    });
    expect(identified.status).toBe(200);
    expect((await post('/v1/track', { userId: 'mc-1', event: 'Email Confirmed' })).status).toBe(200);
    expect((await addToCart('k-1')).status).toBe(200);

    // First reminder by email; the incentive by text, in German, with a short link on our domain.
    await eventually(() => smtp.to('ada@example.test').length >= 1, 'the emailed reminder');
    const [text] = await eventually(() => (texts().length >= 1 ? texts() : undefined), 'the text');
    expect(text.body).toContain('COMEBACK10');
    expect(text.body).toContain('Antworte STOP');
    const short = new RegExp(`${apiUrl}/s/[A-Za-z0-9_-]{8}`).exec(text.body)![0];
    const click = await fetch(short, { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toMatch(/^https:\/\/shop\.example/);

    // The lost cart reaches the CRM, signed: the receiver verified it with the standardwebhooks package.
    const [call] = await eventually(() => (receiver.calls().length > 0 ? receiver.calls() : undefined), 'the webhook');
    expect(call).toMatchObject({ path: '/hooks/crm', verified: true });
    expect(call.body).toMatchObject({ type: 'abandoned-cart.cart-lost', data: { customerId: 'mc-1', cartId: 'k-1' } });

    // The provider reported the text delivered; the click counted.
    const sms = await eventually(async () => {
      const { rows } = await db.pool().query(
        `SELECT m.id, array_agg(e.type ORDER BY e.type) AS events FROM messages m JOIN message_events e ON e.message_id = m.id
          WHERE m.customer_id = 'mc-1' AND m.channel = 'sms' GROUP BY m.id`,
      );
      return rows[0]?.events.includes('delivered') ? rows[0] : undefined;
    }, 'the delivery report');
    expect(sms.events).toEqual(['clicked', 'delivered']);

    // STOP from that number: answered in German, and marketing texts end.
    const stop = await standin.replyFrom(PHONE, 'Stop');
    expect(stop).toMatchObject({ status: 200 });
    expect(stop.twiml).toMatch(/<Message>.+START.+<\/Message>/);
    expect((await addToCart('k-2')).status).toBe(200);
    await eventually(
      () =>
        smtp.to('ada@example.test').filter((m) => m.headers.get('x-journey-step') === 'reminder-with-incentive')
          .length === 1,
      "the second cart's incentive, by email now",
    );
    expect(texts()).toHaveLength(1);

    // A transactional text still goes: the order confirmation.
    const order = {
      order_id: 'o-1',
      total: 89,
      currency: 'EUR',
      products: [{ product_id: 'p-1', name: 'Regenjacke', price: 89, quantity: 1 }],
    };
    expect((await post('/v1/track', { userId: 'mc-1', event: 'Order Completed', properties: order })).status).toBe(200);
    const confirmation = await eventually(() => texts().find((t) => t.body.includes('o-1')), 'the confirmation text');
    expect(confirmation.body).toContain('Bestellung');
  });
});
