import { createCallWebhook, type WebhookDeps } from '../../src/activities/webhook';
import { startWebhookReceiver, type WebhookAnswer, type WebhookReceiver } from '../../src/dev/webhook-receiver';
import type { WebhookRequest } from '../../src/shared/journey';
import { testConfig } from '../helpers/journeys';
import { useMigratedPostgres } from '../helpers/postgres';

const SECRET = `whsec_${Buffer.from('journeys-webhook-test-secret-32b').toString('base64')}`;

describe('callWebhook activity (real PostgreSQL, the Standard Webhooks receiver stand-in)', () => {
  const db = useMigratedPostgres();
  let receiver: WebhookReceiver;
  let deps: WebhookDeps;
  /** What the receiver answers next (undefined: its default). */
  let answer: WebhookAnswer | undefined;

  beforeAll(async () => {
    receiver = await startWebhookReceiver({ port: 0, secret: SECRET, respond: () => answer });
    deps = { pool: db.pool(), clock: () => new Date(), config: () => testConfig(), webhookSecret: SECRET };
  });
  afterAll(() => receiver.stop());
  beforeEach(() => {
    answer = undefined;
  });

  let seq = 0;
  const request = (path: string, over: Partial<WebhookRequest> = {}): WebhookRequest => ({
    idempotencyKey: `journey-abandoned-cart-c-1-k-${++seq}/run-1/tell-crm`,
    customerId: 'c-1',
    journey: 'abandoned-cart',
    step: 'tell-crm',
    url: `${receiver.url}/hooks/${path}`,
    body: { cartId: `k-${seq}`, value: 120 },
    ...over,
  });
  const row = async (key: string) =>
    (await db.pool().query('SELECT * FROM messages WHERE idempotency_key = $1', [key])).rows[0];

  it('posts a signed call that verifies with the standardwebhooks package, and hands its JSON answer on', async () => {
    const req = request('coupons');
    const outcome = await createCallWebhook(deps)(req);
    expect(outcome).toMatchObject({ status: 'sent', responseStatus: 201, response: { percentOff: 10 } });
    expect((outcome.response as { code: string }).code).toMatch(/^SAVE-[A-Z]{6}$/);

    const [call] = receiver.calls();
    expect(call).toMatchObject({ path: '/hooks/coupons', verified: true, duplicate: false });
    expect(call.body).toEqual({
      type: 'abandoned-cart.tell-crm',
      timestamp: expect.any(String),
      data: { customerId: 'c-1', journey: 'abandoned-cart', step: 'tell-crm', cartId: req.body.cartId, value: 120 },
    });
    expect(await row(req.idempotencyKey)).toMatchObject({
      channel: 'webhook',
      status: 'sent',
      response_status: 201,
      response: outcome.response,
    });
  });

  it('calls once per step: a retried or replayed step gets the stored answer without a second call', async () => {
    const req = request('crm');
    const first = await createCallWebhook(deps)(req);
    const again = await createCallWebhook(deps)(req);
    expect(again).toEqual(first);
    expect(receiver.calls().filter((c) => c.id === receiver.calls()[0].id)).toHaveLength(1);
  });

  it('retries a 5xx answer with the same webhook-id, and records a 4xx as refused for good', async () => {
    answer = { status: 503, body: { error: 'down for maintenance' } };
    const req = request('crm');
    await expect(createCallWebhook(deps)(req)).rejects.toThrow(/answered 503; retrying/);
    expect((await row(req.idempotencyKey)).status).toBe('queued');
    answer = undefined;
    expect(await createCallWebhook(deps)(req)).toMatchObject({ status: 'sent', responseStatus: 200 });
    const [retry, first] = receiver.calls();
    expect(retry).toMatchObject({ id: first.id, duplicate: true, verified: true });

    answer = { status: 422, body: { error: 'unknown cart' } };
    const refused = request('crm');
    expect(await createCallWebhook(deps)(refused)).toEqual({
      status: 'failed',
      reason: 'webhook answered 422',
      responseStatus: 422,
      response: { error: 'unknown cart' },
    });
    expect(await row(refused.idempotencyKey)).toMatchObject({ status: 'failed', response_status: 422 });
  });

  it('records a call failed, saying why, without a secret or with a URL that is not http(s)', async () => {
    const unsigned = request('crm');
    expect(await createCallWebhook({ ...deps, webhookSecret: undefined })(unsigned)).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/no WEBHOOK_SECRET/),
    });
    const notHttp = request('crm', { url: 'ftp://crm.example/hooks' });
    expect(await createCallWebhook(deps)(notHttp)).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/not an http\(s\) URL/),
    });
  });
});
