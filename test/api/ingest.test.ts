import request from 'supertest';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { createApp, type AppDeps } from '../../src/api/app';
import { Registry } from 'prom-client';
import { backlog, markDelivered } from '../../src/db/dispatch';
import { storeEvents } from '../../src/db/events';
import { createPool } from '../../src/db/pool';
import { deliverEvents } from '../../src/dispatcher/deliver';
import { dispatcherMetrics } from '../../src/dispatcher/metrics';
import { useMigratedPostgres } from '../helpers/postgres';
import { useApiBackends, useDispatcher } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import type { Express } from 'express';

const KEY = 'wk_test_123';
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
/** The API with our test keys, on the given database and Temporal client. */
const apiOn = (backends: Pick<AppDeps, 'pool' | 'temporal'> & Partial<AppDeps>): Express =>
  createApp({ apiKeys: [KEY], adminKeys: ['adm_test_456'], signingSecret: 'x'.repeat(32), log: () => {}, ...backends });

describe('event ingestion API (Segment HTTP Tracking API)', () => {
  const { env, db, processed } = useApiBackends();
  let app: Express;

  beforeAll(async () => {
    app = apiOn({ pool: db.pool(), temporal: env().client });
  });

  const stored = async (messageId: string) =>
    (await db.pool().query('SELECT name, delivered_at FROM events WHERE message_id = $1', [messageId])).rows;

  it('is ready when PostgreSQL and Temporal answer', async () => {
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ok: true,
      accepting: true,
      checks: { postgres: 'ok', temporal: 'ok', backlog: 'ok' },
    });
  });

  it('asks for a write key, by Basic (Segment) or Bearer', async () => {
    const none = await request(app).post('/v1/track').send({ userId: 'u', event: 'X' });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toContain('Basic realm="journeys"');
    expect(none.body.error.code).toBe('unauthorized');
    expect((await request(app).post('/v1/track').set('Authorization', basic('wrong')).send({})).status).toBe(401);
    const bearer = await request(app)
      .post('/v1/track')
      .set('Authorization', `Bearer ${KEY}`)
      .send({ userId: 'api-1', event: 'Page Viewed', messageId: 'api-m-1' });
    expect(bearer.status).toBe(200);
    expect(bearer.body).toEqual({ success: true });
    await processed('api-1', 1);
  });

  it('keeps admin endpoints to admin keys, and write endpoints to write keys', async () => {
    const asWriter = await request(app).get('/v1/customers/api-1').set('Authorization', basic(KEY));
    expect(asWriter.status).toBe(401);
    expect(asWriter.headers['www-authenticate']).toContain('journeys-admin');
    const asAdmin = await request(app).get('/v1/customers/api-1').set('Authorization', 'Bearer adm_test_456');
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.state).toMatchObject({ customerId: 'api-1', eventsProcessed: 1 });
    const adminWrites = await request(app)
      .post('/v1/track')
      .set('Authorization', 'Bearer adm_test_456')
      .send({ userId: 'u', event: 'X' });
    expect(adminWrites.status).toBe(401);
  });

  it('stores the event and hands it to the customer workflow, once per messageId', async () => {
    const call = {
      userId: 'api-2',
      event: 'Product Viewed',
      messageId: 'api-m-2',
      timestamp: '2026-11-20T08:00:00+01:00',
      properties: { product_id: 'p-1', any: { nested: ['thing'] } },
      context: { locale: 'de-DE' },
    };
    for (let i = 0; i < 2; i++) {
      const res = await request(app).post('/v1/track').set('Authorization', basic(KEY)).send(call);
      expect(res.status).toBe(200);
    }
    await processed('api-2', 1);
    expect(await stored('api-m-2')).toEqual([{ name: 'Product Viewed', delivered_at: expect.any(Date) }]);
    const { rows } = await db.pool().query(`SELECT occurred_at, context FROM events WHERE message_id = 'api-m-2'`);
    expect(rows[0].occurred_at.toISOString()).toBe('2026-11-20T07:00:00.000Z');
    expect(rows[0].context).toEqual({ locale: 'de-DE' });
  });

  it('takes a batch of identify and track calls, in order per customer', async () => {
    const res = await request(app)
      .post('/v1/batch')
      .set('Authorization', basic(KEY))
      .send({
        batch: [
          {
            type: 'identify',
            userId: 'api-3',
            messageId: 'b-1',
            traits: { email: 'b@example.test', timezone: 'Asia/Tokyo' },
          },
          { type: 'track', userId: 'api-3', messageId: 'b-2', event: 'Signed Up' },
          { type: 'track', userId: 'api-4', messageId: 'b-3', event: 'Product Viewed' },
        ],
      });
    expect(res.status).toBe(200);
    const s = await processed('api-3', 2);
    expect(s).toMatchObject({ profile: { timezone: 'Asia/Tokyo' } });
    expect(s.signedUpAt).toBeDefined();
    await processed('api-4', 1);
    const { rows } = await db.pool().query(`SELECT email FROM customers WHERE id = 'api-3'`);
    expect(rows).toEqual([{ email: 'b@example.test' }]);
  });

  it('counts accepted events by call type on /metrics', async () => {
    const fresh = apiOn({ pool: db.pool(), temporal: env().client });
    const res = await request(fresh)
      .post('/v1/batch')
      .set('Authorization', basic(KEY))
      .send({
        batch: [
          { type: 'identify', userId: 'api-m', messageId: 'm-1', traits: { email: 'm@example.test' } },
          { type: 'track', userId: 'api-m', messageId: 'm-2', event: 'Product Viewed' },
          { type: 'track', userId: 'api-m', messageId: 'm-3', event: 'Product Viewed' },
        ],
      });
    expect(res.status).toBe(200);
    const lines = (await request(fresh).get('/metrics')).text.split('\n');
    expect(lines).toContain('journeys_events_accepted_total{type="identify"} 1');
    expect(lines).toContain('journeys_events_accepted_total{type="track"} 2');
    expect(lines).toContain('journeys_http_requests_total{method="POST",route="/v1/batch",status="200"} 1');
    expect(lines).toContainEqual(expect.stringMatching(/^journeys_events_pending \d+$/));
    expect(lines).toContainEqual(expect.stringMatching(/^journeys_events_oldest_pending_age_seconds [\d.e-]+$/));
  });

  it('answers 503 with Retry-After when PostgreSQL is down, and the workflow never hears of the event', async () => {
    const deadDatabase = createPool('postgres://journeys@127.0.0.1:1/journeys');
    const down = apiOn({ pool: deadDatabase, temporal: env().client });
    const res = await request(down)
      .post('/v1/track')
      .set('Authorization', basic(KEY))
      .send({ userId: 'pg-down-1', event: 'Signed Up', messageId: 'pg-down-m-1' });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toEqual({ error: { code: 'unavailable', message: 'The database is unavailable; retry later' } });
    // Not half-applied: nothing stored, nothing delivered, so the client's retry is the one copy.
    expect(await stored('pg-down-m-1')).toEqual([]);
    await expect(env().client.workflow.getHandle('customer-pg-down-1').describe()).rejects.toThrow(
      WorkflowNotFoundError,
    );
    const ready = await request(down).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({
      ok: false,
      accepting: false,
      checks: {
        postgres: expect.stringMatching(/^unreachable/),
        temporal: 'ok',
        backlog: expect.stringMatching(/^unreachable/),
      },
    });
    const lines = (await request(down).get('/metrics')).text.split('\n');
    expect(lines).toContain('journeys_events_rejected_total{reason="unavailable"} 1');
    await deadDatabase.end();

    // The client retries once the database is back: stored and delivered, once.
    const retried = await request(app)
      .post('/v1/track')
      .set('Authorization', basic(KEY))
      .send({ userId: 'pg-down-1', event: 'Signed Up', messageId: 'pg-down-m-1' });
    expect(retried.status).toBe(200);
    await processed('pg-down-1', 1);
  });

  it('rejects bad input with 400 and the field paths, never 500', async () => {
    const post = (path: string, body: unknown) =>
      request(app)
        .post(path)
        .set('Authorization', basic(KEY))
        .send(body as object);
    const noUser = await post('/v1/track', { event: 'X' });
    expect(noUser.status).toBe(400);
    expect(noUser.body.error).toMatchObject({ code: 'invalid_request', message: 'userId or anonymousId is required' });
    expect(noUser.body.error.details).toEqual([{ path: 'userId', message: 'userId or anonymousId is required' }]);
    const noEvent = await post('/v1/track', { userId: 'u' });
    expect(noEvent.body.error.details[0].path).toBe('event');
    const badBatch = await post('/v1/batch', {
      batch: [
        { type: 'track', event: 'X' },
        { type: 'purchase', userId: 'u' },
      ],
    });
    expect(badBatch.status).toBe(400);
    expect(badBatch.body.error).toMatchObject({ code: 'invalid_request', message: 'No call in the batch is valid' });
    expect(
      badBatch.body.error.details.map((d: { index: number; details: { path: string }[] }) => [
        d.index,
        d.details[0].path,
      ]),
    ).toEqual([
      [0, 'userId'],
      [1, 'type'],
    ]);
    const badTime = await post('/v1/identify', { userId: 'u', timestamp: 'yesterday' });
    expect(badTime.body.error.details[0].path).toBe('timestamp');
    const malformed = await request(app)
      .post('/v1/track')
      .set('Authorization', basic(KEY))
      .set('Content-Type', 'application/json')
      .send('{"userId": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('malformed_json');
  });

  it('refuses an event over 32 KB and a body over 500 KB with 413', async () => {
    const post = (path: string, body: unknown) =>
      request(app)
        .post(path)
        .set('Authorization', basic(KEY))
        .send(body as object);
    const big = await post('/v1/track', { userId: 'u', event: 'X', properties: { blob: 'x'.repeat(33 * 1024) } });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('event_too_large');
    const huge = await post('/v1/batch', {
      batch: Array.from({ length: 20 }, (_, i) => ({
        type: 'track',
        userId: 'u',
        event: 'X',
        properties: { blob: 'x'.repeat(30 * 1024), i },
      })),
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
    expect(await stored('never')).toEqual([]);
  });
});

describe('the dispatcher', () => {
  const { env, db, delivered, processed } = useApiBackends();
  const track = (userId: string, n: number) => ({
    messageId: `${userId}-${n}`,
    type: 'track' as const,
    event: 'Product Viewed',
    userId,
    timestamp: new Date().toISOString(),
    properties: { product_id: `p-${n}` },
  });

  it('delivers a customer’s burst in order, in far fewer signals than events, each event once', async () => {
    const burst = Array.from({ length: 500 }, (_, i) => track('burst-1', i));
    // Stored in five requests, as five batches would be; the dispatcher may already be delivering.
    for (let i = 0; i < 5; i++) await storeEvents(db.pool(), burst.slice(i * 100, i * 100 + 100));
    await processed('burst-1', 500);
    const history = await env().client.workflow.getHandle('customer-burst-1').fetchHistory();
    const signals = history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes);
    expect(signals.length).toBeLessThanOrEqual(10);
    const order = signals.flatMap((e) =>
      (
        env().client.options.loadedDataConverter.payloadConverter.fromPayload(
          e.workflowExecutionSignaledEventAttributes!.input!.payloads![0],
        ) as { messageId: string }[]
      ).map((x) => x.messageId),
    );
    expect(order).toEqual(burst.map((e) => e.messageId));
  });

  it('processes a redelivered event once: the workflow ignores a messageId it has seen', async () => {
    const order = { ...track('again-1', 1), event: 'Order Completed', properties: { order_id: 'o-1', total: 10 } };
    await storeEvents(db.pool(), [order]);
    await delivered();
    // As if a dispatcher crashed after the signal and before marking it delivered.
    await deliverEvents(env().client, 'again-1', [order], 10_000);
    await storeEvents(db.pool(), [track('again-1', 2)]);
    // Had the repeat counted, the order would be counted twice by the time both events were.
    expect(await processed('again-1', 2)).toMatchObject({ orders: 1 });
  });

  it('never marks delivered an event whose request committed after a later-numbered one was read', async () => {
    // Two requests store events for one customer at once: the first takes the lower seq but commits
    // last, after the dispatcher has read (and delivered) the second's. Marking "up to the seq
    // delivered" would mark the first's too, and it would never reach the workflow.
    // (Found by the fault tests' helper; the dispatcher's steps are run by hand to force the order.)
    await db.pool().query(`INSERT INTO dispatch_leases VALUES ('late-1', 'this-test', now() + interval '1 hour')`);
    const first = await db.pool().connect();
    try {
      await first.query('BEGIN');
      await first.query(
        `INSERT INTO events (message_id, customer_id, type, name, occurred_at) VALUES ('late-1-1', 'late-1', 'track', 'Product Viewed', now())`,
      );
      await storeEvents(db.pool(), [track('late-1', 2)]);
      // What the dispatcher reads for the customer it holds: the committed event only.
      const { rows: pending } = await db
        .pool()
        .query<{ seq: string; message_id: string }>(
          `SELECT seq, message_id FROM events WHERE customer_id = 'late-1' AND delivered_at IS NULL ORDER BY seq`,
        );
      expect(pending.map((p) => p.message_id)).toEqual(['late-1-2']);
      await deliverEvents(env().client, 'late-1', [track('late-1', 2)], 10_000);
      await first.query('COMMIT');
      // Recorded delivered, and the customer given back.
      await markDelivered(db.pool(), [{ customerId: 'late-1', seqs: pending.map((p) => p.seq) }], 'this-test');
    } finally {
      first.release();
    }
    const { rows } = await db
      .pool()
      .query(`SELECT message_id FROM events WHERE customer_id = 'late-1' AND delivered_at IS NULL`);
    expect(rows).toEqual([{ message_id: 'late-1-1' }]);
    // Given back, the customer's late event is delivered as well: both processed.
    await processed('late-1', 2);
  });

  it('leaves a customer another dispatcher holds to it; the inspection shows the events waiting', async () => {
    await db
      .pool()
      .query(`INSERT INTO dispatch_leases VALUES ('held-1', 'another-dispatcher', now() + interval '1 hour')`);
    await storeEvents(db.pool(), [track('held-1', 1), track('held-1', 2)]);
    await storeEvents(db.pool(), [track('free-1', 1)]);
    await eventually(async () => (await backlog(db.pool())).pending === 2, 'the free customer delivered');
    const app = apiOn({ pool: db.pool(), temporal: env().client });
    const res = await request(app).get('/v1/customers/held-1').set('Authorization', 'Bearer adm_test_456');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ profile: null, state: null });
    expect(res.body.pending).toEqual({
      count: 2,
      events: [1, 2].map((n) => ({
        messageId: `held-1-${n}`,
        type: 'track',
        event: 'Product Viewed',
        receivedAt: expect.any(String),
      })),
    });
    // The other dispatcher's lease runs out (it crashed): this one takes the customer over.
    await db.pool().query(`UPDATE dispatch_leases SET leased_until = now() WHERE customer_id = 'held-1'`);
    await processed('held-1', 2);
  });
});

