import request from 'supertest';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { createApp, type AppDeps } from '../../src/api/app';
import { createPool } from '../../src/db/pool';
import { deliverEvent } from '../../src/ingest/deliver';
import { recordEvent } from '../../src/ingest/record';
import { relayUndelivered } from '../../src/ingest/relay';
import { customerStateQuery } from '../../src/shared/signals';
import { useMigratedPostgres } from '../helpers/postgres';
import { useApiBackends } from '../helpers/api';
import type { Express } from 'express';

const KEY = 'wk_test_123';
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
/** The API with our test keys, on the given database and Temporal client. */
const apiOn = (backends: Pick<AppDeps, 'pool' | 'temporal'> & Partial<AppDeps>): Express =>
  createApp({ apiKeys: [KEY], adminKeys: ['adm_test_456'], signingSecret: 'x'.repeat(32), log: () => {}, ...backends });

describe('event ingestion API (Segment HTTP Tracking API)', () => {
  const { env, db } = useApiBackends();
  let app: Express;

  beforeAll(async () => {
    app = apiOn({ pool: db.pool(), temporal: env().client });
  });

  const state = (userId: string) => env().client.workflow.getHandle(`customer-${userId}`).query(customerStateQuery);
  const stored = async (messageId: string) =>
    (await db.pool().query('SELECT name, delivered_at FROM events WHERE message_id = $1', [messageId])).rows;

  it('is ready when PostgreSQL and Temporal answer', async () => {
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, checks: { postgres: 'ok', temporal: 'ok' } });
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
    expect(await stored('api-m-2')).toEqual([{ name: 'Product Viewed', delivered_at: expect.any(Date) }]);
    expect((await state('api-2')).eventsProcessed).toBe(1);
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
    const s = await state('api-3');
    expect(s).toMatchObject({ eventsProcessed: 2, profile: { timezone: 'Asia/Tokyo' } });
    expect(s.signedUpAt).toBeDefined();
    expect((await state('api-4')).eventsProcessed).toBe(1);
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
    expect(ready.body.checks).toEqual({ postgres: expect.stringMatching(/^unreachable/), temporal: 'ok' });
    const lines = (await request(down).get('/metrics')).text.split('\n');
    expect(lines).toContain('journeys_events_rejected_total{reason="unavailable"} 1');
    expect(lines).toContain('journeys_event_delivery_failures_total{service="postgres"} 1');
    await deadDatabase.end();

    // The client retries once the database is back: stored and delivered, once.
    const retried = await request(app)
      .post('/v1/track')
      .set('Authorization', basic(KEY))
      .send({ userId: 'pg-down-1', event: 'Signed Up', messageId: 'pg-down-m-1' });
    expect(retried.status).toBe(200);
    expect((await state('pg-down-1')).eventsProcessed).toBe(1);
  });

  it('rejects bad input with 400 and the field paths, never 500', async () => {
    const post = (path: string, body: unknown) =>
      request(app)
        .post(path)
        .set('Authorization', basic(KEY))
        .send(body as object);
    const noUser = await post('/v1/track', { event: 'X' });
    expect(noUser.status).toBe(400);
    expect(noUser.body.error).toMatchObject({ code: 'invalid_request', message: 'userId is required' });
    expect(noUser.body.error.details).toEqual([{ path: 'userId', message: 'userId is required' }]);
    const noEvent = await post('/v1/track', { userId: 'u' });
    expect(noEvent.body.error.details[0].path).toBe('event');
    const badBatch = await post('/v1/batch', {
      batch: [
        { type: 'track', userId: 'u', event: 'X' },
        { type: 'page', userId: 'u' },
      ],
    });
    expect(badBatch.status).toBe(400);
    expect(badBatch.body.error.details[0].path).toBe('batch.1.type');
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

describe('events that were stored but never delivered', () => {
  const { env, db } = useApiBackends();

  it('reach the workflow through the relay, once, however often it runs', async () => {
    // As if the API had crashed right after storing: a row with no delivered_at.
    await recordEvent(db.pool(), {
      messageId: 'crash-1',
      type: 'track',
      event: 'Product Viewed',
      userId: 'relay-1',
      timestamp: new Date().toISOString(),
      properties: { product_id: 'p-1' },
    });
    expect(await relayUndelivered(db.pool(), env().client, { minAgeMs: 0 })).toBe(1);
    expect(await relayUndelivered(db.pool(), env().client, { minAgeMs: 0 })).toBe(0);
    const state = await env().client.workflow.getHandle('customer-relay-1').query(customerStateQuery);
    expect(state.eventsProcessed).toBe(1);
    // A delivery that raced the relay (the API finishing late) is still processed once.
    await deliverEvent(env().client, {
      messageId: 'crash-1',
      type: 'track',
      event: 'Product Viewed',
      userId: 'relay-1',
      timestamp: new Date().toISOString(),
    });
    expect((await env().client.workflow.getHandle('customer-relay-1').query(customerStateQuery)).eventsProcessed).toBe(
      1,
    );
  });
});

describe('when Temporal cannot be reached', () => {
  const db = useMigratedPostgres();

  it('answers 503 with Retry-After and keeps the event for delivery later', async () => {
    const unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const app = apiOn({ pool: db.pool(), temporal: unreachable, deliveryTimeoutMs: 1000 });
    const res = await request(app)
      .post('/v1/track')
      .set('Authorization', basic(KEY))
      .send({ userId: 'down-1', event: 'Signed Up', messageId: 'down-m-1' });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body.error).toMatchObject({ code: 'unavailable', message: 'Temporal is unavailable; retry later' });
    const { rows } = await db.pool().query(`SELECT delivered_at FROM events WHERE message_id = 'down-m-1'`);
    expect(rows).toEqual([{ delivered_at: null }]); // stored, waiting for the relay or the client's retry
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      ok: false,
      checks: { postgres: 'ok', temporal: expect.stringMatching(/^unreachable/) },
    });
    expect((await request(app).get('/healthz')).body).toEqual({ ok: true });
    const lines = (await request(app).get('/metrics')).text.split('\n');
    expect(lines).toContain('journeys_event_delivery_failures_total{service="temporal"} 1');
    expect(lines).toContain('journeys_events_rejected_total{reason="unavailable"} 1');
    await unreachable.connection.close();
  });
});
