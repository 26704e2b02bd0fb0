-- A backend's ids are its customers' ids: a messageId, an order id or a cart id that two customers
-- happen to share names two different things, never one. Before this, the second customer's event
-- (or order, or cart) was silently skipped in PostgreSQL while their workflow acted on it, so
-- statistics and revenue missed it.

ALTER TABLE events DROP CONSTRAINT events_pkey;
ALTER TABLE events ADD PRIMARY KEY (customer_id, message_id);

ALTER TABLE projected_cart_events ADD COLUMN customer_id text;
UPDATE projected_cart_events p SET customer_id = e.customer_id FROM events e WHERE e.message_id = p.message_id;
DELETE FROM projected_cart_events WHERE customer_id IS NULL; -- their events were erased
ALTER TABLE projected_cart_events ALTER COLUMN customer_id SET NOT NULL;
ALTER TABLE projected_cart_events DROP CONSTRAINT projected_cart_events_pkey;
ALTER TABLE projected_cart_events ADD PRIMARY KEY (customer_id, message_id);

ALTER TABLE order_items ADD COLUMN customer_id text;
UPDATE order_items i SET customer_id = o.customer_id FROM orders o WHERE o.id = i.order_id;
ALTER TABLE order_items ALTER COLUMN customer_id SET NOT NULL;
ALTER TABLE order_items DROP CONSTRAINT order_items_order_id_fkey;
ALTER TABLE order_items DROP CONSTRAINT order_items_pkey;
ALTER TABLE orders DROP CONSTRAINT orders_pkey;
ALTER TABLE orders ADD PRIMARY KEY (customer_id, id);
ALTER TABLE order_items ADD PRIMARY KEY (customer_id, order_id, product_id);
ALTER TABLE order_items
  ADD FOREIGN KEY (customer_id, order_id) REFERENCES orders (customer_id, id) ON DELETE CASCADE;

ALTER TABLE cart_items ADD COLUMN customer_id text;
UPDATE cart_items i SET customer_id = c.customer_id FROM carts c WHERE c.id = i.cart_id;
ALTER TABLE cart_items ALTER COLUMN customer_id SET NOT NULL;
ALTER TABLE cart_items DROP CONSTRAINT cart_items_cart_id_fkey;
ALTER TABLE cart_items DROP CONSTRAINT cart_items_pkey;
ALTER TABLE carts DROP CONSTRAINT carts_pkey;
ALTER TABLE carts ADD PRIMARY KEY (customer_id, id);
DROP INDEX carts_by_customer; -- the primary key serves it
ALTER TABLE cart_items ADD PRIMARY KEY (customer_id, cart_id, product_id);
ALTER TABLE cart_items
  ADD FOREIGN KEY (customer_id, cart_id) REFERENCES carts (customer_id, id) ON DELETE CASCADE;

-- What an order confirmation shows of each line, in the order the event listed them.
ALTER TABLE order_items ADD COLUMN position integer, ADD COLUMN url text, ADD COLUMN image_url text;

-- Amounts are whatever the shop's currency needs: the API bounds them (MAX_AMOUNT), the columns do
-- not, so no valid amount can fail at insert.
ALTER TABLE products ALTER COLUMN price TYPE numeric;
ALTER TABLE orders ALTER COLUMN total TYPE numeric, ALTER COLUMN revenue TYPE numeric;
ALTER TABLE order_items ALTER COLUMN price TYPE numeric;
ALTER TABLE cart_items ALTER COLUMN price TYPE numeric;
