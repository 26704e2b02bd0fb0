import type { Express } from 'express';
import request from 'supertest';
import { createActivities } from '../../src/activities';
import { createMailer } from '../../src/activities/mailer';
import { createApp } from '../../src/api/app';
import type { JourneyActivities } from '../../src/shared/activities';
import { customerStateQuery, customerWorkflowId } from '../../src/shared/signals';
import { createRenderer } from '../../src/templates/renderer';
import { useDispatcher } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { testConfig } from '../helpers/journeys';
import { useMigratedPostgres } from '../helpers/postgres';
import { useSmtpSink, type ReceivedMail } from '../helpers/smtp-sink';
import { useTimeSkippingEnv } from '../helpers/temporal';
import { runProductWorker } from '../helpers/worker';

const links = { publicUrl: 'https://mail.example.test', signingSecret: 'welcome-resend-secret' };
const WRITE_KEY = 'welcome-write-key';
const ADMIN_KEY = 'welcome-admin-key';
const PERSON =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
// The journey's defaults (resend after 3 days); consent collected by the shop, quiet hours off.
const config = testConfig({ messaging: { doubleOptIn: false, quietHours: null } });

// The product on a time-skipping server: events in through the API, the customer workflow starting
// the welcome and forwarding opens to it, the real send activities to an SMTP sink, and the
// reader's mail client fetching the pixel the email carries.
describe('the welcome, again for those who did not open it (through the customer workflow)', () => {
  const env = useTimeSkippingEnv();
  const db = useMigratedPostgres();
  const smtp = useSmtpSink();
  /** Workflow time, which the activities and the API read as now. */
  let now = new Date();
  let app: Express;

  beforeAll(async () => {
    const mailer = createMailer(smtp.url());
    const activities = createActivities({
      pool: db.pool(),
      mailer,
      clock: () => now,
      config: () => config,
      renderer: createRenderer({ defaultLocale: 'en' }),
      links,
      sms: undefined,
      webhookSecret: undefined,
    });
    // Each activity reads the server's time first (it holds still while a task runs), as the simulator's do.
    const timed = Object.fromEntries(
      Object.entries(activities).map(([name, fn]) => [
        name,
        async (...args: unknown[]) => {
          now = new Date(Number(await env().currentTimeMs()));
          return (fn as (...a: unknown[]) => unknown)(...args);
        },
      ]),
    ) as unknown as JourneyActivities;
    await runProductWorker(env(), timed, () => mailer.close());
    app = createApp({
      pool: db.pool(),
      temporal: env().client,
      apiKeys: [WRITE_KEY],
      adminKeys: [ADMIN_KEY],
      signingSecret: links.signingSecret,
      rateLimitPerMinute: 0,
      clock: () => now,
    }).set('trust proxy', 'loopback'); // as behind a proxy that says who the reader is
  });
  useDispatcher(() => ({ pool: db.pool(), temporal: env().client, listenUrl: db.url() }));

  const sleep = async (span: string) => {
    await env().sleep(span);
    now = new Date(Number(await env().currentTimeMs()));
  };
  /** As the shop's backend sends them, timed by the (skipped) workflow clock: fresh events start journeys. */
  const signUp = async (userId: string, email: string) => {
    for (const [path, body] of [
      ['/v1/identify', { userId, messageId: `${userId}-1`, traits: { email, first_name: 'Ada', locale: 'de' } }],
      ['/v1/track', { userId, messageId: `${userId}-2`, event: 'Signed Up' }],
    ] as const) {
      const call = { ...body, timestamp: now.toISOString() };
      await request(app).post(path).set('Authorization', `Bearer ${WRITE_KEY}`).send(call).expect(200);
    }
  };
  const welcomeMails = (email: string) => smtp.to(email).filter((m) => m.headers.get('x-journey') === 'welcome');
  const theWelcome = (email: string) => eventually(() => welcomeMails(email)[0], 'the welcome');
  const steps = (email: string) => welcomeMails(email).map((m) => m.headers.get('x-journey-step'));
  /** The customer's mail client loads the email's tracking pixel. */
  const openPixel = async (mail: ReceivedMail, userAgent: string, ip: string) => {
    const pixel = /https:\/\/mail\.example\.test(\/t\/o\/[^"]+\.gif)/.exec(String(mail.html))![1];
    await request(app).get(pixel).set('User-Agent', userAgent).set('X-Forwarded-For', ip).expect(200);
  };
  /** Until the customer's workflow has taken its 3 events (identify, sign-up, the open) before time moves on. */
  const taken = (userId: string) =>
    eventually(async () => {
      const state = await env().client.workflow.getHandle(customerWorkflowId(userId)).query(customerStateQuery);
      return state.eventsProcessed >= 3;
    }, `${userId}'s open taken`);
  const customer = async (userId: string) =>
    (await request(app).get(`/v1/customers/${userId}`).set('Authorization', `Bearer ${ADMIN_KEY}`).expect(200)).body;

  it('sends a customer who never opened the welcome the welcome again after 3 days, with another subject', async () => {
    await signUp('r-1', 'ada.r1@example.test');
    const welcome = await theWelcome('ada.r1@example.test');
    expect(welcome.envelope.to).toEqual(['ada.r1@example.test']);
    expect(welcome.subject).toBe('Willkommen bei Journeys Shop: 10 % auf deine erste Bestellung');

    // After the best content, the journey waits for an open of the welcome: the API and the Web UI say so.
    await sleep('49 hours');
    const waiting = await customer('r-1');
    expect(waiting.journeys).toContainEqual(
      expect.objectContaining({ journey: 'welcome', step: 'waiting for an open of welcome', running: true }),
    );

    await sleep('1 day');
    expect(steps('ada.r1@example.test')).toEqual(['welcome', 'best-content', 'welcome-resend']);
    const resend = welcomeMails('ada.r1@example.test')[2];
    expect(resend.envelope.to).toEqual(['ada.r1@example.test']);
    expect(resend.subject).toBe('Noch für dich da: 10 % auf deine erste Bestellung bei Journeys Shop');
    expect(resend.subject).not.toBe(welcome.subject);
    expect(String(resend.html)).toContain('WELCOME10'); // the same gift
  });

  it('sends no second welcome to a customer who opened it', async () => {
    await signUp('r-2', 'ada.r2@example.test');
    const welcome = await theWelcome('ada.r2@example.test');
    await sleep('5 hours');
    await openPixel(welcome, PERSON, '198.51.100.23');
    await taken('r-2');
    await sleep('4 days');
    expect(steps('ada.r2@example.test')).toEqual(['welcome', 'best-content']);
    // The open is on the customer's messages, a person's.
    const { messages } = await customer('r-2');
    const opened = messages.find((m: { step: string }) => m.step === 'welcome');
    expect(opened.events).toContainEqual(expect.objectContaining({ type: 'opened', machine: null }));
  });

  it("sends the welcome again when its only open was Apple Mail Privacy Protection's prefetch", async () => {
    await signUp('r-3', 'ada.r3@example.test');
    const welcome = await theWelcome('ada.r3@example.test');
    // Apple's proxy loads the pixel as the mail reaches the phone, a minute later.
    await sleep('1 minute');
    await openPixel(welcome, 'Mozilla/5.0', '17.58.63.1');
    await taken('r-3');
    await sleep('73 hours');
    expect(steps('ada.r3@example.test')).toEqual(['welcome', 'best-content', 'welcome-resend']);
    const { messages } = await customer('r-3');
    const prefetched = messages.find((m: { step: string }) => m.step === 'welcome');
    expect(prefetched.events).toContainEqual(expect.objectContaining({ type: 'opened', machine: 'privacy-proxy' }));
  });
});
