import express from 'express';
import request from 'supertest';
import { trackingRouter } from '../../src/api/tracking';
import { leaseWaiting, markDelivered, projectEvents } from '../../src/db/dispatch';
import { storeEvents } from '../../src/db/events';
import type { CustomerEvent } from '../../src/shared/events';
import { signToken } from '../../src/tracking/tokens';
import { useMigratedPostgres } from '../helpers/postgres';

const SECRET = 'tracking-test-secret';

describe('tracking and consent links', () => {
  const db = useMigratedPostgres();
  const accepted: CustomerEvent[] = [];
  let app: express.Express;
  let messageId: number;

  beforeAll(async () => {
    // Stored as the API does, and projected as the dispatcher does; delivery to Temporal is the
    // e2e test's business.
    // Behind a proxy that says who the client is: the tests play Apple's and scanners' addresses.
    app = express()
      .set('trust proxy', 'loopback')
      .use(
        trackingRouter({
          pool: db.pool(),
          signingSecret: SECRET,
          accept: async (event) => {
            accepted.push(event);
            await storeEvents(db.pool(), [event]);
            const leased = await leaseWaiting(db.pool(), 'tracking-test', 100, 100, 30_000);
            await projectEvents(
              db.pool(),
              leased.flatMap((c) => c.events),
            );
            const delivered = leased.map((c) => ({ customerId: c.customerId, seqs: c.events.map((e) => e.seq) }));
            await markDelivered(db.pool(), delivered, 'tracking-test');
          },
        }),
      );
    await db.pool().query(`INSERT INTO customers (id, email) VALUES ('t-1', 't-1@example.test')`);
    const { rows } = await db.pool().query(
      `INSERT INTO messages (idempotency_key, customer_id, journey, step, template, status, variant)
       VALUES ('k-1', 't-1', 'win-back', 'offer', 'win-back', 'sent', 'B') RETURNING id`,
    );
    messageId = Number(rows[0].id);
  });
  beforeEach(() => {
    accepted.length = 0;
  });
  const token = (u?: string) => signToken({ m: messageId, ...(u ? { u } : {}) }, SECRET);
  const events = async (type: string) =>
    (await db.pool().query('SELECT url FROM message_events WHERE message_id = $1 AND type = $2', [messageId, type]))
      .rows;

  it('serves the open pixel, counts every open and tells the workflow once per email', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await request(app).get(`/t/o/${token()}.gif`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/gif');
      expect(res.headers['cache-control']).toContain('no-store');
    }
    expect(await events('opened')).toHaveLength(2);
    expect(accepted.map((e) => e.event)).toEqual(['Email Opened', 'Email Opened']);
    expect(new Set(accepted.map((e) => e.messageId)).size).toBe(1); // the same messageId: deduplicated downstream
    expect(accepted[0]).toMatchObject({
      userId: 't-1',
      properties: { campaign_name: 'win-back', step: 'offer', variant: 'B' },
    });
  });

  it('records a click and redirects to the signed destination', async () => {
    const res = await request(app).get(`/t/c/${token('https://shop.example/p-1?utm=x&y=1')}`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('https://shop.example/p-1?utm=x&y=1');
    expect(await events('clicked')).toEqual([{ url: 'https://shop.example/p-1?utm=x&y=1' }]);
    expect(accepted[0]).toMatchObject({
      event: 'Email Link Clicked',
      properties: { url: 'https://shop.example/p-1?utm=x&y=1' },
    });
  });

  it('answers 404 to a tampered, foreign or unknown token and never redirects', async () => {
    const good = token('https://shop.example/');
    const [body, mac] = good.split('.');
    const forged = `${Buffer.from(JSON.stringify({ m: messageId, u: 'https://evil.example/' })).toString('base64url')}.${mac}`;
    const foreign = signToken({ m: messageId, u: 'https://shop.example/' }, 'another-secret');
    const unknown = signToken({ m: 999_999, u: 'https://shop.example/' }, SECRET);
    for (const t of [forged, foreign, unknown, `${body}.x`, 'nonsense', token()]) {
      const res = await request(app).get(`/t/c/${t}`);
      expect(res.status).toBe(404);
      expect(res.headers.location).toBeUndefined();
      expect(res.body).toEqual({ error: { code: 'not_found', message: 'Unknown link' } });
    }
    expect((await request(app).get(`/t/o/${forged}.gif`)).status).toBe(404);
    expect((await request(app).post(`/u/${forged}`).type('form').send({ action: 'unsubscribe' })).status).toBe(404);
    expect(accepted).toEqual([]);
  });

  it('shows the preference page on GET without changing anything', async () => {
    const res = await request(app).get(`/u/${token()}?action=pause`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Unsubscribe from all marketing emails');
    expect(res.text).toMatch(/class="wide primary" name="action" value="pause"/);
    expect(accepted).toEqual([]);
  });

  it('unsubscribes at once on the RFC 8058 one-click POST', async () => {
    const res = await request(app).post(`/u/${token()}`).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expect(res.text).toContain('You are unsubscribed');
    expect(await events('unsubscribed')).toHaveLength(1);
    const { rows } = await db
      .pool()
      .query(`SELECT status FROM subscriptions WHERE customer_id = 't-1' AND topic = 'marketing'`);
    expect(rows).toEqual([{ status: 'unsubscribed' }]);
    expect(accepted.map((e) => e.event)).toEqual(['Unsubscribed']);
  });

  it('unsubscribes on a one-click POST sent as multipart/form-data, as RFC 8058 says mail providers should', async () => {
    await db.pool().query(`INSERT INTO customers (id, email) VALUES ('t-2', 't-2@example.test')`);
    const { rows: sent } = await db.pool().query(
      `INSERT INTO messages (idempotency_key, customer_id, journey, step, template, status)
       VALUES ('k-2', 't-2', 'welcome', 'welcome', 'welcome', 'sent') RETURNING id`,
    );
    const theirs = signToken({ m: Number(sent[0].id) }, SECRET);
    const res = await request(app).post(`/u/${theirs}`).field('List-Unsubscribe', 'One-Click');
    expect(res.status).toBe(200);
    expect(res.text).toContain('You are unsubscribed');
    const { rows } = await db
      .pool()
      .query(`SELECT status FROM subscriptions WHERE customer_id = 't-2' AND topic = 'marketing'`);
    expect(rows).toEqual([{ status: 'unsubscribed' }]);
    const withFile = await request(app).post(`/u/${theirs}`).attach('file', Buffer.from('x'), 'x.txt');
    expect(withFile.status).toBe(413);
  });

  it("redirects a click to exactly the link's URL, apostrophes and ampersands included", async () => {
    const url = "https://shop.example/products/o'neil-jacket?size=m&color=navy";
    const res = await request(app).get(`/t/c/${token(url)}`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(url);
  });

  it('pauses for 30 days or switches to fewer emails from the page buttons', async () => {
    await request(app).post(`/u/${token()}`).type('form').send({ action: 'pause' }).expect(200);
    let row = (await db.pool().query(`SELECT paused_until, frequency FROM customers WHERE id = 't-1'`)).rows[0];
    expect(row.paused_until.getTime() - Date.now()).toBeGreaterThan(29 * 86400_000);
    await request(app).post(`/u/${token()}`).type('form').send({ action: 'fewer' }).expect(200);
    row = (await db.pool().query(`SELECT frequency FROM customers WHERE id = 't-1'`)).rows[0];
    expect(row.frequency).toBe('fewer');
    expect(accepted.map((e) => [e.event, e.properties?.preference])).toEqual([
      ['Email Preference Updated', 'pause'],
      ['Email Preference Updated', 'fewer'],
    ]);
    const bad = await request(app).post(`/u/${token()}`).type('form').send({ action: 'delete-everything' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      code: 'invalid_request',
      details: [expect.objectContaining({ path: 'action' })],
    });
  });

  it('confirms the address from the double opt-in link', async () => {
    const res = await request(app).get(`/c/${token()}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Your email address is confirmed.');
    expect(accepted.map((e) => e.event)).toEqual(['Email Confirmed']);
  });
  describe('opens and clicks no person made', () => {
    const BROWSER =
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
    /** A message SMTP accepted `secondsAgo`, to customer `customerId`. */
    const sentMessage = async (customerId: string, secondsAgo: number) => {
      await db
        .pool()
        .query(`INSERT INTO customers (id, email) VALUES ($1, $2)`, [customerId, `${customerId}@example.test`]);
      const { rows } = await db.pool().query(
        `INSERT INTO messages (idempotency_key, customer_id, journey, step, template, status, sent_at)
         VALUES ($1, $2, 'welcome', 'welcome', 'welcome', 'sent', now() - $3 * interval '1 second') RETURNING id`,
        [`k-${customerId}`, customerId, secondsAgo],
      );
      return Number(rows[0].id);
    };
    const recorded = async (id: number) =>
      (await db.pool().query('SELECT type, machine FROM message_events WHERE message_id = $1 ORDER BY id', [id])).rows;
    const stored = async (customerId: string) =>
      (
        await db
          .pool()
          .query(`SELECT name, properties FROM events WHERE customer_id = $1 ORDER BY received_at, message_id`, [
            customerId,
          ])
      ).rows;

    it("records Apple Mail Privacy Protection's prefetch as such, and the person's later open as their own", async () => {
      const id = await sentMessage('t-mpp', 3600);
      const pixel = `/t/o/${signToken({ m: id }, SECRET)}.gif`;
      // Apple's proxy fetches the pixel as the mail reaches the phone: bare User-Agent, Apple's address.
      const prefetch = await request(app)
        .get(pixel)
        .set('User-Agent', 'Mozilla/5.0')
        .set('X-Forwarded-For', '17.58.100.1');
      expect(prefetch.status).toBe(200);
      expect(prefetch.headers['content-type']).toBe('image/gif');
      // The person opens it in a browser's webmail later; and once more.
      await request(app).get(pixel).set('User-Agent', BROWSER).set('X-Forwarded-For', '198.51.100.4').expect(200);
      await request(app).get(pixel).set('User-Agent', BROWSER).set('X-Forwarded-For', '198.51.100.4').expect(200);

      expect(await recorded(id)).toEqual([
        { type: 'opened', machine: 'privacy-proxy' },
        { type: 'opened', machine: null },
        { type: 'opened', machine: null },
      ]);
      expect(accepted.map((e) => e.properties)).toEqual([
        expect.objectContaining({ email_id: String(id), step: 'welcome', machine: 'privacy-proxy' }),
        expect.not.objectContaining({ machine: expect.anything() }),
        expect.not.objectContaining({ machine: expect.anything() }),
      ]);
      // Two events reach the workflow: the prefetch, flagged, and the person's first open.
      expect((await stored('t-mpp')).map((e) => [e.name, e.properties.machine ?? null])).toEqual([
        ['Email Opened', 'privacy-proxy'],
        ['Email Opened', null],
      ]);
    });

    it('records a security scanner following every link within seconds of delivery as a scanner', async () => {
      const id = await sentMessage('t-scan', 2);
      const link = (u: string) => `/t/c/${signToken({ m: id, u }, SECRET)}`;
      // A gateway checks each link two seconds after delivery, with a browser's User-Agent.
      for (const u of ['https://shop.example/a', 'https://shop.example/b']) {
        const res = await request(app).get(link(u)).set('User-Agent', BROWSER);
        expect(res.status).toBe(302); // it still learns where the link leads
        expect(res.headers.location).toBe(u);
      }
      // Another names itself, and one asks with HEAD.
      await request(app).get(link('https://shop.example/a')).set('User-Agent', 'Barracuda Sentinel (EE)').expect(302);
      await request(app).head(link('https://shop.example/b')).set('User-Agent', BROWSER).expect(302);
      expect((await recorded(id)).map((r) => r.machine)).toEqual(['scanner', 'scanner', 'scanner', 'scanner']);
      expect(accepted.map((e) => [e.event, e.properties?.url, e.properties?.machine])).toEqual([
        ['Email Link Clicked', 'https://shop.example/a', 'scanner'],
        ['Email Link Clicked', 'https://shop.example/b', 'scanner'],
        ['Email Link Clicked', 'https://shop.example/a', 'scanner'],
        ['Email Link Clicked', 'https://shop.example/b', 'scanner'],
      ]);
      expect(new Set(accepted.map((e) => e.messageId)).size).toBe(2); // one per link, as a person's are
    });
  });
});
