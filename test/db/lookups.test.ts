import {
  getCart,
  getOrder,
  getProfile,
  lastEventAfter,
  relatedProducts,
  setMarketingConsent,
  updateGroups,
} from '../../src/db/lookups';
import { registerBackInStock, removeBackInStock, waitingForProduct } from '../../src/db/waiting-list';
import { applyEvent } from '../../src/db/projections';
import type { Queryable } from '../../src/db/queryable';
import { storeEvents } from '../../src/db/events';
import { useMigratedPostgres } from '../helpers/postgres';

describe('lookups', () => {
  const db = useMigratedPostgres();
  const sql = (text: string, values: unknown[] = []) => db.pool().query(text, values);

  it('reads the profile a send needs; null for an unknown customer', async () => {
    await sql(
      `INSERT INTO customers (id, email, first_name, last_name, locale, timezone, frequency, paused_until)
       VALUES ('u-1', 'ann@example.com', 'Ann', 'Lee', 'de', 'Europe/Berlin', 'fewer', '2026-05-01T00:00:00Z')`,
    );
    expect(await getProfile(db.pool(), 'u-1')).toEqual({
      id: 'u-1',
      email: 'ann@example.com',
      firstName: 'Ann',
      lastName: 'Lee',
      locale: 'de',
      timezone: 'Europe/Berlin',
      frequency: 'fewer',
      pausedUntil: new Date('2026-05-01T00:00:00Z'),
    });
    expect(await getProfile(db.pool(), 'nobody')).toBeNull();
  });

  it('finds when the customer last did one of the named events after a time, as the backend timed it', async () => {
    const at = (messageId: string, event: string, userId: string, timestamp: string) =>
      ({ messageId, type: 'track', event, userId, timestamp }) as const;
    await storeEvents(db.pool(), [
      at('le-1', 'Email Opened', 'u-le', '2026-01-10T00:00:00.000Z'),
      at('le-2', 'Order Completed', 'u-le', '2026-02-01T00:00:00.000Z'),
      at('le-3', 'Product Viewed', 'u-le', '2026-03-01T00:00:00.000Z'),
      at('le-4', 'Email Opened', 'u-other', '2026-04-01T00:00:00.000Z'),
    ]);
    const signs = ['Email Opened', 'Order Completed'];
    expect(await lastEventAfter(db.pool(), 'u-le', signs, '2026-01-01T00:00:00.000Z')).toBe('2026-02-01T00:00:00.000Z');
    expect(await lastEventAfter(db.pool(), 'u-le', signs, '2026-02-01T00:00:00.000Z')).toBeNull(); // strictly after
    expect(await lastEventAfter(db.pool(), 'nobody', signs, '2026-01-01T00:00:00.000Z')).toBeNull();
    // Apple's privacy proxy fetching the pixel is not the customer.
    await storeEvents(db.pool(), [
      { ...at('le-5', 'Email Opened', 'u-le', '2026-05-01T00:00:00.000Z'), properties: { machine: 'privacy-proxy' } },
    ]);
    expect(await lastEventAfter(db.pool(), 'u-le', signs, '2026-01-01T00:00:00.000Z')).toBe('2026-02-01T00:00:00.000Z');
  });

  describe('getCart', () => {
    beforeAll(async () => {
      await sql(
        `INSERT INTO carts (id, customer_id, status) VALUES ('c-open', 'u-1', 'open'), ('c-done', 'u-1', 'ordered')`,
      );
      await sql(
        `INSERT INTO cart_items (customer_id, cart_id, product_id, name, quantity, price, url, image_url) VALUES
           ('u-1', 'c-open', 'shoe', 'Trail shoe', 2, 89.50, 'https://shop.example/shoe', 'https://cdn.example/shoe.jpg'),
           ('u-1', 'c-open', 'sock', 'Sock', 3, 4.99, NULL, NULL),
           ('u-1', 'c-done', 'hat', 'Hat', 1, 20, NULL, NULL)`,
      );
    });

    it('lists the open cart’s lines with numbers as numbers and absent links left out', async () => {
      expect(await getCart(db.pool(), 'u-1', 'c-open')).toEqual([
        {
          productId: 'sock',
          name: 'Sock',
          quantity: 3,
          price: 4.99,
        },
        {
          productId: 'shoe',
          name: 'Trail shoe',
          quantity: 2,
          price: 89.5,
          url: 'https://shop.example/shoe',
          imageUrl: 'https://cdn.example/shoe.jpg',
        },
      ]);
    });

    it('takes a line’s currency from the catalogue, which knows it (cart events do not carry one)', async () => {
      await sql(`INSERT INTO products (id, name, price, currency) VALUES ('shoe', 'Trail shoe', 89.5, 'EUR')`);
      const lines = await getCart(db.pool(), 'u-1', 'c-open');
      expect(lines.map((l) => [l.productId, l.currency])).toEqual([
        ['sock', undefined], // not in the catalogue: the template's default currency
        ['shoe', 'EUR'],
      ]);
      await sql(`DELETE FROM products WHERE id = 'shoe'`);
    });

    it('fills a line’s name and price from the catalogue, leaves out lines nobody named and links that are not http(s)', async () => {
      await sql(`INSERT INTO products (id, name, price) VALUES ('cat-1', 'Catalogue Boot', 75)`);
      await sql(`INSERT INTO carts (id, customer_id) VALUES ('c-sparse', 'u-1')`);
      await sql(
        `INSERT INTO cart_items (customer_id, cart_id, product_id, name, quantity, price, url, image_url) VALUES
           ('u-1', 'c-sparse', 'cat-1', NULL, 1, NULL, 'javascript:alert(1)', 'https://cdn.example/b.jpg'),
           ('u-1', 'c-sparse', 'unknown', NULL, 1, NULL, NULL, NULL),
           ('u-1', 'c-sparse', 'named', 'Named', 2, NULL, NULL, 'data:image/png;base64,AAAA')`,
      );
      expect(await getCart(db.pool(), 'u-1', 'c-sparse')).toEqual([
        {
          productId: 'cat-1',
          name: 'Catalogue Boot',
          quantity: 1,
          price: 75,
          currency: 'USD',
          imageUrl: 'https://cdn.example/b.jpg',
        },
        { productId: 'named', name: 'Named', quantity: 2 },
      ]);
      await sql(`DELETE FROM products WHERE id = 'cat-1'`);
    });

    it('shows nothing of another customer’s cart, or of one already ordered', async () => {
      expect(await getCart(db.pool(), 'u-2', 'c-open')).toEqual([]);
      expect(await getCart(db.pool(), 'u-1', 'c-done')).toEqual([]);
      expect(await getCart(db.pool(), 'u-1', 'c-missing')).toEqual([]);
    });
  });

  describe('getOrder', () => {
    it('gives the order as recorded, in the event’s line order, names and links from the catalogue where missing', async () => {
      await sql(
        `INSERT INTO products (id, name, price, url) VALUES ('shoe-cat', 'Trail shoe', 89.9, 'https://shop.example/shoe')`,
      );
      await applyEvent(db.pool(), {
        messageId: 'ord-1',
        type: 'track',
        event: 'Order Completed',
        userId: 'u-ord',
        timestamp: '2026-11-01T10:00:00.000Z',
        properties: {
          order_id: 'o-readme',
          revenue: 89.9,
          currency: 'EUR',
          products: [
            { product_id: 'zz-named', name: 'Socks', quantity: 2, price: 5, image_url: 'javascript:alert(1)' },
            { product_id: 'shoe-cat', quantity: 1, price: 89.9 },
            { product_id: 'nobody-knows', quantity: 1 },
          ],
        },
      });
      expect(await getOrder(db.pool(), 'u-ord', 'o-readme')).toEqual({
        orderId: 'o-readme',
        total: 89.9,
        currency: 'EUR',
        products: [
          { productId: 'zz-named', name: 'Socks', quantity: 2, price: 5 },
          { productId: 'shoe-cat', name: 'Trail shoe', quantity: 1, price: 89.9, url: 'https://shop.example/shoe' },
        ],
      });
      expect(await getOrder(db.pool(), 'someone-else', 'o-readme')).toBeNull();
    });
  });

  describe('relatedProducts', () => {
    beforeAll(async () => {
      await sql(
        `INSERT INTO products (id, name, price, category, url, image_url, in_stock) VALUES
           ('tent',     'Tent',          180.00, 'camping', 'https://shop.example/tent', NULL, true),
           ('stove',    'Stove',          45.00, 'cooking', NULL, NULL, true),
           ('mat',      'Sleeping mat',   39.90, 'camping', 'https://shop.example/mat', 'https://cdn.example/mat.jpg', true),
           ('lamp',     'Lamp',           19.00, 'camping', NULL, NULL, true),
           ('bag',      'Sleeping bag',   99.00, 'camping', NULL, NULL, true),
           ('chair',    'Camp chair',     29.00, 'camping', NULL, NULL, false),
           ('hammock',  'Hammock',         NULL, 'camping', NULL, NULL, true),
           ('pot',      'Pot',            25.00, 'cooking', NULL, NULL, true),
           ('tarp',     'Tarp',           35.00, 'shelter', NULL, NULL, true),
           ('boots',    'Boots',         120.00, 'shoes',   NULL, NULL, true)`,
      );
      await sql(
        `INSERT INTO related_products (product_id, related_id, kind, rank) VALUES
           ('tent',  'tarp',  'cross-sell', 2),
           ('tent',  'mat',   'cross-sell', 1),
           ('tent',  'chair', 'cross-sell', 0),  -- out of stock
           ('tent',  'stove', 'upsell',     3),  -- bought before
           ('tent',  'lamp',  'cross-sell', 5),
           ('boots', 'tarp',  'cross-sell', 0)   -- boots were not in this order`,
      );
      await sql(
        `INSERT INTO orders (id, customer_id, total, completed_at) VALUES
           ('o-old', 'u-camper', 45, '2026-01-10T10:00:00Z'),
           ('o-new', 'u-camper', 180, '2026-03-01T10:00:00Z')`,
      );
      await sql(
        `INSERT INTO order_items (customer_id, order_id, product_id, name, quantity, price) VALUES
           ('u-camper', 'o-old', 'stove', 'Stove', 1, 45), ('u-camper', 'o-old', 'bag', 'Sleeping bag', 1, 99),
           ('u-camper', 'o-new', 'tent', 'Tent', 1, 180)`,
      );
    });

    it('suggests related products by rank, then the same category, skipping bought, sold out and unpriced', async () => {
      const cards = await relatedProducts(db.pool(), 'u-camper', 'o-new', 10);
      expect(cards).toEqual([
        {
          productId: 'mat',
          name: 'Sleeping mat',
          price: 39.9,
          currency: 'USD',
          url: 'https://shop.example/mat',
          imageUrl: 'https://cdn.example/mat.jpg',
        },
        { productId: 'tarp', name: 'Tarp', price: 35, currency: 'USD' },
        { productId: 'lamp', name: 'Lamp', price: 19, currency: 'USD' }, // related, rank 5, and also same category: listed once
      ]);
      expect((await relatedProducts(db.pool(), 'u-camper', 'o-new', 2)).map((c) => c.productId)).toEqual([
        'mat',
        'tarp',
      ]);
    });

    it('falls back to the category when nothing is paired', async () => {
      await sql(`INSERT INTO orders (id, customer_id, completed_at) VALUES ('o-pot', 'u-cook', now())`);
      await sql(`INSERT INTO order_items (customer_id, order_id, product_id) VALUES ('u-cook', 'o-pot', 'pot')`);
      expect(await relatedProducts(db.pool(), 'u-cook', 'o-pot', 5)).toEqual([
        { productId: 'stove', name: 'Stove', price: 45, currency: 'USD' },
      ]);
    });

    it('suggests nothing for another customer’s order', async () => {
      expect(await relatedProducts(db.pool(), 'u-stranger', 'o-new', 10)).toEqual([]);
    });
  });

  describe('back in stock', () => {
    it('registers once, removes, and pages through the waiting list in id order', async () => {
      await registerBackInStock(db.pool(), 'u-1', 'p-rare');
      await registerBackInStock(db.pool(), 'u-1', 'p-rare');
      await registerBackInStock(db.pool(), 'u-2', 'p-rare');
      await registerBackInStock(db.pool(), 'u-0', 'p-other');
      expect(await waitingForProduct(db.pool(), 'p-rare', null, 10)).toEqual(['u-1', 'u-2']);
      await removeBackInStock(db.pool(), 'u-1', 'p-rare');
      await removeBackInStock(db.pool(), 'u-1', 'p-rare');
      expect(await waitingForProduct(db.pool(), 'p-rare', null, 10)).toEqual(['u-2']);
    });

    it('hands out every waiting customer exactly once, page by page', async () => {
      await sql(
        `INSERT INTO back_in_stock_requests (product_id, customer_id)
         SELECT 'p-hot', 'c-' || lpad(n::text, 4, '0') FROM generate_series(1, 250) n`,
      );
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page = await waitingForProduct(db.pool(), 'p-hot', after, 100);
        seen.push(...page);
        if (page.length < 100) break;
        after = page[page.length - 1];
      }
      expect(seen).toHaveLength(250);
      expect(new Set(seen).size).toBe(250);
      expect(seen[0]).toBe('c-0001');
      expect(seen[249]).toBe('c-0250');
    });

    it('reads a page from the primary key index, not by scanning', async () => {
      // A sought-after product with far more waiting than one page, among many quieter ones,
      // and statistics that say so.
      await sql(
        `INSERT INTO customers (id) SELECT 'bulk-' || n FROM generate_series(1, 40000) n;
         INSERT INTO back_in_stock_requests (product_id, customer_id)
         SELECT CASE WHEN n <= 20000 THEN 'p-7' ELSE 'p-' || (n % 200) END, 'bulk-' || n
         FROM generate_series(1, 40000) n;
         ANALYZE back_in_stock_requests; ANALYZE customers;`,
      );
      const plans: string[] = [];
      // Runs the very query waitingForProduct sends, under EXPLAIN.
      const explaining: Queryable = {
        query: (async (text: string, values: unknown[]) => {
          const { rows } = await db.pool().query(`EXPLAIN ${text}`, values);
          plans.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
          return { rows: [] };
        }) as unknown as Queryable['query'],
      };
      await waitingForProduct(explaining, 'p-7', null, 100);
      await waitingForProduct(explaining, 'p-7', 'bulk-5007', 100);
      expect(plans).toHaveLength(2);
      for (const plan of plans) {
        expect(plan).toMatch(/Index (Only )?Scan using back_in_stock_requests_pkey/);
        expect(plan).not.toMatch(/Seq Scan|Sort/);
        expect(plan).not.toMatch(/customers/);
      }
    });
  });

  describe('updateGroups', () => {
    const groups = async (customerId: string) =>
      (
        await sql('SELECT group_name FROM group_members WHERE customer_id = $1 ORDER BY group_name', [customerId])
      ).rows.map((r) => r.group_name);

    it('creates groups as needed, adds, moves and removes, idempotently', async () => {
      await updateGroups(db.pool(), 'u-g', ['newsletter', 'prospects'], []);
      await updateGroups(db.pool(), 'u-g', ['newsletter', 'prospects'], []);
      expect(await groups('u-g')).toEqual(['newsletter', 'prospects']);

      await updateGroups(db.pool(), 'u-g', ['customers'], ['prospects']);
      await updateGroups(db.pool(), 'u-g', ['customers'], ['prospects']);
      expect(await groups('u-g')).toEqual(['customers', 'newsletter']);

      await updateGroups(db.pool(), 'u-g', ['vip'], ['vip', 'newsletter']);
      expect(await groups('u-g')).toEqual(['customers', 'vip']);
      const all = await sql(
        "SELECT name FROM groups WHERE name IN ('newsletter', 'prospects', 'customers', 'vip') ORDER BY name",
      );
      expect(all.rows.map((r) => r.name)).toEqual(['customers', 'newsletter', 'prospects', 'vip']);

      await updateGroups(db.pool(), 'u-g', [], []);
      expect(await groups('u-g')).toEqual(['customers', 'vip']);
    });

    it('lets two journeys create the same group at once', async () => {
      await Promise.all(['u-a', 'u-b', 'u-c'].map((id) => updateGroups(db.pool(), id, ['sunset'], [])));
      const members = await sql(
        "SELECT customer_id FROM group_members WHERE group_name = 'sunset' ORDER BY customer_id",
      );
      expect(members.rows.map((r) => r.customer_id)).toEqual(['u-a', 'u-b', 'u-c']);
    });
  });

  describe('setMarketingConsent', () => {
    const consent = async (customerId: string) =>
      (
        await sql("SELECT status, reason FROM subscriptions WHERE customer_id = $1 AND topic = 'marketing'", [
          customerId,
        ])
      ).rows;

    it('records the choice and its reason, creating the customer if needed', async () => {
      await setMarketingConsent(db.pool(), 'u-new', false, 'sunset');
      expect(await consent('u-new')).toEqual([{ status: 'unsubscribed', reason: 'sunset' }]);
      expect(await getProfile(db.pool(), 'u-new')).toMatchObject({ id: 'u-new' });

      await setMarketingConsent(db.pool(), 'u-new', false, 'unsubscribe link');
      expect(await consent('u-new')).toEqual([{ status: 'unsubscribed', reason: 'sunset' }]); // when and why it changed

      await setMarketingConsent(db.pool(), 'u-new', true, 'preference center');
      expect(await consent('u-new')).toEqual([{ status: 'subscribed', reason: 'preference center' }]);
    });
  });
});
