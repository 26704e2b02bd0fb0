import crypto from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/dev/webhook-receiver';

const SECRET = `whsec_${crypto.randomBytes(24).toString('base64')}`;

let receiver: WebhookReceiver;
let custom: WebhookReceiver;
const logged: string[] = [];
const askedAbout: string[] = [];

/** Sends as our webhook step would: a Standard Webhooks signature over the exact body. */
async function send(
  url: string,
  payload: unknown,
  opts: { id?: string; secret?: string; tamper?: (body: string) => string } = {},
) {
  const id = opts.id ?? `msg_${crypto.randomUUID()}`;
  const sentAt = new Date();
  const body = JSON.stringify(payload);
  const signature = new Webhook(opts.secret ?? SECRET).sign(id, sentAt, body);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': signature,
    },
    body: opts.tamper ? opts.tamper(body) : body,
  });
  return { id, status: res.status, answer: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  receiver = await startWebhookReceiver({ port: 0, secret: SECRET, log: (line) => logged.push(line) });
  custom = await startWebhookReceiver({
    port: 0,
    secret: SECRET,
    respond: (call) => {
      askedAbout.push(call.id);
      return call.path === '/hooks/crm' ? { status: 409, body: { error: 'contact exists', seen: call.id } } : undefined;
    },
  });
});

afterAll(async () => {
  await receiver?.stop();
  await custom?.stop();
});

describe('a verified call', () => {
  it('under /coupons gets a coupon, and the call is kept verified', async () => {
    const payload = { customerId: 'c-1', journey: 'win-back' };
    const { id, status, answer } = await send(`${receiver.url}/hooks/coupons`, payload);

    expect(status).toBe(201);
    expect(answer).toEqual({ code: expect.stringMatching(/^SAVE-[A-Z]{6}$/), percentOff: 10 });
    expect(receiver.calls()[0]).toMatchObject({
      id,
      path: '/hooks/coupons',
      body: payload,
      verified: true,
      duplicate: false,
      answeredStatus: 201,
    });
    expect(receiver.calls()[0].error).toBeUndefined();
    expect(logged).toContain('[webhook] POST /hooks/coupons: verified, 201');
  });

  it('retried with the same webhook-id gets the same coupon and is flagged a duplicate', async () => {
    const first = await send(`${receiver.url}/hooks/coupons`, { customerId: 'c-2' });
    const retry = await send(`${receiver.url}/hooks/coupons`, { customerId: 'c-2' }, { id: first.id });
    const another = await send(`${receiver.url}/hooks/coupons`, { customerId: 'c-2' });

    expect(retry.answer.code).toBe(first.answer.code);
    expect(another.answer.code).not.toBe(first.answer.code);
    const [anotherCall, retryCall, firstCall] = receiver.calls();
    expect([firstCall.duplicate, retryCall.duplicate, anotherCall.duplicate]).toEqual([false, true, false]);
    expect(retryCall.id).toBe(first.id);
    expect(logged).toContain('[webhook] POST /hooks/coupons: verified, duplicate, 201');
  });

  it('elsewhere under /hooks is acknowledged', async () => {
    const { status, answer } = await send(`${receiver.url}/hooks/crm/contacts`, { email: 'a@example.com' });
    expect(status).toBe(200);
    expect(answer).toEqual({ received: true });
  });
});

describe('a call that is not ours', () => {
  it('with a tampered body is answered 401 and kept unverified; the genuine one after it is no duplicate', async () => {
    const id = `msg_${crypto.randomUUID()}`;
    const tampered = await send(
      `${receiver.url}/hooks/coupons`,
      { percentOff: 10 },
      { id, tamper: (body) => body.replace('10', '99') },
    );

    expect(tampered.status).toBe(401);
    expect(tampered.answer.error).toEqual(expect.any(String));
    expect(receiver.calls()[0]).toMatchObject({
      id,
      body: { percentOff: 99 },
      verified: false,
      duplicate: false,
      answeredStatus: 401,
      error: expect.any(String),
    });
    expect(logged.at(-1)).toMatch(/^\[webhook\] POST \/hooks\/coupons: not verified \(.+\), 401$/);

    const genuine = await send(`${receiver.url}/hooks/coupons`, { percentOff: 10 }, { id });
    expect(genuine.status).toBe(201);
    expect(receiver.calls()[0]).toMatchObject({ id, verified: true, duplicate: false });
  });

  it('signed with another secret, or unsigned, is answered 401', async () => {
    const otherSecret = `whsec_${crypto.randomBytes(24).toString('base64')}`;
    expect((await send(`${receiver.url}/hooks/crm`, { a: 1 }, { secret: otherSecret })).status).toBe(401);

    const unsigned = await fetch(`${receiver.url}/hooks/crm`, { method: 'POST', body: 'hello' });
    expect(unsigned.status).toBe(401);
    expect(receiver.calls()[0]).toMatchObject({ body: 'hello', verified: false, id: '' });
  });
});

describe('a custom respond', () => {
  it('answers what it returns, and leaves the default answer where it returns undefined', async () => {
    const crm = await send(`${custom.url}/hooks/crm`, { email: 'a@example.com' });
    expect(crm.status).toBe(409);
    expect(crm.answer).toEqual({ error: 'contact exists', seen: crm.id });
    expect(custom.calls()[0]).toMatchObject({ path: '/hooks/crm', verified: true, answeredStatus: 409 });

    const coupon = await send(`${custom.url}/hooks/coupons`, {});
    expect(coupon.status).toBe(201);
  });

  it('is not asked about calls that fail verification', async () => {
    const forged = await send(`${custom.url}/hooks/crm`, {}, { tamper: () => '{"forged":true}' });
    expect(forged.status).toBe(401);
    expect(askedAbout).not.toContain(forged.id);
  });
});

describe('inspecting the calls', () => {
  it('lists them newest first at /api/calls', async () => {
    const listed = (await (await fetch(`${receiver.url}/api/calls`)).json()) as { receivedAt: string }[];
    expect(listed).toEqual(receiver.calls());
    const times = listed.map((c) => c.receivedAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('shows them on a page that escapes what was sent', async () => {
    await send(`${receiver.url}/hooks/crm`, { note: '<script>alert(1)</script>' });

    const page = await (await fetch(receiver.url)).text();

    expect(page).toContain('<title>Webhook calls</title>');
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('✓');
    expect(page).toContain('✗');
    expect(page).toContain('duplicate');
  });
});
