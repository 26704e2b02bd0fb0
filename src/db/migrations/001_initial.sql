-- Journeys' data model. Customers are keyed by the backend's own user id; an email address lives
-- only in customers.email (erasure deletes it) and, hashed, in suppressions.

CREATE TABLE customers (
  id           text PRIMARY KEY,
  email        text,
  first_name   text,
  last_name    text,
  locale       text,
  timezone     text,                 -- IANA zone, e.g. Europe/Berlin
  birthday     text,                 -- YYYY-MM-DD or --MM-DD
  traits       jsonb NOT NULL DEFAULT '{}',
  frequency    text NOT NULL DEFAULT 'normal' CHECK (frequency IN ('normal', 'fewer')),
  paused_until timestamptz,          -- "pause for 30 days": no marketing mail until then
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Per-topic subscription state; no row means the topic's default (subscribed for marketing).
CREATE TABLE subscriptions (
  customer_id text NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  topic       text NOT NULL,
  status      text NOT NULL CHECK (status IN ('subscribed', 'pending', 'unsubscribed')),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, topic)
);

-- Every accepted event, once: messageId is the idempotency key.
CREATE TABLE events (
  message_id   text PRIMARY KEY,
  customer_id  text NOT NULL,
  type         text NOT NULL CHECK (type IN ('identify', 'track')),
  name         text NOT NULL,
  properties   jsonb NOT NULL DEFAULT '{}',
  traits       jsonb NOT NULL DEFAULT '{}',
  context      jsonb NOT NULL DEFAULT '{}',
  occurred_at  timestamptz NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz          -- when the customer workflow had it
);
CREATE INDEX events_by_customer ON events (customer_id, occurred_at DESC);
CREATE INDEX events_undelivered ON events (received_at) WHERE delivered_at IS NULL;

CREATE TABLE products (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  price      numeric(12, 2),
  currency   text NOT NULL DEFAULT 'USD',
  category   text,
  url        text,
  image_url  text,
  in_stock   boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_by_category ON products (category);

-- Cross-sell and upsell pairs, ranked.
CREATE TABLE related_products (
  product_id text NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  related_id text NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  kind       text NOT NULL DEFAULT 'cross-sell' CHECK (kind IN ('cross-sell', 'upsell')),
  rank       integer NOT NULL DEFAULT 0,
  PRIMARY KEY (product_id, related_id)
);

CREATE TABLE orders (
  id           text PRIMARY KEY,
  customer_id  text NOT NULL,
  total        numeric(12, 2),
  revenue      numeric(12, 2),
  currency     text NOT NULL DEFAULT 'USD',
  cart_id      text,
  message_id   text,                 -- the Order Completed event
  completed_at timestamptz NOT NULL
);
CREATE INDEX orders_by_customer ON orders (customer_id, completed_at);

CREATE TABLE order_items (
  order_id   text NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  product_id text NOT NULL,
  name       text,
  quantity   integer NOT NULL DEFAULT 1,
  price      numeric(12, 2),
  PRIMARY KEY (order_id, product_id)
);

CREATE TABLE carts (
  id          text PRIMARY KEY,
  customer_id text NOT NULL,
  status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'ordered')),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX carts_by_customer ON carts (customer_id);

CREATE TABLE cart_items (
  cart_id    text NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
  product_id text NOT NULL,
  name       text,
  quantity   integer NOT NULL CHECK (quantity > 0),
  price      numeric(12, 2),
  url        text,
  image_url  text,
  PRIMARY KEY (cart_id, product_id)
);

CREATE TABLE groups (
  name       text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE group_members (
  group_name  text NOT NULL REFERENCES groups (name) ON DELETE CASCADE,
  customer_id text NOT NULL,
  added_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_name, customer_id)
);
CREATE INDEX group_members_by_customer ON group_members (customer_id);

-- Back-in-stock wishes: the key's order serves "who waits for this product", page by page.
CREATE TABLE back_in_stock_requests (
  product_id   text NOT NULL,
  customer_id  text NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (product_id, customer_id)
);

-- The outbox: one row per message a journey decided to send, inserted before SMTP.
CREATE TABLE messages (
  id              bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  customer_id     text NOT NULL,
  journey         text NOT NULL,
  step            text NOT NULL,
  template        text NOT NULL,
  variant         text,
  transactional   boolean NOT NULL DEFAULT false,
  holdout         boolean NOT NULL DEFAULT false,
  -- queued: decided, not yet handed to SMTP; sending: being handed over; then one of the others.
  status          text NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'suppressed', 'capped', 'holdout')),
  reason          text,
  locale          text,
  subject         text,
  smtp_message_id text,
  claimed_at      timestamptz,       -- when a send attempt took the row; see src/activities/send-decision.ts
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);
CREATE INDEX messages_by_customer ON messages (customer_id, created_at DESC);
CREATE INDEX messages_by_step ON messages (journey, step, variant);
-- The frequency cap counts a customer's recent marketing sends.
CREATE INDEX messages_marketing_sent ON messages (customer_id, sent_at) WHERE status = 'sent' AND NOT transactional;

CREATE TABLE message_events (
  id          bigserial PRIMARY KEY,
  message_id  bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  type        text NOT NULL CHECK (type IN ('delivered', 'opened', 'clicked', 'bounced', 'complained', 'unsubscribed')),
  url         text,
  occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX message_events_by_message ON message_events (message_id, type);

-- Addresses never to mail again, by SHA-256 of the normalised address: it survives erasure
-- without keeping the address itself.
CREATE TABLE suppressions (
  email_hash text PRIMARY KEY,
  reason     text NOT NULL CHECK (reason IN ('hard-bounce', 'complaint', 'unsubscribed', 'erased', 'manual')),
  created_at timestamptz NOT NULL DEFAULT now()
);
