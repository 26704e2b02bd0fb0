// Where an event says the customer is. Segment's libraries put a device's position in
// `context.location` (the mobile libraries fill it); a backend may send it as identify traits or as
// an event's properties. Only coordinates count: `context.ip` is never resolved to a place (there is
// no GeoIP database in the product), and an address is not geocoded.

/** Which part of the event the location came from (customer_locations.source). */
export type LocationSource = 'context.location' | 'traits' | 'properties';

export interface EventLocation {
  latitude: number;
  longitude: number;
  source: LocationSource;
}

/** The parts of a stored event (Segment's whole context included) a location may be in. */
export interface Locatable {
  context?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  properties?: Record<string, unknown>;
}

export const LATITUDE_RANGE = { min: -90, max: 90 } as const;
export const LONGITUDE_RANGE = { min: -180, max: 180 } as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const isLatitude = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= LATITUDE_RANGE.min && v <= LATITUDE_RANGE.max;
export const isLongitude = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= LONGITUDE_RANGE.min && v <= LONGITUDE_RANGE.max;

/** `{ latitude, longitude }` of `holder` when both are valid coordinates. */
function coordinates(holder: unknown): { latitude: number; longitude: number } | undefined {
  if (!isObject(holder)) return undefined;
  const { latitude, longitude } = holder;
  return isLatitude(latitude) && isLongitude(longitude) ? { latitude, longitude } : undefined;
}

/**
 * The event's location, from the first of: Segment's `context.location.latitude/longitude`, the
 * traits' `latitude/longitude` (identify, or a call's context.traits), the properties'
 * `latitude/longitude`. Undefined when none has both coordinates.
 */
export function eventLocation(event: Locatable): EventLocation | undefined {
  const sources: [LocationSource, unknown][] = [
    ['context.location', event.context?.location],
    ['traits', event.traits],
    ['properties', event.properties],
  ];
  for (const [source, holder] of sources) {
    const found = coordinates(holder);
    if (found) return { ...found, source };
  }
  return undefined;
}
