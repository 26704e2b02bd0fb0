import express, { type Express } from 'express';
import request from 'supertest';
import { Client, Connection } from '@temporalio/client';
import { adminRouter } from '../../src/api/admin-routes';
import { errorHandler } from '../../src/api/errors';
import { getProfile } from '../../src/db/lookups';
import { emailHash, isSuppressed, suppressionReason } from '../../src/db/suppression';
import { storeEvents, type StoredEvent } from '../../src/db/events';
import { customerStateQuery, customerWorkflowId, journeyStateQuery, journeyWorkflowId } from '../../src/shared/signals';
import { identify, track } from '../helpers/journeys';
import { useMigratedPostgres } from '../helpers/postgres';
import { useApiBackends } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { noStats } from '../fixtures/stats';

const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const T0 = Date.parse('2026-03-01T09:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
/** What a value looks like once it went through res.json(). */
const json = <T>(value: T): unknown => JSON.parse(JSON.stringify(value));

function buildApp(pool: import('pg').Pool, temporal: Client): Express {
  return express()
    .use(express.json())
    .use(adminRouter({ pool, temporal }))
    .use(errorHandler((err) => console.error('unexpected', err))); // a 500 shows its cause
}

/** How the API shows a sent cart reminder (what varies: id, subject, times, events). */
const cartReminderSent = {
  journey: 'abandoned-cart',
  step: 'reminder',
  channel: 'email',
  template: 'cart-reminder',
  variant: null,
  status: 'sent',
  reason: null,
  transactional: false,
  holdout: false,
};

const invalid = (message: string, path: string) => ({
  error: { code: 'invalid_request', message, details: [{ path, message }] },
});

describe('admin API: customers', () => {
  const { env, db, delivered } = useApiBackends();
  let app: Express;
  beforeAll(() => {
    app = buildApp(db.pool(), env().client);
  });

  /** Accepted as the API does, and delivered by the dispatcher (projected, in the workflow's history). */
  const send = async (event: StoredEvent) => {
    await storeEvents(db.pool(), [event]);
    await delivered();
  };
  const customerState = (id: string) =>
    env().client.workflow.getHandle(customerWorkflowId(id)).query(customerStateQuery);
  const status = async (workflowId: string) =>
    (await env().client.workflow.getHandle(workflowId).describe()).status.name;

  /**
   * Polls until the customer workflow lists the journey as running (it starts it after taking the
   * event) and the journey has run (it answers its `state` query once a worker has taken its first
   * task, which on a busy machine can be a while after it started).
   */
  async function journeyStarted(customerId: string, workflowId: string): Promise<void> {
    await eventually(async () => (await customerState(customerId)).running[workflowId], `${workflowId} to start`);
    const journey = env().client.workflow.getHandle(workflowId);
    await eventually(() => journey.query(journeyStateQuery).catch(() => undefined), `${workflowId} to run`);
  }

  /** A customer with an email, an open cart and its abandoned-cart journey running. */
  async function customerWithCart(id: string, email: string, cart: string): Promise<string> {
    await send(identify({ email, first_name: 'Ann', last_name: 'Lee', timezone: 'Europe/Berlin' }, id));
    await send(track('Product Added', { cart_id: cart, product_id: 'p-1', name: 'Mug', price: 12, quantity: 2 }, id));
    const workflowId = journeyWorkflowId('abandoned-cart', id, cart);
    await journeyStarted(id, workflowId);
    return workflowId;
  }

  let seq = 0;
  async function message(customer: string, at: number, subject: string | null, events: string[] = []) {
    const { rows } = await db.pool().query<{ id: string }>(
      `INSERT INTO messages (idempotency_key, customer_id, journey, step, template, status, subject, created_at, sent_at)
       VALUES ($1, $2, 'abandoned-cart', 'reminder', 'cart-reminder', 'sent', $3, $4, $5) RETURNING id`,
      [`admin-key-${++seq}`, customer, subject, new Date(at), new Date(at + M)],
    );
    for (const [i, type] of events.entries()) {
      await db
        .pool()
        .query('INSERT INTO message_events (message_id, type, occurred_at) VALUES ($1, $2, $3)', [
          rows[0].id,
          type,
          new Date(at + (i + 2) * M),
        ]);
    }
    return Number(rows[0].id);
  }

  it('shows a customer whose workflow cannot answer (no worker runs it) within seconds, with no state', async () => {
    await db.pool().query(`INSERT INTO customers (id, email) VALUES ('adm-waiting', 'w@example.test')`);
    // Started where no worker polls: its first workflow task never runs, so it cannot be queried.
    await env().client.workflow.start('customer', {
      workflowId: customerWorkflowId('adm-waiting'),
      taskQueue: 'no-worker-polls-this',
      args: [{ customerId: 'adm-waiting' }],
    });
    const res = await request(app).get('/v1/customers/adm-waiting');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ profile: { id: 'adm-waiting' }, state: null, journeys: [] });
    await env().client.workflow.getHandle(customerWorkflowId('adm-waiting')).terminate('test over');
  });

  it('shows a customer: profile, workflow state, running journeys and the last messages', async () => {
    const journey = await customerWithCart('adm-1', 'Ann@Example.test', 'cart-1');
    const older = await message('adm-1', T0, 'Your cart misses you');
    const newer = await message('adm-1', T0 + H, 'Ann, still thinking?', ['delivered', 'opened']);

    const res = await request(app).get('/v1/customers/adm-1');
    expect(res.status).toBe(200);
    const view = await env().client.workflow.getHandle(journey).query(journeyStateQuery);
    expect(view).toMatchObject({ journey: 'abandoned-cart', key: 'cart-1', running: true, sent: [] });
    const state = await customerState('adm-1');
    expect(Object.keys(state.running)).toContain(journey);
    expect(res.body).toEqual({
      pending: { count: 0, events: [] },
      location: null, // no event of theirs said where they were
      segments: [],
      profile: {
        id: 'adm-1',
        email: 'ann@example.test', // stored normalised
        firstName: 'Ann',
        lastName: 'Lee',
        locale: null,
        timezone: 'Europe/Berlin',
        frequency: 'normal',
        pausedUntil: null,
      },
      state: json(state),
      journeys: expect.arrayContaining([{ workflowId: journey, status: 'RUNNING', ...(json(view) as object) }]),
      messages: [
        {
          id: newer,
          ...cartReminderSent,
          subject: 'Ann, still thinking?',
          createdAt: iso(T0 + H),
          sentAt: iso(T0 + H + M),
          events: [
            { type: 'delivered', url: null, occurredAt: iso(T0 + H + 2 * M), machine: null },
            { type: 'opened', url: null, occurredAt: iso(T0 + H + 3 * M), machine: null },
          ],
        },
        expect.objectContaining({ id: older, subject: 'Your cart misses you', events: [] }),
      ],
    });
    expect(res.body.journeys).toHaveLength(Object.keys(state.running).length);
    expect(res.body.state).toMatchObject({ customerId: 'adm-1', eventsProcessed: 2 });
  });

  it('shows at most the last 20 messages', async () => {
    await db.pool().query(`INSERT INTO customers (id) VALUES ('adm-many')`);
    for (let i = 0; i < 25; i++) await message('adm-many', T0 + i * M, `m${i}`);
    const res = await request(app).get('/v1/customers/adm-many');
    expect(res.status).toBe(200);
    expect(res.body.messages.map((m: { subject: string }) => m.subject)).toEqual(
      Array.from({ length: 20 }, (_, i) => `m${24 - i}`),
    );
  });

  it('shows a profile without a workflow, and 404 when there is neither', async () => {
    await db.pool().query(`INSERT INTO customers (id, email) VALUES ('adm-row', 'row@example.test')`);
    const res = await request(app).get('/v1/customers/adm-row');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      pending: { count: 0, events: [] },
      location: null,
      segments: [],
      profile: {
        id: 'adm-row',
        email: 'row@example.test',
        firstName: null,
        lastName: null,
        locale: null,
        timezone: null,
        frequency: 'normal',
        pausedUntil: null,
      },
      state: null,
      journeys: [],
      messages: [],
    });
    const missing = await request(app).get('/v1/customers/nobody');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: 'not_found', message: 'No customer nobody' } });
  });

  it('shows a journey that ended without telling its customer with its workflow status', async () => {
    const journey = await customerWithCart('adm-3', 'c@example.test', 'cart-3');
    await env().client.workflow.getHandle(journey).terminate('test');
    const ended = await request(app).get('/v1/customers/adm-3');
    expect(ended.status).toBe(200);
    expect(ended.body.journeys).toContainEqual(
      expect.objectContaining({ workflowId: journey, status: 'TERMINATED', key: 'cart-3' }),
    );

    expect((await customerState('adm-3')).running[journey]).toBeDefined(); // still listed by the customer
  });

  it('lists the recipient history, newest first, limit 1..500 (100 by default)', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await message('adm-4', T0 + i * H, `s${i}`));
    const all = await request(app).get('/v1/customers/adm-4/messages');
    expect(all.status).toBe(200);
    expect(all.body.messages.map((m: { id: number }) => m.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(all.body.messages[0]).toEqual({
      id: ids[2],
      ...cartReminderSent,
      subject: 's2',
      createdAt: iso(T0 + 2 * H),
      sentAt: iso(T0 + 2 * H + M),
      events: [],
    });
    const two = await request(app).get('/v1/customers/adm-4/messages?limit=2');
    expect(two.body.messages.map((m: { id: number }) => m.id)).toEqual([ids[2], ids[1]]);
    expect((await request(app).get('/v1/customers/adm-4/messages?limit=500')).status).toBe(200);
    const none = await request(app).get('/v1/customers/nobody/messages');
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ messages: [] });

    for (const bad of ['0', '501', 'abc', '1.5', '-1', '', '1e2', '1000']) {
      const res = await request(app).get(`/v1/customers/adm-4/messages?limit=${bad}`);
      expect([bad, res.status, res.body]).toEqual([
        bad,
        400,
        invalid('limit must be a whole number from 1 to 500', 'limit'),
      ]);
    }
    const twice = await request(app).get('/v1/customers/adm-4/messages?limit=1&limit=2');
    expect(twice.status).toBe(400);
    expect(twice.body).toEqual(invalid('limit must be a whole number from 1 to 500', 'limit'));
  });

  it('erases a customer: workflows ended, personal data deleted, the address never mailed again', async () => {
    const pool = db.pool();
    const journey = await customerWithCart('adm-2', ' Ann.Lee@Example.test', 'cart-2');
    const msg = await message('adm-2', T0, 'Ann, your cart', ['opened']);
    await pool.query(
      `INSERT INTO subscriptions (customer_id, topic, status) VALUES ('adm-2', 'marketing', 'subscribed')`,
    );
    await pool.query(`INSERT INTO groups (name) VALUES ('vip')`);
    await pool.query(`INSERT INTO group_members (group_name, customer_id) VALUES ('vip', 'adm-2')`);
    await pool.query(`INSERT INTO back_in_stock_requests (product_id, customer_id) VALUES ('p-9', 'adm-2')`);
    await pool.query(
      `INSERT INTO orders (id, customer_id, total, completed_at) VALUES ('o-adm-2', 'adm-2', 10, now());
       INSERT INTO order_items (customer_id, order_id, product_id) VALUES ('adm-2', 'o-adm-2', 'p-1')`,
    );
    // Someone else's data stays.
    await pool.query(`INSERT INTO group_members (group_name, customer_id) VALUES ('vip', 'adm-other')`);
    expect((await pool.query(`SELECT 1 FROM cart_items WHERE cart_id = 'cart-2'`)).rowCount).toBe(1);

    const res = await request(app).delete('/v1/customers/adm-2');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    expect(await status(customerWorkflowId('adm-2'))).toBe('TERMINATED');
    expect(await status(journey)).toBe('TERMINATED');
    const left = async (sql: string) => (await pool.query(sql)).rowCount;
    expect(await left(`SELECT 1 FROM customers WHERE id = 'adm-2'`)).toBe(0);
    expect(await left(`SELECT 1 FROM subscriptions WHERE customer_id = 'adm-2'`)).toBe(0);
    expect(await left(`SELECT 1 FROM events WHERE customer_id = 'adm-2'`)).toBe(0);
    expect(await left(`SELECT 1 FROM carts WHERE customer_id = 'adm-2'`)).toBe(0);
    expect(await left(`SELECT 1 FROM cart_items WHERE cart_id = 'cart-2'`)).toBe(0);
    expect(await left(`SELECT 1 FROM orders WHERE customer_id = 'adm-2'`)).toBe(0);
    expect(await left(`SELECT 1 FROM order_items WHERE order_id = 'o-adm-2'`)).toBe(0);
    expect(await left(`SELECT 1 FROM group_members WHERE customer_id = 'adm-2'`)).toBe(0);
    expect(await left(`SELECT 1 FROM group_members WHERE customer_id = 'adm-other'`)).toBe(1);
    expect(await left(`SELECT 1 FROM back_in_stock_requests WHERE customer_id = 'adm-2'`)).toBe(0);
    // Messages stay for the statistics, without their subject; their events too.
    const kept = await pool.query(`SELECT id::int, subject FROM messages WHERE customer_id = 'adm-2'`);
    expect(kept.rows).toEqual([{ id: msg, subject: null }]);
    expect(await left(`SELECT 1 FROM message_events WHERE message_id = ${msg}`)).toBe(1);
    // Only the hash of the address is kept, as an 'erased' suppression.
    const suppressions = await pool.query('SELECT email_hash, reason FROM suppressions');
    expect(suppressions.rows).toEqual([{ email_hash: emailHash('ann.lee@example.test'), reason: 'erased' }]);
    expect(JSON.stringify(suppressions.rows)).not.toMatch(/ann/i);

    // A new customer with the same address (written differently) is never mailed.
    await send(identify({ email: 'ANN.LEE@example.test' }, 'adm-2-again'));
    const again = await getProfile(pool, 'adm-2-again');
    expect(again?.email).toBe('ann.lee@example.test'); // stored normalised
    expect(await isSuppressed(pool, again!.email!)).toBe(true);
    expect(await suppressionReason(pool, again!.email!)).toBe('erased');

    // Nothing left to show or erase.
    const gone = await request(app).get('/v1/customers/adm-2');
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ error: { code: 'not_found', message: 'No customer adm-2' } });
    const twice = await request(app).delete('/v1/customers/adm-2');
    expect(twice.status).toBe(404);
    expect(twice.body).toEqual({ error: { code: 'not_found', message: 'Nothing to erase for customer adm-2' } });
  });

  it('answers 404 when erasing a customer that never existed', async () => {
    const res = await request(app).delete('/v1/customers/never-seen');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'Nothing to erase for customer never-seen' } });
  });

  it('erases a customer without an email address, suppressing nothing', async () => {
    await send(track('Page Viewed', {}, 'adm-anon'));
    const res = await request(app).delete('/v1/customers/adm-anon');
    expect(res.status).toBe(204);
    expect(await status(customerWorkflowId('adm-anon'))).toBe('TERMINATED');
    expect((await db.pool().query(`SELECT 1 FROM events WHERE customer_id = 'adm-anon'`)).rowCount).toBe(0);
    expect((await db.pool().query(`SELECT 1 FROM customers WHERE id = 'adm-anon'`)).rowCount).toBe(0);
  });
});

