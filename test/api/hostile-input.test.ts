import { brotliCompressSync } from 'node:zlib';
import request from 'supertest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { Express } from 'express';
import { createApp } from '../../src/api/app';
import { customerStateQuery } from '../../src/shared/signals';
import { TASK_QUEUE } from '../../src/config/task-queue';
import { useApiBackends, useDispatcher } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { StubActivities } from '../helpers/journeys';
import { useMigratedPostgres } from '../helpers/postgres';
import { useDevServerEnv } from '../helpers/temporal';

// Requests a fuzzer or a careless backend sends, each once answered 500 (or a 503 while PostgreSQL
// and Temporal were fine): every one is a 4xx JSON error naming the field, and nothing is stored.

const KEY = 'wk_hostile';
const ADMIN = 'adm_hostile';
const basic = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;

describe('hostile and careless input', () => {
  const { env, db, delivered, processed } = useApiBackends();
  let app: Express;
  beforeAll(() => {
    app = createApp({
      pool: db.pool(),
      temporal: env().client,
      apiKeys: [KEY],
      adminKeys: [ADMIN],
      signingSecret: 'y'.repeat(32),
      log: (err) => console.error('unexpected', err),
    });
  });

  const track = (body: object) => request(app).post('/v1/track').set('Authorization', basic).send(body);
  const identify = (body: object) => request(app).post('/v1/identify').set('Authorization', basic).send(body);
  const storedFor = async (userId: string) =>
    (await db.pool().query('SELECT count(*)::int AS n FROM events WHERE customer_id = $1', [userId])).rows[0].n;
  /** A 400 naming `path`, with nothing stored for `userId`. */
  const refused = async (res: request.Response, path: string, userId?: string) => {
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code: 'invalid_request' });
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(res.body.error.message).toContain(path);
    if (userId) expect(await storedFor(userId)).toBe(0);
  };

  it('reads the body as JSON whatever the Content-Type says, and answers a body that is not JSON with 400', async () => {
    // Segment's browser library sends text/plain to avoid a CORS preflight.
    const plain = await request(app)
      .post('/v1/track')
      .set('Authorization', basic)
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify({ userId: 'h-plain', event: 'Page Viewed', messageId: 'h-plain-1' }));
    expect(plain.status).toBe(200);
    expect(await storedFor('h-plain')).toBe(1);
    // curl -d without a Content-Type: form-encoded, and not JSON.
    const form = await request(app)
      .post('/v1/track')
      .set('Authorization', basic)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('userId=u&event=x');
    expect({ status: form.status, code: form.body.error.code }).toEqual({ status: 400, code: 'malformed_json' });
    const empty = await request(app).post('/v1/track').set('Authorization', basic);
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('invalid_request');
  });

  it('answers an unsupported charset or a broken Content-Encoding with a 4xx, and takes real brotli', async () => {
    const latin1 = await request(app)
      .post('/v1/track')
      .set('Authorization', basic)
      .set('Content-Type', 'application/json; charset=latin1')
      .send('{"userId":"h-l","event":"X"}');
    expect({ status: latin1.status, code: latin1.body.error.code }).toEqual({
      status: 415,
      code: 'unsupported_charset',
    });
    const garbage = await request(app)
      .post('/v1/track')
      .set('Authorization', basic)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'br')
      .send('not brotli at all');
    expect({ status: garbage.status, code: garbage.body.error.code }).toEqual({ status: 400, code: 'bad_request' });
    const unknown = await request(app)
      .post('/v1/track')
      .set('Authorization', basic)
      .set('Content-Encoding', 'zstd')
      .send('x');
    expect({ status: unknown.status, code: unknown.body.error.code }).toEqual({
      status: 415,
      code: 'unsupported_encoding',
    });
    const brotli = await request(app)
      .post('/v1/track')
      .set('Authorization', basic)
      .set('Content-Type', 'text/plain') // (with a JSON type, supertest would serialise the Buffer itself)
      .set('Content-Encoding', 'br')
      .send(brotliCompressSync(JSON.stringify({ userId: 'h-br', event: 'X', messageId: 'h-br-1' })));
    expect(brotli.body).toEqual({ success: true });
  });

  it('refuses JSON nested 10,000 levels deep', async () => {
    const depth = 10_000;
    const res = await request(app)
      .post('/v1/track')
      .set('Authorization', basic)
      .set('Content-Type', 'application/json')
      .send(`{"userId":"h-deep","event":"X","properties":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^properties(\.a)+ is nested deeper than 32 levels$/);
    expect(await storedFor('h-deep')).toBe(0);
  });

  it('refuses a NUL or a lone surrogate in any string, and starts no workflow for it', async () => {
    await refused(
      await track({ userId: 'h-nul', event: 'X', properties: { note: 'a\u0000b' } }),
      'properties.note',
      'h-nul',
    );
    await refused(await track({ userId: 'h-\ud800', event: 'X', messageId: 'h-sur-1' }), 'userId');
    const anywhere = await db.pool().query(`SELECT count(*)::int AS n FROM events WHERE message_id = 'h-sur-1'`);
    expect(anywhere.rows[0].n).toBe(0);
    await expect(env().client.workflow.getHandle('customer-h-\ufffd').describe()).rejects.toThrow(
      WorkflowNotFoundError,
    );
    const admin = await request(app).get('/v1/customers/a%00b').set('Authorization', `Bearer ${ADMIN}`);
    expect(admin.status).toBe(400);
    expect(admin.body.error.details[0].path).toBe('id');
  });

  it('refuses numbers and times PostgreSQL cannot hold, naming the field (never a 503)', async () => {
    await refused(
      await track({
        userId: 'h-q',
        event: 'Product Added',
        properties: { cart_id: 'k', product_id: 'p', quantity: 1e20 },
      }),
      'properties.quantity',
      'h-q',
    );
    await refused(await track({ userId: 'h-t', event: 'X', timestamp: '0000-01-01T00:00:00Z' }), 'timestamp', 'h-t');
    const infinite = await request(app)
      .post('/v1/track')
      .set('Authorization', basic)
      .set('Content-Type', 'application/json')
      .send('{"userId":"h-r","event":"Order Completed","properties":{"order_id":"o","revenue":1e400}}');
    await refused(infinite, 'properties.revenue', 'h-r');
    await refused(
      await track({ userId: 'h-d', event: 'Email Preference Updated', properties: { preference: 'pause', days: 'x' } }),
      'properties.days',
      'h-d',
    );
    const price = await request(app)
      .post('/v1/products')
      .set('Authorization', `Bearer ${ADMIN}`)
      .send({ products: [{ id: 'p-big', name: 'Big', price: 1e15 }] });
    await refused(price, 'products.0.price');
  });

  it('answers bad percent-encoding in a link, and an overlong template name, with a 4xx', async () => {
    for (const path of ['/t/o/%E0%A4%A.gif', '/t/c/%ZZ', '/u/%E0%A4%A', '/c/%']) {
      const res = await request(app).get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.error.code).toBe('bad_request');
    }
    const long = await request(app)
      .get(`/v1/templates/${'a'.repeat(300)}/preview`)
      .set('Authorization', `Bearer ${ADMIN}`);
    expect(long.status).toBe(404);
  });

  it('takes one email address, never a list or a header, and stores it normalised', async () => {
    for (const email of [
      'me@shop.test, other@elsewhere.test',
      'me@shop.test; other@elsewhere.test',
      '"Name" <me@shop.test>, other@elsewhere.test',
      'me@shop.test\r\nBcc: c@elsewhere.test',
      'Name <me@shop.test>',
      'not an address',
    ]) {
      await refused(await identify({ userId: 'h-mail', traits: { email } }), 'traits.email', 'h-mail');
    }
    expect((await identify({ userId: 'h-mail', traits: { email: ' Ada@Example.TEST ' } })).status).toBe(200);
    await delivered(); // projected to the profile
    const { rows } = await db.pool().query(`SELECT email FROM customers WHERE id = 'h-mail'`);
    expect(rows).toEqual([{ email: 'ada@example.test' }]);
    await refused(
      await track({ userId: 'h-b', event: 'Email Bounced', properties: { email: 'a@x.test, b@y.test' } }),
      'properties.email',
      'h-b',
    );
  });

  it('takes only http(s) links for products, and only real zones and language tags', async () => {
    for (const field of ['url', 'image_url']) {
      await refused(
        await track({
          userId: 'h-js',
          event: 'Product Added',
          properties: { cart_id: 'k', product_id: 'p', [field]: 'javascript:alert(document.cookie)' },
        }),
        `properties.${field}`,
        'h-js',
      );
    }
    await refused(await identify({ userId: 'h-z', traits: { timezone: 'Mars/Olympus' } }), 'traits.timezone', 'h-z');
    await refused(
      await track({ userId: 'h-z', event: 'X', context: { timezone: 'Mars/Olympus' } }),
      'context.timezone',
      'h-z',
    );
    await refused(await identify({ userId: 'h-z', context: { locale: 'not a locale!' } }), 'context.locale', 'h-z');
  });

  it('takes only phone numbers with their country code, and a yes or no for texts', async () => {
    for (const phone of ['0151 2345 6701', '+49 151', 'call me', '+1 555 0100']) {
      await refused(await identify({ userId: 'h-tel', traits: { phone } }), 'traits.phone', 'h-tel');
    }
    await refused(await identify({ userId: 'h-tel', traits: { sms_opt_in: 'yes' } }), 'traits.sms_opt_in', 'h-tel');
    const ok = await identify({ userId: 'h-tel', traits: { phone: '+44 (0)7911 123456', sms_opt_in: true } });
    expect(ok.status).toBe(200);
  });

  it('takes only a place on Earth as a location: both coordinates, in range, as numbers', async () => {
    const call = (context: object) => track({ userId: 'h-geo', event: 'Application Opened', context });
    await refused(await call({ location: { latitude: 91, longitude: 13.4 } }), 'context.location.latitude', 'h-geo');
    await refused(
      await call({ location: { latitude: 52.5, longitude: -180.5 } }),
      'context.location.longitude',
      'h-geo',
    );
    await refused(
      await call({ location: { latitude: '52.5', longitude: 13.4 } }),
      'context.location.latitude',
      'h-geo',
    );
    await refused(await call({ location: { latitude: 52.5 } }), 'context.location.longitude', 'h-geo');
    await refused(await identify({ userId: 'h-geo', traits: { longitude: 13.4 } }), 'traits.latitude', 'h-geo');
    await refused(
      await track({ userId: 'h-geo', event: 'Store Visited', properties: { latitude: -90.1, longitude: 0 } }),
      'properties.latitude',
      'h-geo',
    );
    // An app that geofences itself may say Store Nearby, naming the store.
    await refused(
      await track({ userId: 'h-geo', event: 'Store Nearby', properties: {} }),
      'properties.store_id',
      'h-geo',
    );
    // A city alone, an IP address, or null coordinates are no place, and no reason to refuse a call.
    const ok = await call({ location: { city: 'Berlin', latitude: null, longitude: null }, ip: '203.0.113.7' });
    expect(ok.status).toBe(200);
  });

  it('keeps two customers’ events apart when their backend reuses a messageId', async () => {
    for (const userId of ['h-one', 'h-two']) {
      const res = await track({
        userId,
        event: 'Order Completed',
        messageId: 'shared-message-id',
        properties: { order_id: 'o-shared', revenue: 40, currency: 'EUR', products: [{ product_id: 'p', name: 'P' }] },
      });
      expect(res.status).toBe(200);
    }
    await delivered();
    const events = await db
      .pool()
      .query(`SELECT customer_id FROM events WHERE message_id = 'shared-message-id' ORDER BY 1`);
    expect(events.rows.map((r) => r.customer_id)).toEqual(['h-one', 'h-two']);
    const orders = await db
      .pool()
      .query(`SELECT customer_id, revenue::float8 FROM orders WHERE id = 'o-shared' ORDER BY 1`);
    expect(orders.rows).toEqual([
      { customer_id: 'h-one', revenue: 40 },
      { customer_id: 'h-two', revenue: 40 },
    ]);
    for (const userId of ['h-one', 'h-two']) {
      expect(await processed(userId, 1)).toMatchObject({ orders: 1, totalSpent: 40 });
    }
  });
});

describe('a customer whose workflow task keeps failing', () => {
  const env = useDevServerEnv();
  const db = useMigratedPostgres();
  useDispatcher(() => ({ pool: db.pool(), temporal: env().client, listenUrl: db.url() }));

  it('still has its events accepted at once and delivered, and processed once the worker is fixed', async () => {
    const app = createApp({
      pool: db.pool(),
      temporal: env().client,
      apiKeys: [KEY],
      adminKeys: [ADMIN],
      signingSecret: 'y'.repeat(32),
      log: (err) => console.error('unexpected', err),
    });
    const send = async (n: number) => {
      const res = await request(app)
        .post('/v1/track')
        .set('Authorization', basic)
        .send({ userId: 'h-failing', event: 'Signed Up', messageId: `h-failing-${n}` });
      expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { success: true } });
    };
    const undelivered = async () =>
      (await db.pool().query(`SELECT 1 FROM events WHERE customer_id = 'h-failing' AND delivered_at IS NULL`)).rowCount;
    const handle = env().client.workflow.getHandle('customer-h-failing');

    // A worker whose every workflow task of this customer fails (a bug, or code that cannot replay).
    const broken = await Worker.create({
      connection: env().nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowsPath: require.resolve('../fixtures/failing-customer'),
    });
    await broken.runUntil(async () => {
      await send(1);
      await eventually(
        async () =>
          (await handle.fetchHistory().catch(() => undefined))?.events!.some(
            (e) => e.workflowTaskFailedEventAttributes,
          ),
        'the workflow task to fail',
      );
      // A signal needs no worker: Temporal takes it while the task fails.
      await send(2);
      await eventually(async () => (await undelivered()) === 0, 'both events delivered');
    });

    // The fix is deployed: the workflow runs, and takes both events, once each.
    const stub = new StubActivities(env);
    const fixed = await Worker.create({
      connection: env().nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowsPath: require.resolve('../../src/workflows'),
      activities: stub.activities,
    });
    await fixed.runUntil(async () => {
      const state = await eventually(async () => {
        const s = await handle.query(customerStateQuery).catch(() => undefined);
        return s?.eventsProcessed === 2 && s;
      }, 'both events processed');
      expect(state.signedUpAt).toBeDefined();
      await handle.terminate('test over');
    });
  });
});
