import type { Queryable } from './queryable';
import { MARKETING, setSubscription } from './subscriptions';
import type { CartLine, OrderSummary, ProductCard } from '../shared/activities';
import { httpLink } from '../shared/http-link';

// The reads and small writes behind the journey activities (src/shared/activities.ts), as plain
// SQL. Each takes the pool (or a client in a transaction) first, so the API can use them too.

export interface Profile {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  locale: string | null;
  timezone: string | null;
  frequency: 'normal' | 'fewer';
  pausedUntil: Date | null;
}

/** What a send needs to know about the customer, fetched at send time; null if unknown. */
export async function getProfile(db: Queryable, customerId: string): Promise<Profile | null> {
  const { rows } = await db.query<Profile>(
    `SELECT id, email, first_name AS "firstName", last_name AS "lastName", locale, timezone, frequency,
            paused_until AS "pausedUntil"
     FROM customers WHERE id = $1`,
    [customerId],
  );
  return rows[0] ?? null;
}

/**
 * The lines of the customer's open cart (an ordered cart has none). A name, price or link the cart
 * event left out comes from the catalogue; a line that neither names is left out, as is any link
 * that is not http(s).
 */
export async function getCart(db: Queryable, customerId: string, cartId: string): Promise<CartLine[]> {
  const { rows } = await db.query<{
    product_id: string;
    name: string;
    quantity: number;
    price: string | null;
    currency: string | null;
    url: string | null;
    image_url: string | null;
  }>(
    // Cart events carry no currency (Segment's Product Added has none): the catalogue knows it.
    `SELECT i.product_id, coalesce(i.name, p.name) AS name, i.quantity, coalesce(i.price, p.price) AS price, p.currency,
            coalesce(i.url, p.url) AS url, coalesce(i.image_url, p.image_url) AS image_url
     FROM carts c
     JOIN cart_items i ON i.customer_id = c.customer_id AND i.cart_id = c.id
     LEFT JOIN products p ON p.id = i.product_id
     WHERE c.customer_id = $1 AND c.id = $2 AND c.status = 'open' AND coalesce(i.name, p.name) IS NOT NULL
     ORDER BY name, i.product_id`,
    [customerId, cartId],
  );
  return rows.map((r) => ({
    productId: r.product_id,
    name: r.name,
    quantity: r.quantity,
    ...(r.price === null ? {} : { price: Number(r.price) }),
    ...optional('currency', r.currency),
    ...optional('url', httpLink(r.url)),
    ...optional('imageUrl', httpLink(r.image_url)),
  }));
}

/**
 * The customer's order as PostgreSQL recorded it from Order Completed, in the event's line order.
 * A name, price or link a line left out comes from the catalogue; a line that neither names is
 * left out rather than shown blank. Null when the customer has no such order.
 */
export async function getOrder(db: Queryable, customerId: string, orderId: string): Promise<OrderSummary | null> {
  const { rows } = await db.query<{
    total: string | null;
    currency: string;
    product_id: string | null;
    name: string | null;
    quantity: number | null;
    price: string | null;
    url: string | null;
    image_url: string | null;
  }>(
    `SELECT coalesce(o.total, o.revenue) AS total, o.currency, i.product_id, coalesce(i.name, p.name) AS name,
            i.quantity, coalesce(i.price, p.price) AS price, coalesce(i.url, p.url) AS url,
            coalesce(i.image_url, p.image_url) AS image_url
     FROM orders o
     LEFT JOIN order_items i ON i.customer_id = o.customer_id AND i.order_id = o.id
     LEFT JOIN products p ON p.id = i.product_id
     WHERE o.customer_id = $1 AND o.id = $2
     ORDER BY i.position`,
    [customerId, orderId],
  );
  if (rows.length === 0) return null;
  const products = rows
    .filter((r) => r.product_id !== null && r.name !== null)
    .map((r) => ({
      productId: r.product_id!,
      name: r.name!,
      quantity: r.quantity ?? 1,
      ...(r.price === null ? {} : { price: Number(r.price) }),
      ...optional('url', httpLink(r.url)),
      ...optional('imageUrl', httpLink(r.image_url)),
    }));
  const total = rows[0].total;
  return { orderId, products, ...(total === null ? {} : { total: Number(total) }), currency: rows[0].currency };
}

/** One free-form identify trait (`traits` column) as text, e.g. the shop's `referral_code`; null when unset. */
export async function profileTrait(db: Queryable, customerId: string, name: string): Promise<string | null> {
  const { rows } = await db.query<{ value: string | null }>(
    `SELECT traits ->> $2 AS value FROM customers WHERE id = $1`,
    [customerId, name],
  );
  const value = rows[0]?.value?.trim();
  return value ? value : null;
}

