import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import request from 'supertest';
import { Analytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import type { Express } from 'express';
import { createApp } from '../../src/api/app';
import { REJECTED_RETENTION_DAYS } from '../../src/db/rejected';
import { useApiBackends } from '../helpers/api';
import { eventually } from '../helpers/eventually';

const KEY = 'wk_segment';
const ADMIN = 'adm_segment';
const basic = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;

// Segment's spec as its own libraries send it: every call type, anonymous visitors, numeric ids,
// the write key in the body, gzip under any Content-Type, clock skew, and batches with bad items.
describe('the Segment spec', () => {
  const { env, db, delivered, processed } = useApiBackends();
  let app: Express;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    app = createApp({
      pool: db.pool(),
      temporal: env().client,
      apiKeys: [KEY],
      adminKeys: [ADMIN],
      signingSecret: 'z'.repeat(32),
      log: (err) => console.error('unexpected', err),
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const stored = async (customerId: string) =>
    (
      await db
        .pool()
        .query(
          `SELECT message_id, type, name, properties, traits, occurred_at FROM events WHERE customer_id = $1 ORDER BY seq`,
          [customerId],
        )
    ).rows;
  const post = (path: string, body: object) => request(app).post(path).set('Authorization', basic).send(body);

  it('takes identify, track, page and alias from the official Segment library in one flush, each processed once', async () => {
    const responses: number[] = [];
    const analytics = new Analytics({ writeKey: KEY, host: url, flushAt: 10, flushInterval: 60_000, maxRetries: 0 });
    analytics.on('http_request', () => undefined);
    analytics.on('error', (err) => console.error('segment library error', err));
    (analytics as unknown as { on(e: string, f: (r: { status: number }) => void): void }).on('http_response', (r) =>
      responses.push(r.status),
    );
    analytics.identify({ userId: 'seg-1', traits: { email: 'seg@example.test', first_name: 'Sam' } });
    analytics.track({ userId: 'seg-1', event: 'Product Viewed', properties: { product_id: 'p-1' } });
    analytics.page({ userId: 'seg-1', name: 'Pricing', properties: { url: 'https://shop.example/pricing' } });
    analytics.alias({ userId: 'seg-1', previousId: 'visitor-1' });
    await analytics.closeAndFlush({ timeout: 30_000 });
    expect(responses).toEqual([200]); // one request: the whole flush as one batch
    const state = await processed('seg-1', 4);
    expect(state.profile).toBeDefined();
    const rows = await stored('seg-1');
    expect(rows.map((r) => [r.type, r.name])).toEqual([
      ['identify', 'identify'],
      ['track', 'Product Viewed'],
      ['page', 'page'],
      ['alias', 'alias'],
    ]);
    expect(rows[2].properties).toMatchObject({ name: 'Pricing', url: 'https://shop.example/pricing' });
    expect(rows[3].properties).toEqual({ previous_id: 'visitor-1' });
    const profile = await db.pool().query(`SELECT email, first_name FROM customers WHERE id = 'seg-1'`);
    expect(profile.rows).toEqual([{ email: 'seg@example.test', first_name: 'Sam' }]);
  });

  it('takes RudderStack’s Node library, which sends gzip as form-urlencoded', async () => {
    const errors: unknown[] = [];
    const client = new RudderAnalytics(KEY, {
      dataPlaneUrl: url,
      flushAt: 10,
      flushInterval: 60_000,
      retryCount: 0,
      errorHandler: (err: unknown) => errors.push(err),
    });
    client.identify({ userId: 'rudder-1', traits: { email: 'rudder@example.test' } });
    client.track({ userId: 'rudder-1', event: 'Signed Up' });
    await client.flush();
    expect(errors).toEqual([]);
    await processed('rudder-1', 2);
    expect((await stored('rudder-1')).map((r) => r.name)).toEqual(['identify', 'Signed Up']);
  });

  it('takes the write key in the body, and gzip whatever the Content-Type says', async () => {
    const body = { writeKey: KEY, userId: 'body-key-1', event: 'Signed Up', messageId: 'bk-1' };
    const res = await request(app).post('/v1/track').send(body);
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { success: true } });
    const wrong = await request(app)
      .post('/v1/track')
      .send({ ...body, writeKey: 'nope' });
    expect(wrong.status).toBe(401);
    const zipped = await fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: {
        Authorization: basic,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Encoding': 'gzip',
      },
      body: gzipSync(JSON.stringify({ batch: [{ type: 'track', userId: 'body-key-1', event: 'Product Viewed' }] })),
    });
    expect({ status: zipped.status, body: await zipped.json() }).toEqual({ status: 200, body: { success: true } });
    await processed('body-key-1', 2);
  });

  it('keeps numeric ids as their text, and an anonymous visitor apart from every customer', async () => {
    expect((await post('/v1/track', { userId: 12345, event: 'Signed Up' })).status).toBe(200);
    expect((await post('/v1/page', { anonymousId: 'a-77', name: 'Home' })).status).toBe(200);
    expect((await post('/v1/screen', { anonymousId: 4242, name: 'Basket' })).status).toBe(200);
    await processed('12345', 1);
    await processed('anonymous:a-77', 1);
    await processed('anonymous:4242', 1);
    const taken = await post('/v1/track', { userId: 'anonymous:a-77', event: 'X' });
    expect(taken.status).toBe(400);
    expect(taken.body.error.message).toBe('userId must not start with "anonymous:" (kept for anonymous visitors)');
  });

  it('carries an anonymous visitor’s events on under the customer they turn out to be, once', async () => {
    const status = async (customerId: string) =>
      (await env().client.workflow.getHandle(`customer-${customerId}`).describe()).status.name;
    // A visitor browses and fills a cart before signing in.
    await post('/v1/batch', {
      batch: [
        { type: 'page', anonymousId: 'v-1', name: 'Shoes', messageId: 'v-1-a' },
        {
          type: 'track',
          anonymousId: 'v-1',
          event: 'Product Added',
          messageId: 'v-1-b',
          properties: { cart_id: 'cart-v1', product_id: 'p-1', name: 'Trail shoe', price: 89.9, quantity: 1 },
        },
      ],
    });
    await processed('anonymous:v-1', 2);
    // They sign in: the library sends both ids from now on.
    await post('/v1/identify', { userId: 'known-1', anonymousId: 'v-1', traits: { email: 'known@example.test' } });
    const state = await processed('known-1', 3); // the visitor's two events, then the identify
    expect(state.eventsProcessed).toBe(3);
    expect((await stored('known-1')).map((r) => r.message_id)).toEqual(['v-1-a', 'v-1-b', expect.any(String)]);
    expect(await stored('anonymous:v-1')).toEqual([]);
    // The visitor's own workflow is ended, and what it left is gone: the cart is the customer's.
    await eventually(async () => (await status('anonymous:v-1')) === 'TERMINATED', 'the visitor’s workflow ended');
    await eventually(
      async () => (await db.pool().query(`SELECT 1 FROM customers WHERE id = 'anonymous:v-1'`)).rowCount === 0,
      'the visitor’s profile removed',
    );
    const cart = await db.pool().query(`SELECT customer_id FROM carts WHERE id = 'cart-v1'`);
    expect(cart.rows).toEqual([{ customer_id: 'known-1' }]);

    // Once: a later call from the visitor's device alone reaches the customer; another identify
    // with the same ids moves nothing again, and an alias to someone else changes nothing.
    await post('/v1/track', { anonymousId: 'v-1', event: 'Product Viewed', messageId: 'v-1-c' });
    await post('/v1/identify', { userId: 'known-1', anonymousId: 'v-1', messageId: 'v-1-d' });
    await post('/v1/alias', { userId: 'someone-else', previousId: 'v-1', messageId: 'v-1-e' });
    expect(await processed('known-1', 5)).toMatchObject({ eventsProcessed: 5 });
    const { rows } = await db
      .pool()
      .query(`SELECT customer_id FROM identity_links WHERE anonymous_id = 'anonymous:v-1'`);
    expect(rows).toEqual([{ customer_id: 'known-1' }]);

    // An alias links a visitor too.
    await post('/v1/page', { anonymousId: 'v-2', name: 'Home', messageId: 'v-2-a' });
    await processed('anonymous:v-2', 1);
    await post('/v1/alias', { userId: 'known-2', previousId: 'v-2', messageId: 'v-2-b' });
    await processed('known-2', 2);
  });

  it('moves a client’s clock to ours by its sentAt, as Segment does', async () => {
    // The phone's clock is two hours fast: it took the call a minute before it sent it.
    const phone = Date.now() + 2 * 3600_000;
    const res = await post('/v1/batch', {
      sentAt: new Date(phone).toISOString(),
      batch: [
        {
          type: 'track',
          userId: 'skew-1',
          event: 'Product Viewed',
          originalTimestamp: new Date(phone - 60_000).toISOString(),
        },
      ],
    });
    expect(res.status).toBe(200);
    const [row] = await stored('skew-1');
    const minuteAgo = Date.now() - 60_000;
    expect(Math.abs(row.occurred_at.getTime() - minuteAgo)).toBeLessThan(30_000);
  });

  it('fills the profile from context.traits on any call, and keeps a group’s traits to the group', async () => {
    await post('/v1/track', {
      userId: 'ctx-1',
      event: 'Product Viewed',
      context: { traits: { email: 'ctx@example.test', first_name: 'Cy' } },
    });
    await post('/v1/group', { userId: 'ctx-1', groupId: 'acme', traits: { name: 'Acme', email: 'billing@acme.test' } });
    await delivered();
    const profile = await db.pool().query(`SELECT email, first_name FROM customers WHERE id = 'ctx-1'`);
    expect(profile.rows).toEqual([{ email: 'ctx@example.test', first_name: 'Cy' }]);
    const [, group] = await stored('ctx-1');
    expect(group.properties).toEqual({ group_id: 'acme', traits: { name: 'Acme', email: 'billing@acme.test' } });
  });

  it('accepts a batch’s valid calls, answers the others by index, and keeps them for inspection', async () => {
    const refusedSoFar = async () => {
      const text = (await request(app).get('/metrics')).text;
      return Number(/^journeys_events_rejected_total\{reason="invalid_request"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    const before = await refusedSoFar();
    const res = await post('/v1/batch', {
      batch: [
        { type: 'track', userId: 'partial-1', event: 'Product Viewed', messageId: 'p-ok-1' },
        { type: 'track', event: 'Product Viewed', messageId: 'p-bad-1' },
        { type: 'identify', userId: 'partial-1', traits: { email: 'two@a.test, three@b.test' } },
        { type: 'page', userId: 'partial-1', messageId: 'p-ok-2' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      rejected: [
        {
          index: 1,
          code: 'invalid_request',
          message: 'userId or anonymousId is required',
          details: [{ path: 'userId', message: 'userId or anonymousId is required' }],
        },
        {
          index: 2,
          code: 'invalid_request',
          message: expect.stringMatching(/^traits\.email /),
          details: [{ path: 'traits.email', message: expect.any(String) }],
        },
      ],
    });
    await processed('partial-1', 2);
    expect((await stored('partial-1')).map((r) => r.message_id)).toEqual(['p-ok-1', 'p-ok-2']);

    const kept = await request(app).get('/v1/rejected-events?limit=2').set('Authorization', `Bearer ${ADMIN}`);
    expect(kept.status).toBe(200);
    expect(kept.body.rejected).toEqual([
      expect.objectContaining({
        endpoint: '/v1/batch',
        index: 2,
        code: 'invalid_request',
        payload: { type: 'identify', userId: 'partial-1', traits: { email: 'two@a.test, three@b.test' } },
      }),
      expect.objectContaining({
        endpoint: '/v1/batch',
        index: 1,
        payload: { type: 'track', event: 'Product Viewed', messageId: 'p-bad-1' },
      }),
    ]);
    expect((await refusedSoFar()) - before).toBe(2); // one a refused item, not one a request

    // A single call refused is kept too, without the write key it carried.
    await request(app)
      .post('/v1/identify')
      .send({ writeKey: KEY, userId: 'x', traits: { timezone: 'Mars/Base' } });
    const [single] = (await request(app).get('/v1/rejected-events?limit=1').set('Authorization', `Bearer ${ADMIN}`))
      .body.rejected;
    expect(single).toMatchObject({
      endpoint: '/v1/identify',
      payload: { userId: 'x', traits: { timezone: 'Mars/Base' } },
    });
    expect(single).not.toHaveProperty('index');
    expect(JSON.stringify(single)).not.toContain(KEY);
  });

  it(`keeps refused calls ${REJECTED_RETENTION_DAYS} days: older ones go as new ones are kept`, async () => {
    await request(app)
      .post('/v1/track')
      .set('Authorization', `Bearer ${KEY}`)
      .send({ userId: 'old-1', event: '', messageId: 'old-refused' });
    // As if refused a day past the retention.
    await db
      .pool()
      .query(
        `UPDATE rejected_events SET received_at = now() - make_interval(days => $1 + 1) WHERE payload LIKE '%old-refused%'`,
        [REJECTED_RETENTION_DAYS],
      );
    const list = async () =>
      (
        await request(app).get('/v1/rejected-events?limit=100').set('Authorization', `Bearer ${ADMIN}`)
      ).body.rejected.map((r: { payload: { messageId?: string } }) => r.payload.messageId);
    expect(await list()).toContain('old-refused');
    await request(app)
      .post('/v1/track')
      .set('Authorization', `Bearer ${KEY}`)
      .send({ userId: 'new-1', event: '', messageId: 'new-refused' });
    const kept = await list();
    expect(kept).toContain('new-refused');
    expect(kept).not.toContain('old-refused');
  });
});
