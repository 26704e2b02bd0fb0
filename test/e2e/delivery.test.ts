import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { createActivities } from '../../src/activities';
import { createMailer } from '../../src/activities/mailer';
import { createApp } from '../../src/api/app';
import { trackingRouter } from '../../src/api/tracking';
import { storeEvents } from '../../src/db/events';
import { customerStateQuery } from '../../src/shared/signals';
import { createRenderer } from '../../src/templates/renderer';
import { useDispatcher } from '../helpers/api';
import { identify, testConfig, track } from '../helpers/journeys';
import { useMigratedPostgres } from '../helpers/postgres';
import { useSmtpSink, type ReceivedMail } from '../helpers/smtp-sink';
import { useDevServerEnv } from '../helpers/temporal';
import { runProductWorker } from '../helpers/worker';
import { eventually } from '../helpers/eventually';

const links = { publicUrl: 'https://mail.example.test', signingSecret: 'e2e-signing-secret' };
// The brief's timings, shortened so the journey runs while the test watches.
const config = testConfig({
  journeys: { abandonedCart: { firstReminderAfter: '2 seconds', secondReminderAfter: '2 seconds' } },
});

describe('end to end on the dev server: events in, emails out, clicks back', () => {
  const env = useDevServerEnv();
  const db = useMigratedPostgres();
  const smtp = useSmtpSink();

  beforeAll(async () => {
    const mailer = createMailer(smtp.url());
    const activities = createActivities({
      pool: db.pool(),
      mailer,
      clock: () => new Date(),
      config: () => config,
      renderer: createRenderer({ defaultLocale: 'en' }),
      links,
      sms: undefined,
      webhookSecret: undefined,
    });
    await runProductWorker(env(), activities, () => mailer.close());
  });
  useDispatcher(() => ({ pool: db.pool(), temporal: env().client, listenUrl: db.url() }));

  it('runs the abandoned-cart journey with the real activities and tracks the click', async () => {
    const accept = (event: Parameters<typeof storeEvents>[1][number]) => storeEvents(db.pool(), [event]);
    await accept(identify({ email: 'ada@example.test', first_name: 'Ada', locale: 'de' }, 'e2e-1'));
    await accept(track('Email Confirmed', {}, 'e2e-1')); // double opt-in: marketing mail from now on
    const added = track(
      'Product Added',
      {
        cart_id: 'k-9',
        product_id: 'p-9',
        name: 'Regenjacke',
        price: 89,
        quantity: 1,
        url: 'https://shop.example/p-9',
      },
      'e2e-1',
    );
    expect(await accept(added)).toBe(1);
    expect(await accept(added)).toBe(0); // a client retry: stored once

    const emails = await eventually(
      () => (smtp.to('ada@example.test').length >= 2 ? smtp.to('ada@example.test') : undefined),
      'two reminders',
    );
    expect(emails).toHaveLength(2);
    for (const mail of emails) {
      expect(mail.html).toContain('Regenjacke');
      expect(mail.headers.get('x-journey')).toBe('abandoned-cart');
    }
    // The mail is in the inbox a moment before the activity records it as sent.
    const rows = await eventually(async () => {
      const { rows } = await db
        .pool()
        .query(`SELECT step, status, locale FROM messages WHERE customer_id = 'e2e-1' ORDER BY id`);
      return rows.every((r) => r.status === 'sent') ? rows : undefined;
    }, 'both messages recorded as sent');
    expect(rows).toEqual([
      { step: 'reminder', status: 'sent', locale: 'de' },
      { step: 'reminder-with-incentive', status: 'sent', locale: 'de' },
    ]);

    // The reader clicks the product link: we record it, tell the workflow, and send them on.
    const click = String(emails[0].html).match(/href="https:\/\/mail\.example\.test(\/t\/c\/[^"]+)"/)![1];
    const app = express().use(
      trackingRouter({
        pool: db.pool(),
        signingSecret: links.signingSecret,
        accept,
      }),
    );
    const res = await request(app).get(click);
    expect(res.status).toBe(302);
    expect(res.headers.location).toMatch(/^https:\/\/shop\.example/);
    const handle = env().client.workflow.getHandle('customer-e2e-1');
    await eventually(
      async () => ((await handle.query(customerStateQuery)).eventsProcessed === 4 ? true : undefined),
      'the click to reach the customer workflow',
    );
    const clicked = await db.pool().query(`SELECT count(*)::int AS n FROM message_events WHERE type = 'clicked'`);
    expect(clicked.rows[0].n).toBe(1);
    expect((await request(app).get('/t/c/forged.token')).status).toBe(404);
  });

  it("sends README's own examples their order confirmation, with the catalogue's product names", async () => {
    // The curl calls of README's "The event API", in order, as a newcomer would paste them.
    const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The event API'), readme.indexOf('## Provisioning'));
    const calls = [...section.matchAll(/http:\/\/127\.0\.0\.1:3000(\/v1\/\w+) \\\n\s+-d '([^']+)'/g)];
    expect(calls.map((c) => c[1])).toEqual(['/v1/identify', '/v1/track', '/v1/batch', '/v1/products']);
    const app = createApp({
      pool: db.pool(),
      temporal: env().client,
      apiKeys: ['dev_write_key'],
      adminKeys: ['dev_admin_key'],
      signingSecret: links.signingSecret,
    });
    // The catalogue first, so the order's product has a name to borrow; then the events.
    for (const [, path_, body] of [calls[3], ...calls.slice(0, 3)]) {
      const key = path_ === '/v1/products' ? 'dev_admin_key' : 'dev_write_key';
      const res = await request(app).post(path_).set('Authorization', `Bearer ${key}`).type('json').send(body);
      expect({ path_, status: res.status }).toEqual({ path_, status: 200 });
    }
    const confirmation = await eventually(() => smtp.to('ada@example.test').find(isConfirmation), 'the confirmation');
    expect(confirmation.subject).toContain('o-1');
    expect(confirmation.text).toContain('Trail shoe'); // the event named no product: the catalogue did
    expect(confirmation.text).toMatch(/Gesamt: 89,90\s€/); // Ada's locale is de, in README
    // Recorded sent once SMTP has accepted it: just after the mail arrives, not before.
    const status = async () =>
      (
        await db
          .pool()
          .query<{ status: string }>(`SELECT status FROM messages WHERE customer_id = 'c-1' AND step = 'confirmation'`)
      ).rows.map((r) => r.status);
    await eventually(async () => (await status())[0] === 'sent', 'the confirmation recorded sent');
    expect(await status()).toEqual(['sent']);
  });
});

const isConfirmation = (mail: ReceivedMail): boolean => mail.headers.get('x-journey-step') === 'confirmation';