/**
 * When the customer last did one of `names` after `after`, as the backend timed it (ISO 8601), or
 * null: how a journey learns of activity it is not forwarded (re-engagement's signs of life).
 */
export async function lastEventAfter(
  db: Queryable,
  customerId: string,
  names: string[],
  after: string,
): Promise<string | null> {
  const { rows } = await db.query<{ at: Date | null }>(
    // An open or click a machine made (Apple's privacy proxy, a security scanner) is no sign of the customer.
    `SELECT max(occurred_at) AS at FROM events
      WHERE customer_id = $1 AND name = ANY($2) AND occurred_at > $3 AND properties->>'machine' IS NULL`,
    [customerId, names, after],
  );
  return rows[0].at?.toISOString() ?? null;
}

/**
 * Up to `limit` products to suggest after the order: first the ones related_products pairs with
 * what the order contained (best rank first), then others from the same categories. Never a
 * product of this order or one the customer bought before, never one out of stock or unpriced.
 * An order that is not this customer's suggests nothing.
 */
export async function relatedProducts(
  db: Queryable,
  customerId: string,
  orderId: string,
  limit: number,
): Promise<ProductCard[]> {
  const { rows } = await db.query<{
    id: string;
    name: string;
    price: string;
    currency: string;
    url: string | null;
    image_url: string | null;
  }>(
    `WITH
     -- What this order contained (nothing, if the order is not this customer's).
     ordered AS (
       SELECT i.product_id FROM order_items i WHERE i.customer_id = $1 AND i.order_id = $2
     ),
     -- Everything the customer has ever bought, this order included.
     bought AS (
       SELECT i.product_id FROM order_items i WHERE i.customer_id = $1
     ),
     -- Tier 1: paired with an ordered product, by rank. Tier 2: the ordered products' categories.
     candidates AS (
       SELECT r.related_id AS product_id, 1 AS tier, r.rank
       FROM related_products r JOIN ordered USING (product_id)
       UNION ALL
       SELECT p.id, 2, 0
       FROM products p
       WHERE p.category IN (SELECT c.category FROM products c JOIN ordered o ON o.product_id = c.id)
     ),
     -- Each product once, at its best place.
     best AS (
       SELECT product_id, min(tier) AS tier, min(rank) FILTER (WHERE tier = 1) AS rank
       FROM candidates GROUP BY product_id
     )
     SELECT p.id, p.name, p.price, p.currency, p.url, p.image_url
     FROM best JOIN products p ON p.id = best.product_id
     WHERE p.in_stock AND p.price IS NOT NULL
       AND p.id NOT IN (SELECT product_id FROM bought)
     ORDER BY best.tier, best.rank, p.name, p.id
     LIMIT $3`,
    [customerId, orderId, limit],
  );
  return rows.map((r) => ({
    productId: r.id,
    name: r.name,
    price: Number(r.price),
    currency: r.currency,
    ...optional('url', httpLink(r.url)),
    ...optional('imageUrl', httpLink(r.image_url)),
  }));
}

/**
 * Adds the customer to the `add` groups (creating them as needed) and removes them from the
 * `remove` ones, in one statement; a group in both ends up with the customer in it. Repeatable.
 */
export async function updateGroups(db: Queryable, customerId: string, add: string[], remove: string[]): Promise<void> {
  await db.query(
    `WITH
     created AS (
       INSERT INTO groups (name) SELECT DISTINCT unnest($2::text[]) ON CONFLICT (name) DO NOTHING
     ),
     removed AS (
       DELETE FROM group_members
       WHERE customer_id = $1 AND group_name = ANY ($3::text[]) AND NOT group_name = ANY ($2::text[])
     )
     INSERT INTO group_members (group_name, customer_id)
     SELECT DISTINCT unnest($2::text[]), $1
     ON CONFLICT (group_name, customer_id) DO NOTHING`,
    [customerId, add, remove],
  );
}

/** Sets marketing consent (an explicit choice, or a journey's decision such as a sunset) and why. */
export async function setMarketingConsent(
  db: Queryable,
  customerId: string,
  subscribed: boolean,
  reason: string,
): Promise<void> {
  await setSubscription(db, customerId, MARKETING, subscribed ? 'subscribed' : 'unsubscribed', reason);
}

/** `{ [key]: value }` when there is a value, else nothing: optional fields stay absent, not null. */
function optional<K extends string>(key: K, value: string | null): { [P in K]?: string } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: string };
}
