import { eraseCustomer } from '../../src/db/erasure';
import { customerLocation, nearestStore, storeNearbyMessageId } from '../../src/db/locations';
import { applyEvent } from '../../src/db/projections';
import type { Queryable } from '../../src/db/queryable';
import { upsertStores } from '../../src/db/stores';
import type { CustomerEvent } from '../../src/shared/events';
import { eventLocation } from '../../src/shared/location';
import type { Store } from '../../src/shared/store';
import { useMigratedPostgres } from '../helpers/postgres';

const store = (id: string, latitude: number, longitude: number): Store => ({
  id,
  name: `Store ${id}`,
  address: `${id} street 1`,
  latitude,
  longitude,
  openingHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], opens: '10:00', closes: '20:00' }],
  timezone: 'Europe/Berlin',
});

// Alexanderplatz, and two stores in Berlin: Mitte about 0.6 km from it, Kreuzberg about 3 km.
const ALEXANDERPLATZ = { latitude: 52.52, longitude: 13.405 };
const MITTE = store('mitte', 52.5249, 13.4022);
const KREUZBERG = store('kreuzberg', 52.4991, 13.4181);
const MUNICH = { latitude: 48.1374, longitude: 11.5755 };

let seq = 0;
function located(userId: string, context: Record<string, unknown>, timestamp = '2030-01-08T07:30:00.000Z') {
  const messageId = `loc-${++seq}`;
  const event: CustomerEvent = {
    messageId,
    type: 'track',
    event: 'Application Opened',
    userId,
    timestamp,
    properties: {},
  };
  return { event, location: eventLocation({ context })! };
}

describe('where an event says the customer is', () => {
  it("reads Segment's context.location first, then identify traits, then properties; coordinates only", () => {
    const here = { latitude: 52.52, longitude: 13.405 };
    const there = { latitude: 48.1, longitude: 11.6 };
    expect(eventLocation({ context: { location: here }, traits: there, properties: there })).toEqual({
      ...here,
      source: 'context.location',
    });
    expect(eventLocation({ context: { location: { city: 'Berlin' } }, traits: there })).toEqual({
      ...there,
      source: 'traits',
    });
    expect(eventLocation({ properties: here })).toEqual({ ...here, source: 'properties' });
    // An IP address is not a place: nothing resolves it. Half a place, or text, is none either.
    expect(eventLocation({ context: { ip: '203.0.113.7' } })).toBeUndefined();
    expect(eventLocation({ traits: { latitude: 52.52 } })).toBeUndefined();
    expect(eventLocation({ properties: { latitude: '52.52', longitude: '13.4' } })).toBeUndefined();
  });
});

describe('the nearest store', () => {
  const db = useMigratedPostgres();
  beforeAll(async () => {
    await upsertStores(db.pool(), [
      MITTE,
      KREUZBERG,
      store('taveuni-west', -16.8, 179.995),
      store('munich', 48.14, 11.58),
    ]);
  });

  it('is the closest one within the radius, with its great-circle distance', async () => {
    const nearest = await nearestStore(db.pool(), ALEXANDERPLATZ, 1);
    expect(nearest).toMatchObject({ id: 'mitte', name: 'Store mitte', distanceKm: expect.closeTo(0.58, 1) });
    expect(nearest?.openingHours).toEqual(MITTE.openingHours); // what the projection asks: open soon enough?
    expect((await nearestStore(db.pool(), ALEXANDERPLATZ, 5))?.id).toBe('mitte'); // Kreuzberg is farther
    expect((await nearestStore(db.pool(), { latitude: 52.4995, longitude: 13.418 }, 5))?.id).toBe('kreuzberg');
  });

  it('is none beyond the radius', async () => {
    expect(await nearestStore(db.pool(), ALEXANDERPLATZ, 0.5)).toBeNull();
    expect(await nearestStore(db.pool(), { latitude: 48.5, longitude: 11.58 }, 1)).toBeNull(); // 40 km north of Munich
  });

  it('is found across the antimeridian and near a pole', async () => {
    // 1.1 km east of the store, on the other side of 180°.
    const nearest = await nearestStore(db.pool(), { latitude: -16.8, longitude: -179.995 }, 2);
    expect(nearest).toMatchObject({ id: 'taveuni-west', distanceKm: expect.closeTo(1.07, 1) });
    expect(await nearestStore(db.pool(), { latitude: 89.99, longitude: 0 }, 5)).toBeNull();
  });

  it('is looked up through the index on a table of 10,000 stores, not by reading them all', async () => {
    const grid: Store[] = [];
    for (let i = 0; i < 100; i++)
      for (let k = 0; k < 100; k++) grid.push(store(`grid-${i}-${k}`, 35 + i * 0.35, -10 + k * 0.5));
    await upsertStores(db.pool(), grid);
    await db.pool().query('ANALYZE stores');
    let plan = '';
    const explaining: Queryable = {
      query: (async (sql: string, params: unknown[]) => {
        const { rows } = await db.pool().query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
        plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        return { rows: [] };
      }) as Queryable['query'],
    };
    await nearestStore(explaining, MUNICH, 1);
    expect(plan).toMatch(/Index (Only )?Scan using stores_by_position|Bitmap Index Scan on stores_by_position/);
    expect(plan).not.toMatch(/Seq Scan/);
    expect((await nearestStore(db.pool(), { latitude: 35.35, longitude: -9.5 }, 1))?.id).toBe('grid-1-1');
  });
});

