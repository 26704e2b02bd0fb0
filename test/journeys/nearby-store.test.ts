import request from 'supertest';
import type { Express } from 'express';
import { DateTime } from 'luxon';
import { createApp } from '../../src/api/app';
import { TASK_QUEUE } from '../../src/config/task-queue';
import { backlog } from '../../src/db/dispatch';
import { upsertStores } from '../../src/db/stores';
import { nearbyStoreRule } from '../../src/journeys/nearby-store/config';
import { customerStateQuery, customerWorkflowId, journeyWorkflowId } from '../../src/shared/signals';
import type { Store } from '../../src/shared/store';
import { createRenderer } from '../../src/templates/renderer';
import { renderData } from '../fixtures/template-data';
import { useDispatcher } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { recordHistory } from '../helpers/histories';
import { StubActivities, testConfig, useWorker } from '../helpers/journeys';
import { useMigratedPostgres } from '../helpers/postgres';
import { useTimeSkippingEnv } from '../helpers/temporal';

// The whole way a location takes, on a time-skipping server: the backend's call through the API,
// the dispatcher's projection (the nearest store within the radius derives Store Nearby), the
// customer workflow, the journey and its email, with the send stubbed at the activity boundary.

const BERLIN = 'Europe/Berlin';
const MITTE: Store = {
  id: 'berlin-mitte',
  name: 'Journeys Shop Berlin-Mitte',
  address: 'Rosenthaler Straße 40, 10178 Berlin',
  latitude: 52.5249,
  longitude: 13.4022,
  timezone: BERLIN,
  openingHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], opens: '10:00', closes: '20:00' }],
};
const ALEXANDERPLATZ = { latitude: 52.52, longitude: 13.405 }; // 0.6 km from the store
const MUNICH = { latitude: 48.1374, longitude: 11.5755 };

