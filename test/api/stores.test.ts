import request from 'supertest';
import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import { createApp } from '../../src/api/app';
import { useApiBackends } from '../helpers/api';
import { useMigratedPostgres } from '../helpers/postgres';

const ADMIN = 'Bearer admin-key';
const MITTE = {
  id: 'berlin-mitte',
  name: 'Journeys Shop Berlin-Mitte',
  address: 'Rosenthaler Straße 40, 10178 Berlin',
  latitude: 52.5249,
  longitude: 13.4022,
  timezone: 'Europe/Berlin',
  openingHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], opens: '10:00', closes: '20:00' }],
};

describe('stores API: /v1/stores', () => {
  const db = useMigratedPostgres();
  let app: Express;
  let connection: Connection;
  beforeAll(() => {
    // The stores never talk to Temporal: a client that would connect on first use is enough.
    connection = Connection.lazy({ address: '127.0.0.1:1' });
    app = createApp({
      pool: db.pool(),
      temporal: new Client({ connection }),
      apiKeys: ['write-key'],
      adminKeys: ['admin-key'],
      signingSecret: 'stores-test-signing-secret',
    });
  });
  afterAll(() => connection.close());

  const post = (body: object, auth = ADMIN) => request(app).post('/v1/stores').set('Authorization', auth).send(body);
  const get = (path: string, auth = ADMIN) => request(app).get(path).set('Authorization', auth);
  /** A 400 naming `path` among its details and in its message. */
  const refused = (res: request.Response, path: string) => {
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code: 'invalid_request' });
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  };

  it('stores a store, answers it, replaces it and removes it', async () => {
    expect((await post({ stores: [MITTE] })).body).toEqual({ success: true, stores: 1 });
    expect((await get('/v1/stores/berlin-mitte')).body).toEqual(MITTE);
    const moved = { ...MITTE, address: 'Torstraße 1, 10119 Berlin', openingHours: [] };
    expect((await post({ stores: [moved, { ...MITTE, id: 'berlin-kreuzberg' }] })).body).toEqual({
      success: true,
      stores: 2,
    });
    expect((await get('/v1/stores/berlin-mitte')).body).toEqual(moved);
    const list = await get('/v1/stores?limit=1');
    expect(list.body).toEqual({ stores: [{ ...MITTE, id: 'berlin-kreuzberg' }], next: 'berlin-kreuzberg' });
    expect((await get('/v1/stores?after=berlin-kreuzberg')).body).toEqual({ stores: [moved] });
    expect((await request(app).delete('/v1/stores/berlin-kreuzberg').set('Authorization', ADMIN)).status).toBe(204);
    const gone = await get('/v1/stores/berlin-kreuzberg');
    expect({ status: gone.status, body: gone.body }).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'No store berlin-kreuzberg' } },
    });
    expect((await request(app).delete('/v1/stores/berlin-kreuzberg').set('Authorization', ADMIN)).status).toBe(404);
  });

  it('refuses what is not a store, naming the field', async () => {
    refused(await post({ stores: [{ ...MITTE, timezone: 'Mars/Olympus' }] }), 'stores.0.timezone');
    refused(await post({ stores: [{ ...MITTE, latitude: 91 }] }), 'stores.0.latitude');
    refused(await post({ stores: [{ ...MITTE, longitude: '13.4' }] }), 'stores.0.longitude');
    const closesFirst = { days: ['mon'], opens: '20:00', closes: '10:00' };
    refused(await post({ stores: [{ ...MITTE, openingHours: [closesFirst] }] }), 'stores.0.openingHours.0.closes');
    refused(
      await post({ stores: [{ ...MITTE, openingHours: [{ ...closesFirst, days: ['monday'] }] }] }),
      'stores.0.openingHours.0.days.0',
    );
    refused(
      await post({ stores: [{ ...MITTE, openingHours: [{ days: ['mon'], opens: '9:00', closes: '17:00' }] }] }),
      'stores.0.openingHours.0.opens',
    );
    refused(await post({ stores: [{ ...MITTE, name: '' }] }), 'stores.0.name');
    refused(await post({ stores: [] }), 'stores');
    const twice = await post({ stores: [MITTE, MITTE] });
    expect({ status: twice.status, message: twice.body.error.message }).toEqual({
      status: 400,
      message: 'Store berlin-mitte appears more than once',
    });
    refused(await get('/v1/stores?limit=0'), 'limit');
  });

  it('needs an admin key: a write key or none is a 401', async () => {
    expect((await post({ stores: [MITTE] }, 'Bearer write-key')).status).toBe(401);
    expect((await request(app).get('/v1/stores/berlin-mitte')).status).toBe(401);
    expect((await request(app).delete('/v1/stores/berlin-mitte')).status).toBe(401);
  });
});

