import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import { createApp, type AppDeps } from '../../src/api/app';
import { createPool } from '../../src/db/pool';
import { useMigratedPostgres } from '../helpers/postgres';

const ADMIN = 'adm_ops';
const WRITE = 'wk_ops';

describe('API documentation and limits', () => {
  const db = useMigratedPostgres();
  let connection: Connection;
  beforeAll(() => {
    // Nothing here reaches Temporal: a client that would connect on first use is enough.
    connection = Connection.lazy({ address: '127.0.0.1:1' });
  });
  afterAll(() => connection.close());

  const app = (extra: Partial<AppDeps> = {}): Express =>
    createApp({
      pool: db.pool(),
      temporal: new Client({ connection }),
      apiKeys: [WRITE],
      adminKeys: [ADMIN, `${ADMIN}_2`],
      signingSecret: 'x'.repeat(32),
      publicUrl: 'https://journeys.example',
      log: () => {},
      ...extra,
    });

  it('serves an OpenAPI 3.1 document that validates, generated from the request schemas', async () => {
    const res = await request(app()).get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: 'https://journeys.example' }]);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/c/{token}',
      '/healthz',
      '/metrics',
      '/readyz',
      '/s/{token}',
      '/t/c/{token}',
      '/t/o/{token}.gif',
      '/u/{token}',
      '/v1/alias',
      '/v1/batch',
      '/v1/customers/{id}',
      '/v1/customers/{id}/messages',
      '/v1/group',
      '/v1/identify',
      '/v1/page',
      '/v1/products',
      '/v1/rejected-events',
      '/v1/screen',
      '/v1/segments',
      '/v1/segments/{name}/customers',
      '/v1/sms/inbound',
      '/v1/sms/status',
      '/v1/stats/journeys',
      '/v1/stats/journeys/{name}',
      '/v1/stores',
      '/v1/stores/{id}',
      '/v1/templates/{name}/preview',
      '/v1/track',
    ]);
    // The zod schema's rules, as the document states them.
    const track = doc.components.schemas.Track;
    expect(track.required).toEqual(['event']); // and a userId or an anonymousId
    expect(track.properties.userId.anyOf).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'string', minLength: 1, maxLength: 255 })]),
    );
    expect(doc.paths['/v1/track'].post.responses).toHaveProperty('429');
    expect(doc.paths['/v1/customers/{id}'].delete.responses).toHaveProperty('204');

    // The independent validator (its CLI: the package is ESM-only) checks it against the 3.1 schema.
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-')), 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    const cli = require.resolve('@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
    const { stdout } = await promisify(execFile)(process.execPath, [cli, file]);
    expect(JSON.parse(stdout)).toEqual({ valid: true });
    fs.rmSync(path.dirname(file), { recursive: true });
  });

  it('serves Swagger UI at /docs, reading /openapi.json', async () => {
    const page = await request(app()).get('/docs/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>Journeys API</title>');
    expect(page.text).toContain('swagger-ui');
    const init = await request(app()).get('/docs/swagger-ui-init.js');
    expect(init.status).toBe(200);
    expect(init.text).toContain('"url": "/openapi.json"');
    expect((await request(app()).get('/docs/swagger-ui-bundle.js')).status).toBe(200);
  });

  it('limits each key to its requests a minute: 429 with Retry-After, other keys unaffected', async () => {
    const limited = app({ rateLimitPerMinute: 3 });
    const stats = (key: string) => request(limited).get('/v1/stats/journeys').set('Authorization', `Bearer ${key}`);
    for (let i = 0; i < 3; i++) expect((await stats(ADMIN)).status).toBe(200);
    const refused = await stats(ADMIN);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.body).toEqual({
      error: { code: 'rate_limited', message: 'More than 3 requests a minute with this key' },
    });
    expect((await stats(`${ADMIN}_2`)).status).toBe(200);
    // The limit is counted after authentication: a stranger gets 401, not 429, and uses no budget.
    expect((await stats('nobody')).status).toBe(401);
  });

  it('answers 503 with Retry-After, not 500, when PostgreSQL is down under an admin call', async () => {
    const deadDatabase = createPool('postgres://journeys@127.0.0.1:1/journeys');
    const res = await request(app({ pool: deadDatabase }))
      .get('/v1/stats/journeys')
      .set('Authorization', `Bearer ${ADMIN}`);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toEqual({ error: { code: 'unavailable', message: 'The database is unavailable; retry later' } });
    await deadDatabase.end();
  });

  it('counts requests by route pattern and rejected events by reason on /metrics', async () => {
    const api = app();
    await request(api).post('/v1/track').set('Authorization', `Bearer ${WRITE}`).send({ event: 'Signed Up' });
    await request(api).post('/v1/track').set('Authorization', `Bearer ${WRITE}`).type('json').send('{oops');
    await request(api).post('/v1/track').send({ userId: 'u', event: 'x' });
    await request(api).get('/v1/customers/c-42/messages').set('Authorization', `Bearer ${ADMIN}`);
    const res = await request(api).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const lines = res.text.split('\n');
    expect(lines).toContain('journeys_events_rejected_total{reason="invalid_request"} 1');
    expect(lines).toContain('journeys_events_rejected_total{reason="malformed_json"} 1');
    expect(lines).toContain('journeys_events_rejected_total{reason="unauthorized"} 1');
    expect(lines).toContain('journeys_http_requests_total{method="POST",route="/v1/track",status="400"} 1');
    expect(lines).toContain(
      'journeys_http_requests_total{method="GET",route="/v1/customers/:id/messages",status="200"} 1',
    );
    expect(
      lines.find((l) =>
        l.startsWith('journeys_http_request_duration_seconds_count{method="GET",route="/v1/customers/:id/messages"'),
      ),
    ).toMatch(/ 1$/);
    expect(res.text).toContain('journeys_api_process_resident_memory_bytes');
  });
});
