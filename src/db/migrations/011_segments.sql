-- Segment memberships, as each customer workflow evaluates them: it writes its own customer's rows
-- when they change (docs/architecture.md, decision 26). GET /v1/segments/:name/customers pages
-- through one segment in customer id order, by the primary key.
CREATE TABLE segment_members (
  segment text NOT NULL,
  customer_id text NOT NULL,
  since timestamptz NOT NULL,
  PRIMARY KEY (segment, customer_id)
);
CREATE INDEX segment_members_by_customer ON segment_members (customer_id);
