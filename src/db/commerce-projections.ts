import { Events, numberProp, prop, type CustomerEvent } from '../shared/events';
import type { Queryable } from './queryable';

// The commerce side of the event projection (src/db/projections.ts): carts and orders, from
// Segment's E-commerce Spec v2 events.

/**
 * Adds or removes units of a product in the customer's cart (Segment's cart_id); removing the
 * last unit deletes the line. The messageId goes into projected_cart_events in the same
 * statement: a repeat adds nothing.
 */
export async function changeCart(db: Queryable, event: CustomerEvent): Promise<void> {
  const cartId = prop(event, 'cart_id');
  const productId = prop(event, 'product_id');
  const quantity = Math.trunc(numberProp(event, 'quantity') ?? 1);
  if (!cartId || !productId || !(quantity > 0)) return;
  const firstTime = `first_time AS (
      INSERT INTO projected_cart_events (customer_id, message_id) VALUES ($1, $3) ON CONFLICT DO NOTHING
      RETURNING message_id
    )`;
  if (event.event === Events.ProductAdded) {
    await db.query(
      `WITH ${firstTime},
       cart AS (
         INSERT INTO carts (customer_id, id) SELECT $1, $2 FROM first_time
         ON CONFLICT (customer_id, id) DO UPDATE SET status = 'open', updated_at = now() -- items added after an order reopen it
         RETURNING customer_id, id
       )
       INSERT INTO cart_items (customer_id, cart_id, product_id, quantity, name, price, url, image_url)
       SELECT customer_id, id, $4, $5, $6, $7, $8, $9 FROM cart
       ON CONFLICT (customer_id, cart_id, product_id) DO UPDATE SET
         quantity  = least(cart_items.quantity::bigint + excluded.quantity, ${MAX_INTEGER}),
         name      = coalesce(excluded.name, cart_items.name),
         price     = coalesce(excluded.price, cart_items.price),
         url       = coalesce(excluded.url, cart_items.url),
         image_url = coalesce(excluded.image_url, cart_items.image_url)`,
      [
        event.userId,
        cartId,
        event.messageId,
        productId,
        quantity,
        prop(event, 'name') ?? null,
        numberProp(event, 'price') ?? null,
        prop(event, 'url') ?? null,
        prop(event, 'image_url') ?? null,
      ],
    );
  } else {
    await db.query(
      `WITH ${firstTime},
       cart AS (
         UPDATE carts SET updated_at = now()
         WHERE customer_id = $1 AND id = $2 AND EXISTS (SELECT 1 FROM first_time)
         RETURNING customer_id, id
       ),
       emptied AS ( -- the last units gone: the line goes
         DELETE FROM cart_items i USING cart
         WHERE i.customer_id = cart.customer_id AND i.cart_id = cart.id AND i.product_id = $4 AND i.quantity <= $5
       )
       UPDATE cart_items i SET quantity = i.quantity - $5
       FROM cart
       WHERE i.customer_id = cart.customer_id AND i.cart_id = cart.id AND i.product_id = $4 AND i.quantity > $5`,
      [event.userId, cartId, event.messageId, productId, quantity],
    );
  }
}

/** PostgreSQL's integer: a cart line's units stop there rather than fail the event. */
const MAX_INTEGER = 2 ** 31 - 1;

/**
 * Records Segment's Order Completed once per order_id of the customer, with its products (one
 * line per product, quantities added up), and marks the order's cart as ordered.
 */
export async function recordOrder(db: Queryable, event: CustomerEvent): Promise<void> {
  const orderId = prop(event, 'order_id');
  if (!orderId) return;
  await db.query(
    `WITH o AS (
       INSERT INTO orders (id, customer_id, total, revenue, currency, cart_id, message_id, completed_at)
       VALUES ($1, $2, $4, $5, $6, $7, $8, $9) ON CONFLICT (customer_id, id) DO NOTHING
       RETURNING customer_id, id
     )
     INSERT INTO order_items (customer_id, order_id, product_id, name, quantity, price, url, image_url, position)
     SELECT o.customer_id, o.id, item.product_id, item.name, item.quantity, item.price, item.url, item.image_url,
            item.position
     FROM o, ROWS FROM (
       jsonb_to_recordset($3::jsonb) AS (product_id text, name text, quantity integer, price numeric, url text, image_url text)
     ) WITH ORDINALITY AS item (product_id, name, quantity, price, url, image_url, position)`,
    [
      orderId,
      event.userId,
      JSON.stringify(orderLines(event.properties?.products)),
      numberProp(event, 'total') ?? null,
      numberProp(event, 'revenue') ?? null,
      prop(event, 'currency') ?? 'USD',
      prop(event, 'cart_id') ?? null,
      event.messageId,
      event.timestamp,
    ],
  );
  const cartId = prop(event, 'cart_id');
  if (cartId) {
    await db.query("UPDATE carts SET status = 'ordered', updated_at = now() WHERE customer_id = $1 AND id = $2", [
      event.userId,
      cartId,
    ]);
  }
}

interface OrderLine {
  product_id: string;
  name: string | null;
  quantity: number;
  price: number | null;
  url: string | null;
  image_url: string | null;
}

/** Segment's products[] as one line per product_id (or sku), in first-seen order, quantities added up. */
function orderLines(products: unknown): OrderLine[] {
  const lines = new Map<string, OrderLine>();
  const text = (v: unknown) => (v === undefined || v === null || v === '' ? null : String(v));
  for (const p of Array.isArray(products) ? (products as Record<string, unknown>[]) : []) {
    const id = text(p?.product_id ?? p?.sku);
    if (id === null) continue;
    const units = Math.trunc(Number(p.quantity ?? 1));
    const quantity = units > 0 ? units : 1;
    const price = p.price === undefined || p.price === null || Number.isNaN(Number(p.price)) ? null : Number(p.price);
    const line = lines.get(id);
    if (line) line.quantity += quantity;
    else
      lines.set(id, {
        product_id: id,
        name: text(p.name),
        quantity,
        price,
        url: text(p.url),
        image_url: text(p.image_url),
      });
  }
  return [...lines.values()];
}