describe('when Temporal cannot be reached', () => {
  const db = useMigratedPostgres();
  const unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const registry = new Registry();
  useDispatcher(() => ({ pool: db.pool(), temporal: unreachable, listenUrl: db.url() }), {
    deliveryTimeoutMs: 500,
    ...dispatcherMetrics(registry),
  });
  afterAll(() => unreachable.connection.close());

  it('still accepts in milliseconds, and keeps the event until Temporal is back', async () => {
    const app = apiOn({ pool: db.pool(), temporal: unreachable, registry, backlogThresholdSeconds: 1 });
    const res = await request(app)
      .post('/v1/track')
      .set('Authorization', basic(KEY))
      .send({ userId: 'down-1', event: 'Signed Up', messageId: 'down-m-1' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    const { rows } = await db.pool().query(`SELECT delivered_at FROM events WHERE message_id = 'down-m-1'`);
    expect(rows).toEqual([{ delivered_at: null }]); // stored, waiting for the dispatcher
    const metrics = async () => (await request(app).get('/metrics')).text.split('\n');
    await eventually(
      async () =>
        (await metrics()).find((l) => /^journeys_event_delivery_failures_total\{service="temporal"\} [1-9]/.test(l)),
      'a failed delivery counted',
    );
    expect(await metrics()).toContain('journeys_events_pending 1');
    // Ready to accept; not ok, and it says why: Temporal is unreachable and the delivery behind.
    const ready = await eventually(async () => {
      const r = await request(app).get('/readyz');
      return r.body.checks.backlog.startsWith('behind') && r;
    }, 'the backlog older than its threshold');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      ok: false,
      accepting: true,
      checks: {
        postgres: 'ok',
        temporal: expect.stringMatching(/^unreachable/),
        backlog: expect.stringMatching(/^behind: 1 events waiting, the oldest for \d+ s \(more than 1 s\)$/),
      },
    });
    expect((await request(app).get('/healthz')).body).toEqual({ ok: true });
  });
});
