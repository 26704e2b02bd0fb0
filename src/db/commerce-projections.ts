import { Events, numberProp, prop, type CustomerEvent } from '../shared/events';
import type { Queryable } from './queryable';

// The commerce side of the event projection (src/db/projections.ts): carts and orders, from
// Segment's E-commerce Spec v2 events.

/**
 * Adds or removes units of a product in the customer's cart (Segment's cart_id); removing the
 * last unit deletes the line. A cart id that belongs to another customer is left alone. The
 * messageId goes into projected_cart_events in the same statement: a repeat adds nothing.
 */
export async function changeCart(db: Queryable, event: CustomerEvent): Promise<void> {
  const cartId = prop(event, 'cart_id');
  const productId = prop(event, 'product_id');
  const quantity = Math.trunc(numberProp(event, 'quantity') ?? 1);
  if (!cartId || !productId || !(quantity > 0)) return;
  const firstTime = `first_time AS (
      INSERT INTO projected_cart_events (message_id) VALUES ($3) ON CONFLICT DO NOTHING RETURNING message_id
    )`;
  if (event.event === Events.ProductAdded) {
    await db.query(
      `WITH ${firstTime},
       cart AS (
         INSERT INTO carts (id, customer_id) SELECT $2, $1 FROM first_time
         ON CONFLICT (id) DO UPDATE SET status = 'open', updated_at = now() -- items added after an order reopen it
           WHERE carts.customer_id = excluded.customer_id
         RETURNING id
       )
       INSERT INTO cart_items (cart_id, product_id, quantity, name, price, url, image_url)
       SELECT id, $4, $5, $6, $7, $8, $9 FROM cart
       ON CONFLICT (cart_id, product_id) DO UPDATE SET
         quantity  = cart_items.quantity + excluded.quantity,
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
         WHERE id = $2 AND customer_id = $1 AND EXISTS (SELECT 1 FROM first_time)
         RETURNING id
       ),
       emptied AS ( -- the last units gone: the line goes
         DELETE FROM cart_items i USING cart WHERE i.cart_id = cart.id AND i.product_id = $4 AND i.quantity <= $5
       )
       UPDATE cart_items i SET quantity = i.quantity - $5
       FROM cart WHERE i.cart_id = cart.id AND i.product_id = $4 AND i.quantity > $5`,
      [event.userId, cartId, event.messageId, productId, quantity],
    );
  }
}

/**
 * Records Segment's Order Completed once per order_id, with its products (one line per product,
 * quantities added up), and marks the order's cart as ordered.
 */
export async function recordOrder(db: Queryable, event: CustomerEvent): Promise<void> {
  const orderId = prop(event, 'order_id');
  if (!orderId) return;
  await db.query(
    `INSERT INTO orders (id, customer_id, total, revenue, currency, cart_id, message_id, completed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
    [
      orderId,
      event.userId,
      numberProp(event, 'total') ?? null,
      numberProp(event, 'revenue') ?? null,
      prop(event, 'currency') ?? 'USD',
      prop(event, 'cart_id') ?? null,
      event.messageId,
      event.timestamp,
    ],
  );
  await db.query(
    `INSERT INTO order_items (order_id, product_id, name, quantity, price)
     SELECT $1, item.product_id, item.name, item.quantity, item.price
     FROM jsonb_to_recordset($3::jsonb) AS item (product_id text, name text, quantity integer, price numeric)
     WHERE EXISTS (SELECT 1 FROM orders WHERE id = $1 AND customer_id = $2) -- not another customer's order
     ON CONFLICT (order_id, product_id) DO NOTHING`,
    [orderId, event.userId, JSON.stringify(orderLines(event.properties?.products))],
  );
  const cartId = prop(event, 'cart_id');
  if (cartId) {
    await db.query("UPDATE carts SET status = 'ordered', updated_at = now() WHERE id = $1 AND customer_id = $2", [
      cartId,
      event.userId,
    ]);
  }
}

interface OrderLine {
  product_id: string;
  name: string | null;
  quantity: number;
  price: number | null;
}

/** Segment's products[] as one line per product_id (or sku), quantities added up. */
function orderLines(products: unknown): OrderLine[] {
  const lines = new Map<string, OrderLine>();
  for (const p of Array.isArray(products) ? (products as Record<string, unknown>[]) : []) {
    const id = p?.product_id ?? p?.sku;
    if (id === undefined || id === null || id === '') continue;
    const units = Math.trunc(Number(p.quantity ?? 1));
    const quantity = units > 0 ? units : 1;
    const price = p.price === undefined || p.price === null || Number.isNaN(Number(p.price)) ? null : Number(p.price);
    const line = lines.get(String(id));
    if (line) line.quantity += quantity;
    else lines.set(String(id), { product_id: String(id), name: p.name ? String(p.name) : null, quantity, price });
  }
  return [...lines.values()];
}
