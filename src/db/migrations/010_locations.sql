-- Location-based campaigns: the shop's stores, and where each customer was last seen.

-- The shop's stores (POST /v1/stores): where they are, and when they are open in their own zone.
CREATE TABLE stores (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  address       text NOT NULL,
  latitude      double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
  longitude     double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
  -- [{ "days": ["mon", ...], "opens": "10:00", "closes": "20:00" }], in the store's zone
  opening_hours jsonb NOT NULL DEFAULT '[]',
  timezone      text NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
-- The nearest-store search narrows to a latitude band (a bounding box) through this index, then
-- checks longitude inside it and computes the great-circle distance for what is left: plain SQL,
-- no PostGIS (src/db/locations.ts).
CREATE INDEX stores_by_position ON stores (latitude, longitude);

-- Each customer's last known location, from the newest event that carried one. Personal data: it
-- goes with the customer (erasure, a retired anonymous visitor).
CREATE TABLE customer_locations (
  customer_id text PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
  latitude    double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
  longitude   double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
  source      text NOT NULL CHECK (source IN ('context.location', 'traits', 'properties')),
  -- The event's own time (its timestamp), not when it arrived: a backfilled event never
  -- replaces a newer location.
  seen_at     timestamptz NOT NULL
);