describe('nearby-store journey', () => {
  const env = useTimeSkippingEnv();
  const db = useMigratedPostgres();
  const config = testConfig();
  const stub = new StubActivities(env, config);
  useWorker(env, {
    workflowsPath: require.resolve('../../src/workflows'),
    activities: () => stub.activities,
    taskQueue: TASK_QUEUE,
  });
  useDispatcher(() => ({ pool: db.pool(), temporal: env().client, listenUrl: db.url() }), {
    nearbyStore: nearbyStoreRule(config.journeys.nearbyStore),
  });
  let app: Express;
  beforeAll(async () => {
    app = createApp({
      pool: db.pool(),
      temporal: env().client,
      apiKeys: ['write-key'],
      adminKeys: ['admin-key'],
      signingSecret: 'nearby-store-test-secret',
    });
    await upsertStores(db.pool(), [MITTE]);
    stub.stores[MITTE.id] = MITTE;
  });
  beforeEach(() => stub.reset());

  const now = async () => Number(await env().currentTimeMs());
  /** Lets the test server's clock run on to the next `weekday` (1 = Monday) at `time` in Berlin. */
  async function until(weekday: number, time: string): Promise<void> {
    const [hour, minute] = time.split(':').map(Number);
    const from = await now();
    let at = DateTime.fromMillis(from, { zone: BERLIN }).set({ hour, minute, second: 0, millisecond: 0 });
    while (at.weekday !== weekday || at.toMillis() <= from) at = at.plus({ days: 1 }).set({ hour, minute });
    await env().sleep(at.toMillis() - from);
  }
  /** A call as the backend sends it, at the test server's time, and taken by the customer workflow. */
  let calls = 0;
  async function send(path: 'identify' | 'track', body: Record<string, unknown>): Promise<void> {
    const timestamp = new Date(await now()).toISOString();
    await request(app)
      .post(`/v1/${path}`)
      .set('Authorization', 'Bearer write-key')
      .send({ messageId: `call-${++calls}`, timestamp, ...body })
      .expect(200);
    await eventually(async () => (await backlog(db.pool())).pending === 0, 'every stored event delivered');
    const customerId = String(body.userId);
    const { rows } = await db
      .pool()
      .query('SELECT count(*)::int AS n FROM events WHERE customer_id = $1', [customerId]);
    await eventually(async () => {
      const state = await env()
        .client.workflow.getHandle(customerWorkflowId(customerId))
        .query(customerStateQuery)
        .catch(() => undefined);
      return state?.eventsProcessed === rows[0].n;
    }, `${customerId}'s events processed`);
  }
  const subscribed = async (userId: string) => {
    await send('identify', {
      userId,
      traits: { email: `${userId}@example.com`, first_name: 'Ada', timezone: 'Europe/London' },
    });
    await send('track', { userId, event: 'Email Confirmed' });
  };
  const seen = (userId: string, location: { latitude: number; longitude: number }) =>
    send('track', { userId, event: 'Application Opened', context: { location } });
  const offers = (userId: string) => stub.emailsTo(userId).filter((e) => e.journey === 'nearby-store');

  it('sends the store and the in-store offer at opening time in the store’s zone, then nothing for 30 days', async () => {
    await until(2, '08:00'); // a Tuesday morning in Berlin; the customer lives in London
    await subscribed('ada');
    await until(2, '08:30');
    await seen('ada', ALEXANDERPLATZ);
    await env().sleep('4 hours');

    const [email, ...more] = offers('ada');
    expect(more).toEqual([]);
    expect(email).toMatchObject({ step: 'offer', template: 'nearby-store', topic: 'offers', transactional: false });
    // 10:00 in Berlin, the store's opening: 09:00 in London, where the customer is.
    expect(DateTime.fromJSDate(email.at, { zone: BERLIN }).toFormat('ccc HH:mm')).toBe('Tue 10:00');
    const rendered = await createRenderer({ defaultLocale: 'en' }).render(
      email.template,
      'en',
      renderData('nearby-store', { data: email.data }),
    );
    expect(rendered.subject).toBe("You're near Journeys Shop Berlin-Mitte: 10% off in store");
    expect(rendered.text).toContain('INSTORE10');
    expect(rendered.text).toContain('Rosenthaler Straße 40, 10178 Berlin');
    expect(rendered.text).toContain('Open today 10:00–20:00');
    const journey = env().client.workflow.getHandle(journeyWorkflowId('nearby-store', 'ada'));
    await recordHistory(journey, 'nearby-store');

    // Seen near the store again two days later, and once more a week later: once per 30 days.
    await until(4, '12:00');
    await seen('ada', ALEXANDERPLATZ);
    await until(4, '12:00');
    await seen('ada', { latitude: 52.5251, longitude: 13.4025 });
    await env().sleep('1 day');
    expect(offers('ada')).toEqual([email]);
  });

  it('sends nothing when the customer is seen outside the radius of every store', async () => {
    await subscribed('bo');
    await until(3, '12:00');
    await seen('bo', MUNICH);
    await seen('bo', { latitude: 52.535, longitude: 13.4022 }); // 1.1 km north of the store
    await env().sleep('1 day');
    expect(offers('bo')).toEqual([]);
    const { rows } = await db
      .pool()
      .query(`SELECT count(*)::int AS n FROM events WHERE name = 'Store Nearby' AND customer_id = 'bo'`);
    expect(rows[0].n).toBe(0);
  });

  it('sends nothing to a customer who has not agreed to marketing', async () => {
    await send('identify', { userId: 'cy', traits: { email: 'cy@example.com' } }); // never confirmed
    await until(3, '12:00');
    await seen('cy', ALEXANDERPLATZ);
    await env().sleep('1 day');
    expect(offers('cy')).toEqual([]);
    const state = await env().client.workflow.getHandle(customerWorkflowId('cy')).query(customerStateQuery);
    expect(Object.values(state.running).map((r) => r.journey)).not.toContain('nearby-store');
  });

  it('tells nobody about a store closed for longer than it waits, and keeps the period for when it opens', async () => {
    await subscribed('di');
    await until(6, '21:00'); // Saturday night: the store opens on Monday at 10:00
    await seen('di', ALEXANDERPLATZ);
    const state = await env().client.workflow.getHandle(customerWorkflowId('di')).query(customerStateQuery);
    expect(Object.values(state.running).map((r) => r.journey)).not.toContain('nearby-store');
    expect(state.entered['nearby-store']).toBeUndefined(); // the 30 days are not spent on nothing
    await until(1, '09:30'); // seen again on Monday morning, half an hour before opening
    await seen('di', ALEXANDERPLATZ);
    await env().sleep('2 hours');
    const [email] = offers('di');
    expect(DateTime.fromJSDate(email.at, { zone: BERLIN }).toFormat('ccc HH:mm')).toBe('Mon 10:00');
  });
});
