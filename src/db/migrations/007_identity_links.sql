-- An anonymous visitor (customer `anonymous:<anonymousId>`) linked to the customer they turned out
-- to be, by a call with both ids or an alias: once, by the first call that says so. Their events
-- move to the customer when the link is made; later anonymous calls are stored under the customer.
CREATE TABLE identity_links (
  anonymous_id text PRIMARY KEY,
  customer_id  text NOT NULL,
  linked_at    timestamptz NOT NULL DEFAULT now(),
  -- When the anonymous customer's workflows were ended and its projections removed (dispatcher).
  retired_at   timestamptz
);
CREATE INDEX identity_links_to_retire ON identity_links (linked_at) WHERE retired_at IS NULL;
