-- Accepting an event is storing it; a dispatcher projects it and delivers it to its customer's
-- workflow afterwards, in order per customer (docs/architecture.md, decision 2).

-- The order events were accepted in: a customer's events are projected and delivered by it.
ALTER TABLE events ADD COLUMN seq bigserial;
CREATE UNIQUE INDEX events_by_seq ON events (seq);
-- When the dispatcher applied the event to the profile, carts and orders (events accepted before
-- the dispatcher were projected when they were stored).
ALTER TABLE events ADD COLUMN projected_at timestamptz;
UPDATE events SET projected_at = received_at;
DROP INDEX events_undelivered;
-- What is left to deliver, per customer in order: the dispatcher's one query.
CREATE INDEX events_pending ON events (customer_id, seq) WHERE delivered_at IS NULL;

-- Which dispatcher delivers a customer's events right now: one at a time, so their order holds. A
-- lease a crashed dispatcher left runs out, and another takes the customer over.
CREATE TABLE dispatch_leases (
  customer_id  text PRIMARY KEY,
  holder       text NOT NULL,
  leased_until timestamptz NOT NULL
);
