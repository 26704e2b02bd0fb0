import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/api/app';
import { TASK_QUEUE } from '../../src/config/task-queue';
import { setSegments } from '../../src/db/segments';
import { backlog } from '../../src/db/dispatch';
import { eventually } from '../helpers/eventually';
import { StubActivities, testConfig, useWorker } from '../helpers/journeys';
import { useMigratedPostgres } from '../helpers/postgres';
import { useDispatcher } from '../helpers/api';
import { useDevServerEnv } from '../helpers/temporal';

const ADMIN = 'Bearer admin-key';

// Segments from outside, as an operator inspects them: events in through the API, the customer
// workflows on a real Temporal server recording their memberships in the real PostgreSQL, read
// back through the admin API and found in visibility the way the Web UI searches (`Segments = "vip"`).
describe('segments through the API and visibility', () => {
  const env = useDevServerEnv();
  const db = useMigratedPostgres();
  const config = testConfig({ journeys: { welcome: { enabled: false }, reengagement: { enabled: false } } });
  const stub = new StubActivities(env, config);
  useWorker(env, {
    workflowsPath: require.resolve('../../src/workflows'),
    // The real recording: the customer workflow writes its memberships to PostgreSQL.
    activities: () => ({
      ...stub.activities,
      recordSegments: (customerId, segments) => setSegments(db.pool(), customerId, segments, new Date()),
    }),
    taskQueue: TASK_QUEUE,
  });
  useDispatcher(() => ({ pool: db.pool(), temporal: env().client, listenUrl: db.url() }));
  let app: Express;
  beforeAll(() => {
    app = createApp({
      pool: db.pool(),
      temporal: env().client,
      apiKeys: ['write-key'],
      adminKeys: ['admin-key'],
      signingSecret: 'segments-test-signing-secret',
      segments: () => config.segments,
    });
  });

  const send = (path: string, body: object) =>
    request(app).post(path).set('Authorization', 'Bearer write-key').send(body).expect(200);
  const members = (name: string, query = '') =>
    request(app).get(`/v1/segments/${name}/customers${query}`).set('Authorization', ADMIN);

  it('lists a segment’s members from PostgreSQL a page at a time, and the Web UI finds them by Segments', async () => {
    const vips = ['vip-a', 'vip-b', 'vip-c'];
    for (const userId of vips) await send('/v1/group', { userId, groupId: 'vip', traits: { name: 'VIP club' } });
    await send('/v1/identify', { userId: 'reader-de', traits: { locale: 'de' } });
    await eventually(async () => (await backlog(db.pool())).pending === 0, 'every event delivered');
    const first = await eventually(async () => {
      const res = await members('vip', '?limit=2');
      return res.body.customers?.length === 2 && res;
    }, 'the VIPs recorded');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ segment: 'vip', next: 'vip-b' });
    expect(first.body.customers.map((c: { customerId: string }) => c.customerId)).toEqual(['vip-a', 'vip-b']);
    const second = await eventually(async () => {
      const res = await members('vip', '?limit=2&after=vip-b');
      return res.body.customers?.length === 1 && res;
    }, 'the last VIP recorded');
    expect(second.body).toMatchObject({ customers: [{ customerId: 'vip-c' }], next: null });
    // A last page exactly as long as the limit says it is the last.
    const exact = await members('vip', '?limit=3');
    expect(exact.body.customers).toHaveLength(3);
    expect(exact.body.next).toBeNull();

    const list = await request(app).get('/v1/segments').set('Authorization', ADMIN).expect(200);
    const byName = Object.fromEntries(list.body.segments.map((s: { name: string }) => [s.name, s]));
    expect(byName.vip).toEqual({ name: 'vip', condition: { group: 'vip' }, members: 3 });
    expect(byName['german-speaking'].members).toBe(1);

    const overview = await request(app).get('/v1/customers/reader-de').set('Authorization', ADMIN).expect(200);
    expect(overview.body.segments).toEqual(['german-speaking']);
    expect(overview.body.state.audience.segments).toEqual(['german-speaking']);

    // Visibility is eventually consistent: the dev server indexes the upsert shortly after.
    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const w of env().client.workflow.list({ query: 'Segments = "vip"' })) ids.push(w.workflowId);
      return ids.length === 3 && ids.sort();
    }, 'the VIPs in visibility');
    expect(found).toEqual(['customer-vip-a', 'customer-vip-b', 'customer-vip-c']);
  });

  it('answers 404 for a segment nobody defined, 400 naming a bad limit, 401 without an admin key', async () => {
    const unknown = await members('nobody');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'not_found', message: 'No segment nobody' });
    const bad = await members('vip', '?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('limit');
    const anonymous = await request(app).get('/v1/segments/vip/customers').set('Authorization', 'Bearer write-key');
    expect(anonymous.status).toBe(401);
  });
});