describe('an event with a location, through ingestion and the dispatcher', () => {
  const { env, db, delivered, processed } = useApiBackends({
    nearbyStore: { radiusKm: 1, waitForOpeningMs: 12 * 3600_000 },
  });
  let app: Express;
  beforeAll(() => {
    app = createApp({
      pool: db.pool(),
      temporal: env().client,
      apiKeys: ['write-key'],
      adminKeys: ['admin-key'],
      signingSecret: 'stores-test-signing-secret',
    });
  });
  const derived = async (customerId: string) =>
    (
      await db
        .pool()
        .query(`SELECT message_id, properties FROM events WHERE customer_id = $1 AND name = 'Store Nearby'`, [
          customerId,
        ])
    ).rows;

  it('is projected and derives exactly one Store Nearby event, delivered after it, even when sent twice', async () => {
    await request(app)
      .post('/v1/stores')
      .set('Authorization', ADMIN)
      .send({ stores: [MITTE] })
      .expect(200);
    const call = {
      userId: 'geo-1',
      messageId: 'app-open-1',
      event: 'Application Opened',
      // A Tuesday morning: the store opens at 10:00 (whatever day the test runs).
      timestamp: '2026-01-06T09:30:00+01:00',
      context: { location: { latitude: 52.52, longitude: 13.405 }, ip: '203.0.113.7' },
    };
    for (let i = 0; i < 2; i++)
      await request(app).post('/v1/track').set('Authorization', 'Bearer write-key').send(call).expect(200);
    await delivered();
    // The original, then what was derived from it: two events, each processed once.
    const state = await processed('geo-1', 2);
    expect(state.eventsProcessed).toBe(2);
    const { rows } = await db.pool().query(`SELECT message_id FROM events WHERE customer_id = 'geo-1' ORDER BY seq`);
    expect(rows.map((r) => r.message_id)).toEqual(['app-open-1', 'store-nearby:app-open-1']);
    expect(await derived('geo-1')).toEqual([
      {
        message_id: 'store-nearby:app-open-1',
        properties: { store_id: 'berlin-mitte', store_name: 'Journeys Shop Berlin-Mitte', distance_km: 0.6 },
      },
    ]);
    const customer = await request(app).get('/v1/customers/geo-1').set('Authorization', ADMIN).expect(200);
    expect(customer.body.location).toMatchObject({ latitude: 52.52, longitude: 13.405, source: 'context.location' });
  });

  it('derives nothing from a location far from every store, nor from an IP address', async () => {
    for (const [messageId, context] of [
      ['far-1', { location: { latitude: 48.1374, longitude: 11.5755 } }],
      ['ip-1', { ip: '203.0.113.7' }],
    ] as const) {
      await request(app)
        .post('/v1/track')
        .set('Authorization', 'Bearer write-key')
        .send({ userId: 'geo-2', messageId, event: 'Application Opened', context })
        .expect(200);
    }
    await delivered();
    await processed('geo-2', 2);
    expect(await derived('geo-2')).toEqual([]);
  });
});