describe('projecting a located event', () => {
  const db = useMigratedPostgres();
  const nearby = { radiusKm: 1, waitForOpeningMs: 12 * 3600_000 };
  const derived = async (customerId: string) =>
    (
      await db.pool().query(
        `SELECT message_id, type, name, properties, occurred_at, delivered_at FROM events
           WHERE customer_id = $1 AND name = 'Store Nearby' ORDER BY seq`,
        [customerId],
      )
    ).rows;
  beforeAll(async () => {
    await upsertStores(db.pool(), [MITTE, KREUZBERG]);
  });

  it('keeps the last known location and derives one Store Nearby event, however often it is projected', async () => {
    const { event, location } = located('ada', { location: ALEXANDERPLATZ });
    await applyEvent(db.pool(), event, { location, nearbyStore: nearby });
    await applyEvent(db.pool(), event, { location, nearbyStore: nearby }); // a repeat changes nothing
    expect(await customerLocation(db.pool(), 'ada')).toEqual({
      ...ALEXANDERPLATZ,
      source: 'context.location',
      seenAt: '2030-01-08T07:30:00.000Z',
    });
    expect(await derived('ada')).toEqual([
      {
        message_id: storeNearbyMessageId(event.messageId),
        type: 'track',
        name: 'Store Nearby',
        properties: { store_id: 'mitte', store_name: 'Store mitte', distance_km: 0.6 },
        occurred_at: new Date(event.timestamp), // the original's time: a backfilled location starts nothing
        delivered_at: null, // the dispatcher delivers it next, like any other
      },
    ]);
  });

  it('derives nothing far from every store, or while the journey is off', async () => {
    const far = located('bo', { location: MUNICH });
    await applyEvent(db.pool(), far.event, { location: far.location, nearbyStore: nearby });
    const off = located('cy', { location: ALEXANDERPLATZ });
    await applyEvent(db.pool(), off.event, { location: off.location });
    expect(await derived('bo')).toEqual([]);
    expect(await derived('cy')).toEqual([]);
    expect((await customerLocation(db.pool(), 'cy'))?.latitude).toBe(ALEXANDERPLATZ.latitude);
  });

  it('never moves the location back to an older event’s', async () => {
    const now = located('di', { location: ALEXANDERPLATZ }, '2030-01-08T12:00:00.000Z');
    const backfilled = located('di', { location: MUNICH }, '2029-06-01T12:00:00.000Z');
    await applyEvent(db.pool(), now.event, { location: now.location });
    await applyEvent(db.pool(), backfilled.event, { location: backfilled.location });
    expect(await customerLocation(db.pool(), 'di')).toMatchObject({
      ...ALEXANDERPLATZ,
      seenAt: '2030-01-08T12:00:00.000Z',
    });
  });

  it('goes with the customer when they are erased', async () => {
    const { event, location } = located('ed', { location: ALEXANDERPLATZ });
    await applyEvent(db.pool(), event, { location });
    await eraseCustomer(db.pool(), 'ed');
    expect(await customerLocation(db.pool(), 'ed')).toBeNull();
  });

  it('derives nothing for a store that opens later than the journey waits; the nearest one open soon enough instead', async () => {
    // Open on Sundays only, about 0.8 km from Alexanderplatz: farther than Mitte, within the radius.
    await upsertStores(db.pool(), [
      { ...store('sunday', 52.527, 13.41), openingHours: [{ days: ['sun'], opens: '12:00', closes: '18:00' }] },
    ]);
    // Saturday 21:00 in Berlin: Mitte opens on Monday, the Sunday store in 15 hours; 12 hours are waited for.
    const saturdayNight = located('el', { location: ALEXANDERPLATZ }, '2030-01-12T20:00:00.000Z');
    await applyEvent(db.pool(), saturdayNight.event, { location: saturdayNight.location, nearbyStore: nearby });
    expect(await derived('el')).toEqual([]);
    // Sunday 01:00: the Sunday store opens in 11 hours, Mitte still not until Monday.
    const sundayNight = located('el', { location: ALEXANDERPLATZ }, '2030-01-13T00:00:00.000Z');
    await applyEvent(db.pool(), sundayNight.event, { location: sundayNight.location, nearbyStore: nearby });
    expect((await derived('el')).map((e) => e.properties.store_id)).toEqual(['sunday']);
  });
});
