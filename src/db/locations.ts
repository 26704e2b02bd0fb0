import { Events, type CustomerEvent } from '../shared/events';
import type { EventLocation, LocationSource } from '../shared/location';
import { opensWithin } from '../shared/opening-hours';
import type { OpeningHours } from '../shared/store';
import { insertEvents } from './events';
import type { Queryable } from './queryable';

// Where customers were last seen, and the store nearest to a place: plain SQL on an index of
// latitude and longitude, no PostGIS (the embedded PostgreSQL of development and tests has none,
// and a bounding box on a btree finds the few candidates a great-circle distance is computed for).

/** The Earth's mean radius: the great-circle distance's and the bounding box's. */
const EARTH_RADIUS_KM = 6371.0088;
const DEGREES = 180 / Math.PI;

/** What the location projection needs of the configuration: the nearby-store journey's radius and wait, when it is on. */
export interface NearbyStoreRule {
  radiusKm: number;
  /** A store that opens later than this after the located event is not worth telling about (the journey's waitForOpening). */
  waitForOpeningMs: number;
}

/** How many of the nearest stores within the radius are read to find one open soon enough. */
const NEARBY_CANDIDATES = 10;

/** A latitude band and up to two longitude ranges (two where the box crosses the antimeridian). */
export interface BoundingBox {
  minLatitude: number;
  maxLatitude: number;
  longitudes: [number, number][];
}

/**
 * The smallest box of latitudes and longitudes holding every point within `radiusKm` of the
 * centre: a band of latitudes, and the longitudes the circle reaches at its widest. A circle
 * around a pole takes every longitude.
 */
export function boundingBox(latitude: number, longitude: number, radiusKm: number): BoundingBox {
  const angle = radiusKm / EARTH_RADIUS_KM; // radians
  const minLatitude = latitude - angle * DEGREES;
  const maxLatitude = latitude + angle * DEGREES;
  if (minLatitude <= -90 || maxLatitude >= 90 || angle >= Math.PI / 2) {
    return {
      minLatitude: Math.max(minLatitude, -90),
      maxLatitude: Math.min(maxLatitude, 90),
      longitudes: [[-180, 180]],
    };
  }
  const spread = Math.asin(Math.min(1, Math.sin(angle) / Math.cos(latitude / DEGREES))) * DEGREES;
  const west = longitude - spread;
  const east = longitude + spread;
  const longitudes: [number, number][] =
    west < -180
      ? [
          [west + 360, 180],
          [-180, east],
        ]
      : east > 180
        ? [
            [west, 180],
            [-180, east - 360],
          ]
        : [[west, east]];
  return { minLatitude, maxLatitude, longitudes };
}

export interface NearestStore {
  id: string;
  name: string;
  distanceKm: number;
  openingHours: OpeningHours[];
  timezone: string;
}

/**
 * The store nearest to a point within `radiusKm`, or null. The index on (latitude, longitude)
 * narrows the search to the bounding box; the great-circle (haversine) distance is computed only
 * for the stores inside it. Never a scan of every store, let alone of every customer.
 */
export async function nearestStore(
  db: Queryable,
  point: { latitude: number; longitude: number },
  radiusKm: number,
  /** Of the nearest stores within the radius, the first that passes (the projection: open soon enough). */
  accept: (store: NearestStore) => boolean = () => true,
): Promise<NearestStore | null> {
  const box = boundingBox(point.latitude, point.longitude, radiusKm);
  const [first, second = first] = box.longitudes;
  const { rows } = await db.query<{
    id: string;
    name: string;
    distance_km: number;
    opening_hours: OpeningHours[];
    timezone: string;
  }>(
    `SELECT id, name, distance_km, opening_hours, timezone FROM (
       SELECT id, name, opening_hours, timezone,
         2 * $9::float8 * asin(least(1, sqrt(
           power(sin(radians(latitude - $1) / 2), 2)
           + cos(radians($1)) * cos(radians(latitude)) * power(sin(radians(longitude - $2) / 2), 2)
         ))) AS distance_km
       FROM stores
       WHERE latitude BETWEEN $3 AND $4
         AND (longitude BETWEEN $5 AND $6 OR longitude BETWEEN $7 AND $8)
     ) candidates
     WHERE distance_km <= $10
     ORDER BY distance_km, id
     LIMIT $11`,
    [
      point.latitude,
      point.longitude,
      box.minLatitude,
      box.maxLatitude,
      first[0],
      first[1],
      second[0],
      second[1],
      EARTH_RADIUS_KM,
      radiusKm,
      NEARBY_CANDIDATES,
    ],
  );
  const stores = rows.map((r) => ({
    id: r.id,
    name: r.name,
    distanceKm: r.distance_km,
    openingHours: r.opening_hours,
    timezone: r.timezone,
  }));
  return stores.find(accept) ?? null;
}

/** The messageId of the Store Nearby event derived from an event: a repeat of it derives nothing new. */
export const storeNearbyMessageId = (messageId: string): string => `store-nearby:${messageId}`;

/**
 * Projects an event that carries a location (the dispatcher, before delivery): it becomes the
 * customer's last known location unless a newer event already said otherwise, and, while the
 * nearby-store journey is on (`nearby`), an event `Store Nearby` is stored for the same customer
 * when the nearest store is within its radius. That event has the original's time (a backfilled
 * location is history and starts nothing, decision 3) and is delivered after it like any other.
 * Safe to repeat: the location only moves forward, and the derived event is keyed by the
 * original's messageId.
 */
export async function projectLocation(
  db: Queryable,
  event: CustomerEvent,
  location: EventLocation,
  nearby: NearbyStoreRule | undefined,
): Promise<void> {
  await db.query(
    `INSERT INTO customer_locations (customer_id, latitude, longitude, source, seen_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (customer_id) DO UPDATE SET latitude = excluded.latitude, longitude = excluded.longitude,
       source = excluded.source, seen_at = excluded.seen_at
     WHERE customer_locations.seen_at <= excluded.seen_at`,
    [event.userId, location.latitude, location.longitude, location.source, event.timestamp],
  );
  if (!nearby) return;
  // The nearest store that is open when the customer was seen, or opens while the journey would wait.
  const seenAt = Date.parse(event.timestamp);
  const store = await nearestStore(db, location, nearby.radiusKm, (s) =>
    opensWithin(s.openingHours, s.timezone, seenAt, nearby.waitForOpeningMs),
  );
  if (!store) return;
  await insertEvents(db, [
    {
      messageId: storeNearbyMessageId(event.messageId),
      type: 'track',
      event: Events.StoreNearby,
      userId: event.userId,
      timestamp: event.timestamp,
      properties: {
        store_id: store.id,
        store_name: store.name,
        distance_km: Math.round(store.distanceKm * 10) / 10,
      },
    },
  ]);
}

/** The customer's last known location, as the admin inspection shows it. */
export interface CustomerLocation {
  latitude: number;
  longitude: number;
  source: LocationSource;
  seenAt: string;
}

export async function customerLocation(db: Queryable, customerId: string): Promise<CustomerLocation | null> {
  const { rows } = await db.query<{ latitude: number; longitude: number; source: LocationSource; seen_at: Date }>(
    'SELECT latitude, longitude, source, seen_at FROM customer_locations WHERE customer_id = $1',
    [customerId],
  );
  const row = rows[0];
  return row
    ? { latitude: row.latitude, longitude: row.longitude, source: row.source, seenAt: row.seen_at.toISOString() }
    : null;
}