describe('admin API: journey statistics', () => {
  const db = useMigratedPostgres();
  // The statistics never touch Temporal.
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  let app: Express;
  afterAll(() => temporal.connection.close());

  let seq = 0;
  async function message(
    customer: string,
    journey: string,
    step: string,
    at: number,
    opts: { variant?: string; holdout?: boolean; events?: [string, number][] } = {},
  ) {
    const status = opts.holdout ? 'holdout' : 'sent';
    const { rows } = await db.pool().query<{ id: string }>(
      `INSERT INTO messages (idempotency_key, customer_id, journey, step, template, variant, holdout, status, created_at, sent_at)
       VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [
        `stats-${++seq}`,
        customer,
        journey,
        step,
        opts.variant ?? null,
        opts.holdout ?? false,
        status,
        new Date(at),
        status === 'sent' ? new Date(at + M) : null,
      ],
    );
    for (const [type, when] of opts.events ?? []) {
      await db
        .pool()
        .query('INSERT INTO message_events (message_id, type, occurred_at) VALUES ($1, $2, $3)', [
          rows[0].id,
          type,
          new Date(when),
        ]);
    }
  }

  beforeAll(async () => {
    app = buildApp(db.pool(), temporal);
    await message('s-1', 'welcome', 'intro', T0, {
      events: [
        ['opened', T0 + 10 * M],
        ['opened', T0 + 20 * M],
        ['clicked', T0 + 30 * M],
      ],
    });
    await message('s-2', 'welcome', 'intro', T0, { events: [['bounced', T0 + 2 * M]] });
    await message('s-3', 'welcome', 'intro', T0, { holdout: true });
    await message('s-1', 'welcome', 'follow-up', T0 + H, { variant: 'b' });
    await message('s-2', 'promo', 'offer', T0 + D);
    // s-1 orders 90 minutes after clicking; s-3, held out, orders too.
    await db.pool().query(
      `INSERT INTO orders (id, customer_id, total, revenue, completed_at) VALUES
         ('o-1', 's-1', 55, 50, $1), ('o-2', 's-3', 20, 20, $2)`,
      [new Date(T0 + 2 * H), new Date(T0 + 3 * H)],
    );
  });

  /** The email channel of a journey that sent only emails: its totals again. */
  const emailOf = (totals: object) => ({ channel: 'email', ...totals });
  const welcomeHoldout = {
    holdoutCustomers: 1,
    holdoutConversions: 1,
    holdoutConversionRate: 1,
    treatedCustomers: 2,
    treatedConversions: 1,
    treatedConversionRate: 0.5,
    lift: -0.5,
  };
  const welcomeTotals = {
    ...noStats,
    sent: 3,
    delivered: 2,
    opens: 2,
    uniqueOpens: 1,
    clicks: 1,
    uniqueClicks: 1,
    bounces: 1,
    heldOut: 1,
    conversions: 1,
    revenue: 50,
    openRate: 0.5,
    clickRate: 0.5,
    firstActivityAt: iso(T0),
    lastActivityAt: iso(T0 + H + M),
  };
  const welcome = { journey: 'welcome', ...welcomeTotals, channels: [emailOf(welcomeTotals)], holdout: welcomeHoldout };
  const promoTotals = {
    ...noStats,
    sent: 1,
    delivered: 1,
    openRate: 0,
    clickRate: 0,
    firstActivityAt: iso(T0 + D),
    lastActivityAt: iso(T0 + D + M),
  };
  const promo = {
    journey: 'promo',
    ...promoTotals,
    channels: [emailOf(promoTotals)],
    holdout: {
      holdoutCustomers: 0,
      holdoutConversions: 0,
      holdoutConversionRate: null,
      treatedCustomers: 1,
      treatedConversions: 0,
      treatedConversionRate: 0,
      lift: null,
    },
  };

  it('reports every journey, by name, with a 7-day window by default', async () => {
    const res = await request(app).get('/v1/stats/journeys');
    expect(res.status).toBe(200);
    // Every journey together, by channel: all emails here.
    const emails = emailOf({
      ...welcomeTotals,
      sent: 4,
      delivered: 3,
      openRate: 1 / 3,
      clickRate: 1 / 3,
      lastActivityAt: iso(T0 + D + M),
    });
    expect(res.body).toEqual({ journeys: [promo, welcome], channels: [emails] });
    expect((await request(app).get('/v1/stats/journeys?window=7%20days')).body).toEqual(res.body);
  });

  it('takes a shorter window: the order 90 minutes after the click no longer counts', async () => {
    const res = await request(app).get('/v1/stats/journeys?window=1%20hour');
    expect(res.status).toBe(200);
    const lateOrder = { conversions: 0, revenue: 0 };
    expect(res.body).toEqual({
      channels: [expect.objectContaining({ channel: 'email', sent: 4, ...lateOrder })],
      journeys: [
        promo,
        {
          ...welcome,
          ...lateOrder,
          channels: [emailOf({ ...welcomeTotals, ...lateOrder })],
          holdout: {
            ...welcomeHoldout,
            holdoutConversions: 0,
            holdoutConversionRate: 0,
            lift: null, // the order came within an hour of the follow-up: treated still converted
          },
        },
      ],
    });
  });

  it("reports one journey's steps and variants", async () => {
    const res = await request(app).get('/v1/stats/journeys/welcome?window=2d');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      journey: 'welcome',
      steps: [
        {
          step: 'intro',
          variant: null,
          channel: 'email',
          ...welcomeTotals,
          sent: 2,
          delivered: 1,
          openRate: 1,
          clickRate: 1,
          lastActivityAt: iso(T0 + 30 * M),
        },
        {
          step: 'follow-up',
          variant: 'b',
          channel: 'email',
          ...noStats,
          sent: 1,
          delivered: 1,
          openRate: 0,
          clickRate: 0,
          firstActivityAt: iso(T0 + H),
          lastActivityAt: iso(T0 + H + M),
        },
      ],
      channels: [emailOf(welcomeTotals)],
      holdout: welcomeHoldout,
    });
  });

  it('answers 404 for a journey without messages', async () => {
    const res = await request(app).get('/v1/stats/journeys/nothing-sent');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'No messages for journey nothing-sent' } });
  });

  it('answers 400 for a window that is not a positive duration', async () => {
    const message = 'window must be a positive duration such as "7 days", at most 3650 days';
    for (const bad of ['soon', '-1%20day', '0', '', '0.1ms', '3651%20days', 'window=1d&window=2d']) {
      for (const path of ['/v1/stats/journeys', '/v1/stats/journeys/welcome']) {
        const query = bad.startsWith('window=') ? bad : `window=${bad}`;
        const res = await request(app).get(`${path}?${query}`);
        expect([path, bad, res.status, res.body]).toEqual([path, bad, 400, invalid(message, 'window')]);
      }
    }
  });
});
