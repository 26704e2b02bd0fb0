import request from 'supertest';
import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import { relatedProducts } from '../../src/db/lookups';
import { createApp } from '../../src/api/app';
import { productWorkflowId } from '../../src/shared/signals';
import { useApiBackends } from '../helpers/api';
import { useMigratedPostgres } from '../helpers/postgres';
import { eventually } from '../helpers/eventually';

const ADMIN = 'Bearer admin-key';
const product = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `Product ${id}`,
  price: 10,
  category: 'camping',
  ...extra,
});

describe('catalogue API: POST /v1/products', () => {
  const db = useMigratedPostgres();
  let app: Express;
  let connection: Connection;
  beforeAll(() => {
    // The catalogue never talks to Temporal: a client that would connect on first use is enough.
    connection = Connection.lazy({ address: '127.0.0.1:1' });
    app = createApp({
      pool: db.pool(),
      temporal: new Client({ connection }),
      apiKeys: ['write-key'],
      adminKeys: ['admin-key'],
      signingSecret: 'catalogue-test-signing-secret',
      deliveryTimeoutMs: 1000,
    });
  });
  afterAll(() => connection.close());

  const post = (body: object, auth = ADMIN) => request(app).post('/v1/products').set('Authorization', auth).send(body);

  /** What the cross-sell email would suggest to someone who ordered `productId`. */
  async function suggestionsAfterBuying(productId: string): Promise<string[]> {
    const order = `o-${productId}-${Date.now()}`;
    await db
      .pool()
      .query(`INSERT INTO orders (id, customer_id, total, completed_at) VALUES ($1, 'buyer', 1, now())`, [order]);
    await db
      .pool()
      .query(
        `INSERT INTO order_items (customer_id, order_id, product_id, name, quantity, price) VALUES ('buyer', $1, $2, 'x', 1, 1)`,
        [order, productId],
      );
    return (await relatedProducts(db.pool(), 'buyer', order, 10)).map((p) => p.productId);
  }

  it('stores products with their related ones, which the cross-sell journey then suggests in order', async () => {
    const res = await post({
      products: [
        product('tent', { related: [{ id: 'mat' }, { id: 'stove', kind: 'upsell' }], currency: 'EUR' }),
        product('mat'),
        product('stove', { category: 'cooking', imageUrl: 'https://cdn.example/stove.jpg' }),
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, products: 3 });
    const { rows } = await db.pool().query(`SELECT id, currency, image_url, in_stock FROM products ORDER BY id`);
    expect(rows).toEqual([
      { id: 'mat', currency: 'USD', image_url: null, in_stock: true },
      { id: 'stove', currency: 'USD', image_url: 'https://cdn.example/stove.jpg', in_stock: true },
      { id: 'tent', currency: 'EUR', image_url: null, in_stock: true },
    ]);
    expect(await suggestionsAfterBuying('tent')).toEqual(['mat', 'stove']);
  });

  it('replaces a related list when one is sent, and keeps it when none is', async () => {
    await post({ products: [product('tent', { related: [{ id: 'stove' }] })] }).expect(200);
    expect(await suggestionsAfterBuying('tent')).toEqual(['stove', 'mat']); // mat still comes by category
    await post({ products: [product('tent', { name: 'Tent (2 people)', price: 199 })] }).expect(200);
    const { rows } = await db.pool().query(`SELECT related_id FROM related_products WHERE product_id = 'tent'`);
    expect(rows).toEqual([{ related_id: 'stove' }]);
  });

  it('rejects related products it does not know, naming them, and stores nothing of the call', async () => {
    const res = await post({ products: [product('lamp', { related: [{ id: 'ghost' }, { id: 'mat' }] })] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: { code: 'invalid_request', message: 'Unknown related product: ghost', details: { ids: ['ghost'] } },
    });
    expect((await db.pool().query(`SELECT 1 FROM products WHERE id = 'lamp'`)).rowCount).toBe(0);
  });

  it('answers 400 with the field path for an invalid product, and for a product sent twice', async () => {
    const invalid = await post({ products: [product('a'), { id: 'b', price: -1 }] });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details).toEqual([
      { path: 'products.1.name', message: 'name is required' },
      { path: 'products.1.price', message: expect.stringContaining('>=0') },
    ]);
    const twice = await post({ products: [product('a'), product('a')] });
    expect(twice.status).toBe(400);
    expect(twice.body.error.message).toBe('Product a appears more than once');
  });

  it('answers 503 when Temporal cannot hear of a restock, leaving the product sold out for the retry', async () => {
    await post({ products: [product('kettle', { inStock: false })] }).expect(200);
    const res = await post({ products: [product('kettle', { inStock: true })] });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body.error).toEqual({ code: 'unavailable', message: 'Temporal is unavailable; retry later' });
    const { rows } = await db.pool().query(`SELECT in_stock FROM products WHERE id = 'kettle'`);
    expect(rows).toEqual([{ in_stock: false }]);
  });

  it('needs an admin key: none, or a write key, is a 401', async () => {
    const none = await request(app)
      .post('/v1/products')
      .send({ products: [product('x')] });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toContain('journeys-admin');
    expect((await post({ products: [product('x')] }, 'Bearer write-key')).status).toBe(401);
  });
});

describe('catalogue API: a restock reaches the customers waiting for the product', () => {
  const { env, db, stub } = useApiBackends();
  let app: Express;
  beforeAll(() => {
    app = createApp({
      pool: db.pool(),
      temporal: env().client,
      apiKeys: ['write-key'],
      adminKeys: ['admin-key'],
      signingSecret: 'catalogue-test-signing-secret',
    });
  });
  const post = (body: object) => request(app).post('/v1/products').set('Authorization', ADMIN).send(body);
  const ask = (customerId: string) =>
    request(app)
      .post('/v1/track')
      .set('Authorization', 'Bearer write-key')
      .send({ userId: customerId, event: 'Back In Stock Requested', properties: { product_id: 'boots' } })
      .expect(200);
  /** The product workflow's latest run and the restock signals it took: what an announcement changes. */
  const restockSignals = async (productId: string) => {
    const handle = env().client.workflow.getHandle(productWorkflowId(productId));
    const { runId } = await handle.describe();
    const { events } = await handle.fetchHistory();
    return { runId, signals: events!.filter((e) => e.workflowExecutionSignaledEventAttributes).length };
  };

  it('tells each waiting customer once, with the product, when it comes back in stock', async () => {
    await post({
      products: [product('boots', { inStock: false, name: 'Alpine boots', url: 'https://shop.example/boots' })],
    }).expect(200);
    await ask('bis-1');
    await ask('bis-2');
    await eventually(() => stub.backInStock.length === 2, 'both customers on the waiting list');

    await post({
      products: [product('boots', { inStock: true, name: 'Alpine boots', url: 'https://shop.example/boots' })],
    }).expect(200);
    await eventually(
      () => stub.sent.filter((s) => s.template === 'back-in-stock').length === 2,
      'two back-in-stock emails',
    );
    expect(stub.emailsTo('bis-1').map((e) => [e.template, e.data])).toEqual([
      ['back-in-stock', { productId: 'boots', name: 'Alpine boots', url: 'https://shop.example/boots' }],
    ]);
    // Still in stock: the same call again announces nothing. The API signals the product's workflow
    // before it answers, so right after the answer its history shows whether it did.
    const announced = await restockSignals('boots');
    await post({ products: [product('boots', { inStock: true, name: 'Alpine boots' })] }).expect(200);
    expect(await restockSignals('boots')).toEqual(announced);
    expect(stub.sent.filter((s) => s.template === 'back-in-stock')).toHaveLength(2);
  });
});
