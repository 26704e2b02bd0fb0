import { ApplicationFailure } from '@temporalio/common';
import { createSendEmail, type EmailDeps } from '../../src/activities/email';
import { createMailer } from '../../src/activities/mailer';
import { verifyToken } from '../../src/tracking/tokens';
import { createRenderer } from '../../src/templates/renderer';
import type { SendRequest } from '../../src/shared/journey';
import { sendOne } from '../fixtures/send-workflow';
import { testConfig } from '../helpers/journeys';
import { useMigratedPostgres } from '../helpers/postgres';
import { useSmtpSink } from '../helpers/smtp-sink';
import { useTimeSkippingEnv } from '../helpers/temporal';
import { withWorker } from '../helpers/worker';

const links = { publicUrl: 'https://mail.example.test', signingSecret: 'test-secret' };
const CART = {
  cartId: 'k-1',
  items: [{ productId: 'p-1', name: 'Trail shoes', quantity: 1, price: 120, url: 'https://shop.example/p-1' }],
};

describe('sendEmail activity (real PostgreSQL, real SMTP)', () => {
  const db = useMigratedPostgres();
  const smtp = useSmtpSink();
  const config = testConfig();
  let now = new Date('2026-11-23T10:00:00Z');
  let deps: EmailDeps;
  beforeAll(() => {
    deps = {
      pool: db.pool(),
      mailer: createMailer(smtp.url()),
      clock: () => now,
      config: () => config,
      renderer: createRenderer({ defaultLocale: 'en' }),
      links,
    };
  });
  afterAll(() => deps.mailer.close());
  beforeEach(() => smtp.reset());

  let seq = 0;
  const customer = async (fields: { locale?: string; marketing?: string; frequency?: string } = {}) => {
    const id = `c-${++seq}`;
    await db
      .pool()
      .query('INSERT INTO customers (id, email, first_name, locale, frequency) VALUES ($1, $2, $3, $4, $5)', [
        id,
        `${id}@example.test`,
        'Ada',
        fields.locale ?? 'en',
        fields.frequency ?? 'normal',
      ]);
    if (fields.marketing) {
      await db.pool().query(`INSERT INTO subscriptions VALUES ($1, 'marketing', $2)`, [id, fields.marketing]);
    }
    return id;
  };
  const request = (customerId: string, over: Partial<SendRequest> = {}): SendRequest => ({
    idempotencyKey: `journey-abandoned-cart-${customerId}/run-1/reminder-${seq}`,
    customerId,
    journey: 'abandoned-cart',
    step: 'reminder',
    template: 'cart-reminder',
    transactional: false,
    holdout: false,
    data: CART,
    ...over,
  });
  const row = async (key: string) =>
    (await db.pool().query('SELECT * FROM messages WHERE idempotency_key = $1', [key])).rows[0];

  it('sends the rendered email in the customer language, with tracked links and one-click unsubscribe', async () => {
    const id = await customer({ locale: 'de' });
    const req = request(id);
    expect(await createSendEmail(deps)(req)).toEqual({ status: 'sent' });

    const [mail] = smtp.received;
    expect(smtp.received).toHaveLength(1);
    expect(mail.to).toMatchObject({ text: `${id}@example.test` });
    expect(mail.from?.value).toEqual([{ name: 'Journeys Shop', address: 'hello@shop.example' }]);
    const message = await row(req.idempotencyKey);
    expect(message).toMatchObject({ status: 'sent', locale: 'de', subject: mail.subject });
    expect(mail.html).toContain('Trail shoes');
    // Every outside link goes through the click tracker, and carries no address.
    const hrefs = [...String(mail.html).matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    const clicks = hrefs.filter((h) => h.startsWith(`${links.publicUrl}/t/c/`));
    expect(clicks.length).toBeGreaterThan(0);
    expect(hrefs.filter((h) => h.startsWith('https://shop.example'))).toEqual([]);
    const token = clicks[0].slice(`${links.publicUrl}/t/c/`.length);
    expect(verifyToken(token, links.signingSecret)).toMatchObject({ m: Number(message.id) });
    for (const link of clicks) {
      const payload = verifyToken(link.slice(`${links.publicUrl}/t/c/`.length), links.signingSecret);
      expect(JSON.stringify(payload)).not.toContain('@'); // no address in any token
      expect(payload?.u).toMatch(/^https:\/\/shop\.example/);
    }
    expect(mail.html).toMatch(new RegExp(`${links.publicUrl}/t/o/[^"]+\\.gif`));
    // RFC 8058, as the raw header lines (mailparser folds List-* headers into one object).
    const header = (key: string) => mail.headerLines.find((h) => h.key === key)?.line.replace(/\r\n\s*/g, ' ');
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(header('list-unsubscribe')).toMatch(new RegExp(`^List-Unsubscribe: <${links.publicUrl}/u/[^>]+>$`));
    expect(mail.text).toContain('Trail shoes');
    const events = await db.pool().query('SELECT type FROM message_events WHERE message_id = $1', [message.id]);
    expect(events.rows).toEqual([{ type: 'delivered' }]);
  });

  it('sends once for one idempotency key, however often it is called', async () => {
    const id = await customer();
    const req = request(id);
    const send = createSendEmail(deps);
    // Two attempts at once (a retry overtaking a slow attempt): one sends, the other backs off.
    const both = await Promise.allSettled([send(req), send(req)]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await send(req)).toEqual({ status: 'sent' });
    expect(smtp.to(`${id}@example.test`)).toHaveLength(1);
  });

  it('stops marketing for the unsubscribed and the paused, but still sends them transactional mail', async () => {
    const id = await customer({ marketing: 'unsubscribed' });
    const send = createSendEmail(deps);
    expect(await send(request(id))).toEqual({ status: 'suppressed', reason: 'unsubscribed' });
    const receipt = request(id, {
      idempotencyKey: `${id}/confirmation`,
      template: 'order-confirmation',
      transactional: true,
      step: 'confirmation',
    });
    receipt.data = { order: { orderId: 'o-1', products: [], total: 10, currency: 'EUR' } };
    expect(await send(receipt)).toEqual({ status: 'sent' });

    const paused = await customer();
    await db
      .pool()
      .query(`UPDATE customers SET paused_until = $2 WHERE id = $1`, [paused, new Date(now.getTime() + 86400_000)]);
    expect(await send(request(paused))).toEqual({ status: 'suppressed', reason: 'paused' });
    expect(smtp.received.map((m) => m.subject)).toHaveLength(1);
  });

  it('never mails a hard-bounced address, not even transactional mail', async () => {
    const id = await customer();
    const send = createSendEmail(deps);
    smtp.rejectNext(550);
    await expect(send(request(id))).rejects.toThrow(ApplicationFailure);
    expect((await row(request(id).idempotencyKey)).status).toBe('failed');
    const receipt = request(id, { idempotencyKey: `${id}/receipt`, transactional: true });
    expect(await send(receipt)).toEqual({ status: 'suppressed', reason: 'hard-bounce' });
    expect(smtp.received).toHaveLength(0);
  });

  it('caps marketing at 3 in 7 days (1 for "fewer emails"), and says when there is room again', async () => {
    const id = await customer();
    const send = createSendEmail(deps);
    const start = now;
    for (let i = 0; i < 3; i++) {
      now = new Date(start.getTime() + i * 3600_000);
      expect(await send(request(id, { idempotencyKey: `${id}/m${i}`, step: `m${i}` }))).toEqual({ status: 'sent' });
    }
    now = new Date(start.getTime() + 5 * 3600_000);
    expect(await send(request(id, { idempotencyKey: `${id}/m3` }))).toEqual({
      status: 'capped',
      reason: 'frequency cap',
      retryAt: new Date(start.getTime() + 7 * 86400_000).toISOString(),
    });
    // Transactional mail ignores the cap; after the window the capped one goes out.
    expect(await send(request(id, { idempotencyKey: `${id}/t`, transactional: true }))).toEqual({ status: 'sent' });
    now = new Date(start.getTime() + 7 * 86400_000 + 1000);
    expect(await send(request(id, { idempotencyKey: `${id}/m3` }))).toEqual({ status: 'sent' });

    const fewer = await customer({ frequency: 'fewer' });
    expect(await send(request(fewer, { idempotencyKey: `${fewer}/a` }))).toEqual({ status: 'sent' });
    expect((await send(request(fewer, { idempotencyKey: `${fewer}/b` }))).status).toBe('capped');
    now = start;
  });

  it('records a holdout without sending, and a template missing a variable as failed', async () => {
    const id = await customer();
    const send = createSendEmail(deps);
    expect(await send(request(id, { holdout: true }))).toEqual({ status: 'holdout' });
    const broken = request(id, { idempotencyKey: `${id}/broken`, data: {} });
    await expect(send(broken)).rejects.toThrow(/cart-reminder/);
    expect((await row(broken.idempotencyKey)).status).toBe('failed');
    expect(smtp.received).toHaveLength(0);
  });

  describe('inside a worker, with Temporal retrying', () => {
    const env = useTimeSkippingEnv();

    it('sends exactly one email when the activity fails after SMTP accepted it and is retried', async () => {
      const id = await customer();
      const req = request(id);
      let crashes = 0;
      const activities = {
        sendEmail: createSendEmail({
          ...deps,
          afterSmtpAccepted: () => {
            if (crashes++ === 0) throw new Error('worker died after SMTP accepted the message');
          },
        }),
      };
      const outcome = await withWorker(
        env(),
        { workflowsPath: require.resolve('../fixtures/send-workflow'), activities },
        (taskQueue) => env().client.workflow.execute(sendOne, { args: [req], taskQueue, workflowId: `send-${id}` }),
      );
      expect(crashes).toBe(1);
      expect(outcome).toEqual({ status: 'sent' });
      expect(smtp.to(`${id}@example.test`)).toHaveLength(1);
      expect(await row(req.idempotencyKey)).toMatchObject({ status: 'sent' });
    });

    it('retries a temporary SMTP refusal (451) and sends once it clears', async () => {
      const id = await customer();
      smtp.rejectNext(451, 2);
      const outcome = await withWorker(
        env(),
        {
          workflowsPath: require.resolve('../fixtures/send-workflow'),
          activities: { sendEmail: createSendEmail(deps) },
        },
        (taskQueue) =>
          env().client.workflow.execute(sendOne, { args: [request(id)], taskQueue, workflowId: `send451-${id}` }),
      );
      expect(outcome).toEqual({ status: 'sent' });
      expect(smtp.to(`${id}@example.test`)).toHaveLength(1);
    });
  });
});
