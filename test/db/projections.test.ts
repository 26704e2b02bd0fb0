import { randomUUID } from 'node:crypto';
import { applyEvent } from '../../src/db/projections';
import type { CustomerEvent } from '../../src/shared/events';
import { isSuppressed } from '../../src/db/suppression';
import { useMigratedPostgres } from '../helpers/postgres';

let seq = 0;
function track(userId: string, event: string, properties: Record<string, unknown>, extra: Partial<CustomerEvent> = {}) {
  return {
    messageId: `m-${++seq}`,
    type: 'track',
    event,
    userId,
    timestamp: '2026-03-02T10:00:00.000Z',
    properties,
    ...extra,
  } satisfies CustomerEvent;
}

function identify(userId: string, traits: Record<string, unknown>, context?: CustomerEvent['context']): CustomerEvent {
  return {
    messageId: `m-${++seq}`,
    type: 'identify',
    event: 'identify',
    userId,
    timestamp: new Date().toISOString(),
    traits,
    context,
  };
}

describe('applyEvent', () => {
  const db = useMigratedPostgres();
  const customer = async (id: string) => (await db.pool().query('SELECT * FROM customers WHERE id = $1', [id])).rows[0];
  const cart = async (cartId: string, customerId = 'u-cart') =>
    (
      await db
        .pool()
        .query(
          'SELECT product_id, quantity, name, price::float8 AS price, url FROM cart_items WHERE customer_id = $1 AND cart_id = $2 ORDER BY product_id',
          [customerId, cartId],
        )
    ).rows;

  it('creates the customer on any event', async () => {
    await applyEvent(db.pool(), track('u-any', 'Product Viewed', { product_id: 'p1' }));
    expect(await customer('u-any')).toMatchObject({ id: 'u-any', email: null, traits: {}, frequency: 'normal' });
  });

  it('puts identify traits into their columns and merges the rest into traits', async () => {
    await applyEvent(
      db.pool(),
      identify('u-ann', {
        email: ' ann@example.com ',
        first_name: 'Ann',
        lastName: 'Lee',
        timezone: 'Europe/Berlin',
        birthday: '1990-04-02',
        plan: 'pro',
        company: { name: 'Acme' },
      }),
    );
    await applyEvent(
      db.pool(),
      identify('u-ann', {
        firstName: 'Annie',
        locale: 'de',
        plan: 'enterprise',
        company: null,
        seats: 5,
        birthday: null,
      }),
    );
    expect(await customer('u-ann')).toMatchObject({
      email: 'ann@example.com',
      first_name: 'Annie',
      last_name: 'Lee',
      locale: 'de',
      timezone: 'Europe/Berlin',
      birthday: null,
      traits: { plan: 'enterprise', seats: 5 },
    });
  });

  it('ignores an unknown time zone, and takes locale and zone from context only while unknown', async () => {
    await applyEvent(
      db.pool(),
      identify('u-ctx', { timezone: 'Mars/Olympus' }, { locale: 'fr-FR', timezone: 'Europe/Paris' }),
    );
    expect(await customer('u-ctx')).toMatchObject({ locale: 'fr-FR', timezone: 'Europe/Paris' });
    await applyEvent(
      db.pool(),
      track('u-ctx', 'Product Viewed', {}, { context: { locale: 'en-US', timezone: 'America/New_York' } }),
    );
    expect(await customer('u-ctx')).toMatchObject({ locale: 'fr-FR', timezone: 'Europe/Paris' });
    await applyEvent(db.pool(), identify('u-ctx', { timezone: 'Asia/Tokyo' }, { timezone: 'America/New_York' }));
    expect((await customer('u-ctx')).timezone).toBe('Asia/Tokyo');
  });

  it('keeps the cart: adds up units, removes down to zero; a cart id is per customer', async () => {
    const shoe = {
      cart_id: 'c-1',
      product_id: 'shoe',
      name: 'Trail shoe',
      price: 89.5,
      url: 'https://shop.example/shoe',
    };
    await applyEvent(db.pool(), track('u-cart', 'Product Added', shoe));
    await applyEvent(db.pool(), track('u-cart', 'Product Added', { ...shoe, quantity: 2 }));
    await applyEvent(
      db.pool(),
      track('u-cart', 'Product Added', {
        cart_id: 'c-1',
        product_id: 'sock',
        name: 'Sock',
        price: '4.99',
        quantity: 3,
      }),
    );
    await applyEvent(db.pool(), track('u-other', 'Product Added', { cart_id: 'c-1', product_id: 'hat', quantity: 1 }));
    expect(await cart('c-1')).toEqual([
      { product_id: 'shoe', quantity: 3, name: 'Trail shoe', price: 89.5, url: 'https://shop.example/shoe' },
      { product_id: 'sock', quantity: 3, name: 'Sock', price: 4.99, url: null },
    ]);

    await applyEvent(
      db.pool(),
      track('u-cart', 'Product Removed', { cart_id: 'c-1', product_id: 'shoe', quantity: 2 }),
    );
    await applyEvent(
      db.pool(),
      track('u-cart', 'Product Removed', { cart_id: 'c-1', product_id: 'sock', quantity: 5 }),
    );
    await applyEvent(db.pool(), track('u-other', 'Product Removed', { cart_id: 'c-1', product_id: 'shoe' }));
    expect(await cart('c-1')).toEqual([expect.objectContaining({ product_id: 'shoe', quantity: 1 })]);
    // Another customer's cart of the same id is theirs: neither changes the other.
    expect(await cart('c-1', 'u-other')).toEqual([expect.objectContaining({ product_id: 'hat', quantity: 1 })]);

    await applyEvent(db.pool(), track('u-cart', 'Product Removed', { cart_id: 'c-1', product_id: 'shoe' }));
    expect(await cart('c-1')).toEqual([]);
  });

  it('counts a repeated cart event once', async () => {
    const added = track('u-rep', 'Product Added', { cart_id: 'c-rep', product_id: 'mug', quantity: 2 });
    const removed = track('u-rep', 'Product Removed', { cart_id: 'c-rep', product_id: 'mug' });
    for (const e of [added, added, removed, removed]) await applyEvent(db.pool(), e);
    expect(await cart('c-rep', 'u-rep')).toEqual([expect.objectContaining({ product_id: 'mug', quantity: 1 })]);
  });

  it('records an order once, with its lines, and marks its cart ordered', async () => {
    await applyEvent(db.pool(), track('u-buy', 'Product Added', { cart_id: 'c-buy', product_id: 'tent' }));
    const order = track(
      'u-buy',
      'Order Completed',
      {
        order_id: 'o-1',
        cart_id: 'c-buy',
        total: 231.4,
        revenue: 199,
        currency: 'EUR',
        products: [
          { product_id: 'tent', name: 'Tent', quantity: 1, price: 180 },
          { product_id: 'peg', name: 'Peg', quantity: 4, price: 2.5 },
          { product_id: 'peg', name: 'Peg', quantity: 4, price: 2.5 },
          { name: 'no id' },
        ],
      },
      { timestamp: '2026-03-02T11:30:00.000Z' },
    );
    await applyEvent(db.pool(), order);
    await applyEvent(db.pool(), { ...order, messageId: 'resent-by-backend' });
    // Another customer's order of the same id is theirs (a backend's ids are its customers').
    await applyEvent(db.pool(), { ...order, messageId: 'm-other', userId: 'u-other-buyer' });

    const orders = await db.pool().query(
      `SELECT id, customer_id, total::float8, revenue::float8, currency, cart_id, message_id, completed_at FROM orders
          WHERE customer_id = 'u-buy'`,
    );
    expect(orders.rows).toEqual([
      {
        id: 'o-1',
        customer_id: 'u-buy',
        total: 231.4,
        revenue: 199,
        currency: 'EUR',
        cart_id: 'c-buy',
        message_id: order.messageId,
        completed_at: new Date('2026-03-02T11:30:00.000Z'),
      },
    ]);
    const lines = await db
      .pool()
      .query('SELECT customer_id, product_id, name, quantity, price::float8 FROM order_items ORDER BY 1, 2');
    expect(lines.rows).toEqual([
      { customer_id: 'u-buy', product_id: 'peg', name: 'Peg', quantity: 8, price: 2.5 },
      { customer_id: 'u-buy', product_id: 'tent', name: 'Tent', quantity: 1, price: 180 },
      { customer_id: 'u-other-buyer', product_id: 'peg', name: 'Peg', quantity: 8, price: 2.5 },
      { customer_id: 'u-other-buyer', product_id: 'tent', name: 'Tent', quantity: 1, price: 180 },
    ]);
    const carts = await db.pool().query("SELECT customer_id, status FROM carts WHERE id = 'c-buy'");
    expect(carts.rows).toEqual([{ customer_id: 'u-buy', status: 'ordered' }]);
  });

  it('keeps the phone number in E.164, and SMS consent from the sms_opt_in trait and START', async () => {
    await applyEvent(db.pool(), identify('u-tel', { phone: '+49 (151) 2345-6701', sms_opt_in: true }));
    expect(await customer('u-tel')).toMatchObject({ phone: '+4915123456701', traits: { sms_opt_in: true } });
    const sms = async () =>
      (await db.pool().query(`SELECT status FROM subscriptions WHERE customer_id = 'u-tel' AND channel = 'sms'`))
        .rows[0]?.status;
    expect(await sms()).toBe('subscribed');
    await applyEvent(db.pool(), identify('u-tel', { sms_opt_in: false }));
    expect(await sms()).toBe('unsubscribed');
    await applyEvent(db.pool(), track('u-tel', 'SMS Opted In', { reason: 'START by text' }));
    expect(await sms()).toBe('subscribed');
    // Email consent is another channel's: untouched.
    const email = await db
      .pool()
      .query(`SELECT 1 FROM subscriptions WHERE customer_id = 'u-tel' AND channel = 'email'`);
    expect(email.rowCount).toBe(0);
  });

  it('sets marketing consent from Unsubscribed and Email Confirmed', async () => {
    const status = async () =>
      (
        await db
          .pool()
          .query("SELECT status, reason FROM subscriptions WHERE customer_id = 'u-sub' AND topic = 'marketing'")
      ).rows;
    await applyEvent(db.pool(), track('u-sub', 'Unsubscribed', { email_id: 'e-9' }));
    expect(await status()).toEqual([{ status: 'unsubscribed', reason: 'Unsubscribed' }]);
    await applyEvent(db.pool(), track('u-sub', 'Email Confirmed', {}));
    expect(await status()).toEqual([{ status: 'subscribed', reason: 'Email Confirmed' }]);
  });

  it('unsubscribes only the channel and topic an Unsubscribed event names', async () => {
    const rows = async (id: string) =>
      (
        await db
          .pool()
          .query('SELECT channel, topic, status FROM subscriptions WHERE customer_id = $1 ORDER BY channel, topic', [
            id,
          ])
      ).rows;
    await applyEvent(db.pool(), track('u-topic', 'Unsubscribed', { channel: 'email', topic: 'offers' }));
    await applyEvent(db.pool(), track('u-topic', 'Unsubscribed', { channel: 'sms', topic: 'news' }));
    expect(await rows('u-topic')).toEqual([
      { channel: 'email', topic: 'offers', status: 'unsubscribed' },
      { channel: 'sms', topic: 'news', status: 'unsubscribed' },
    ]);

    await applyEvent(db.pool(), track('u-all', 'Unsubscribed', { channel: 'all', topic: 'marketing' }));
    expect(await rows('u-all')).toEqual([
      { channel: 'email', topic: 'marketing', status: 'unsubscribed' },
      { channel: 'sms', topic: 'marketing', status: 'unsubscribed' },
    ]);

    // A channel we never send on changes nothing, and does not stop the customer's later events.
    await applyEvent(db.pool(), track('u-push', 'Unsubscribed', { channel: 'push' }));
    await applyEvent(db.pool(), track('u-push', 'Unsubscribed', { channel: 'constructor' }));
    expect(await rows('u-push')).toEqual([]);
  });

  it('subscribes a channel’s topic again on Email Preference Updated “subscribed” with a channel and topic', async () => {
    const status = async () =>
      (await db.pool().query("SELECT channel, topic, status FROM subscriptions WHERE customer_id = 'u-back'")).rows;
    await applyEvent(db.pool(), track('u-back', 'Unsubscribed', { channel: 'sms', topic: 'offers' }));
    await applyEvent(
      db.pool(),
      track('u-back', 'Email Preference Updated', { preference: 'subscribed', channel: 'sms', topic: 'offers' }),
    );
    expect(await status()).toEqual([{ channel: 'sms', topic: 'offers', status: 'subscribed' }]);
    // Without them it is email marketing, as before channels existed.
    await applyEvent(db.pool(), track('u-back', 'Email Preference Updated', { preference: 'subscribed' }));
    expect(await status()).toContainEqual({ channel: 'email', topic: 'marketing', status: 'subscribed' });
  });

  it('suppresses the address on a hard bounce only', async () => {
    await applyEvent(db.pool(), identify('u-soft', { email: 'soft@example.com' }));
    await applyEvent(db.pool(), track('u-soft', 'Email Bounced', { type: 'soft' }));
    expect(await isSuppressed(db.pool(), 'soft@example.com')).toBe(false);

    await applyEvent(db.pool(), identify('u-hard', { email: 'Hard@Example.com' }));
    await applyEvent(db.pool(), track('u-hard', 'Email Bounced', { type: 'hard' }));
    expect(await isSuppressed(db.pool(), 'hard@example.com')).toBe(true);

    await applyEvent(db.pool(), identify('u-bt', { email: 'bt@example.com' }));
    await applyEvent(db.pool(), track('u-bt', 'Email Bounced', { bounce_type: 'hard' }));
    expect(await isSuppressed(db.pool(), 'bt@example.com')).toBe(true);
  });

  it('leaves the tables as they were when an event is applied twice', async () => {
    const id = `u-${randomUUID()}`;
    const events: CustomerEvent[] = [
      identify(id, { email: `${id}@example.com`, plan: 'pro' }),
      track(id, 'Product Added', { cart_id: `c-${id}`, product_id: 'a', quantity: 2 }),
      track(id, 'Product Removed', { cart_id: `c-${id}`, product_id: 'a' }),
      track(id, 'Order Completed', { order_id: `o-${id}`, cart_id: `c-${id}`, products: [{ product_id: 'a' }] }),
      track(id, 'Unsubscribed', {}),
      track(id, 'Email Bounced', { type: 'hard' }),
    ];
    const snapshot = async () => {
      const q = (sql: string) =>
        db
          .pool()
          .query(sql, [id])
          .then((r) => r.rows);
      return {
        customer: await q('SELECT email, traits FROM customers WHERE id = $1'),
        items: await q('SELECT product_id, quantity FROM cart_items WHERE customer_id = $1'),
        carts: await q('SELECT status FROM carts WHERE customer_id = $1'),
        orders: await q('SELECT order_id AS id, product_id, quantity FROM order_items WHERE customer_id = $1'),
        subscriptions: await q('SELECT status FROM subscriptions WHERE customer_id = $1'),
        suppressions: (await db.pool().query('SELECT count(*)::int AS n FROM suppressions')).rows,
      };
    };
    for (const e of events) await applyEvent(db.pool(), e);
    const once = await snapshot();
    expect(once.items).toEqual([{ product_id: 'a', quantity: 1 }]);
    for (const e of events) await applyEvent(db.pool(), e);
    expect(await snapshot()).toEqual(once);
  });

  it('runs inside the caller’s transaction', async () => {
    const client = await db.pool().connect();
    try {
      await client.query('BEGIN');
      await applyEvent(client, track('u-tx', 'Product Added', { cart_id: 'c-tx', product_id: 'x' }));
      expect(await client.query("SELECT quantity FROM cart_items WHERE cart_id = 'c-tx'").then((r) => r.rows)).toEqual([
        { quantity: 1 },
      ]);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await customer('u-tx')).toBeUndefined();
    expect(await cart('c-tx', 'u-tx')).toEqual([]);
  });
});

describe('preference answers', () => {
  const db = useMigratedPostgres();

  it('pauses marketing for 30 days, or switches to fewer emails, and back to normal', async () => {
    const at = '2026-11-23T10:00:00.000Z';
    const event = (preference: string) => ({
      messageId: `pref-${preference}-${Math.random()}`,
      type: 'track' as const,
      event: 'Email Preference Updated',
      userId: 'pref-1',
      timestamp: at,
      properties: { preference },
    });
    await applyEvent(db.pool(), event('pause'));
    let row = (await db.pool().query(`SELECT paused_until, frequency FROM customers WHERE id = 'pref-1'`)).rows[0];
    expect(row.paused_until.toISOString()).toBe('2026-12-23T10:00:00.000Z');
    await applyEvent(db.pool(), event('fewer'));
    row = (await db.pool().query(`SELECT paused_until, frequency FROM customers WHERE id = 'pref-1'`)).rows[0];
    expect(row).toEqual({ paused_until: null, frequency: 'fewer' });
    await applyEvent(db.pool(), event('normal'));
    row = (await db.pool().query(`SELECT frequency FROM customers WHERE id = 'pref-1'`)).rows[0];
    expect(row.frequency).toBe('normal');
  });
});
