import { ApplicationFailure } from '@temporalio/common';
import { createSendEmail, type EmailDeps } from '../../src/activities/email';
import { createMailer } from '../../src/activities/mailer';
import { emailHash } from '../../src/db/suppression';
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
  /** A customer who confirmed their address (double opt-in), unless `marketing` says otherwise (null: no answer yet). */
  const customer = async (fields: { locale?: string; marketing?: string | null; frequency?: string } = {}) => {
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
    const marketing = fields.marketing === undefined ? 'subscribed' : fields.marketing;
    if (marketing) await db.pool().query(`INSERT INTO subscriptions VALUES ($1, 'marketing', $2)`, [id, marketing]);
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
    const outcome = await createSendEmail(deps)(req);
    expect(outcome).toEqual({ status: 'sent', emailId: expect.any(String) });

    const [mail] = smtp.received;
    expect(smtp.received).toHaveLength(1);
    expect(mail.to).toMatchObject({ text: `${id}@example.test` });
    expect(mail.envelope).toEqual({ from: 'hello@shop.example', to: [`${id}@example.test`] });
    expect(mail.from?.value).toEqual([{ name: 'Journeys Shop', address: 'hello@shop.example' }]);
    const message = await row(req.idempotencyKey);
    // The outcome names the message as its opens and clicks will (email_id), and so does a retry.
    expect(outcome.emailId).toBe(String(message.id));
    expect(await createSendEmail(deps)(req)).toEqual({ status: 'sent', emailId: String(message.id) });
    expect(smtp.received).toHaveLength(1);
    // The Message-ID is on the sending domain, and recorded before the hand-off (a resend reuses it).
    expect(mail.messageId).toBe(`<${message.id}.abandoned-cart@shop.example>`);
    expect(message.smtp_message_id).toBe(mail.messageId);
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
    expect(await send(req)).toEqual({ status: 'sent', emailId: expect.any(String) });
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
    expect(await send(receipt)).toEqual({ status: 'sent', emailId: expect.any(String) });

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
      expect(await send(request(id, { idempotencyKey: `${id}/m${i}`, step: `m${i}` }))).toEqual({
        status: 'sent',
        emailId: expect.any(String),
      });
    }
    now = new Date(start.getTime() + 5 * 3600_000);
    expect(await send(request(id, { idempotencyKey: `${id}/m3` }))).toEqual({
      status: 'capped',
      reason: 'frequency cap',
      retryAt: new Date(start.getTime() + 7 * 86400_000).toISOString(),
    });
    // Transactional mail ignores the cap; after the window the capped one goes out.
    expect(await send(request(id, { idempotencyKey: `${id}/t`, transactional: true }))).toEqual({
      status: 'sent',
      emailId: expect.any(String),
    });
    now = new Date(start.getTime() + 7 * 86400_000 + 1000);
    expect(await send(request(id, { idempotencyKey: `${id}/m3` }))).toEqual({
      status: 'sent',
      emailId: expect.any(String),
    });

    const fewer = await customer({ frequency: 'fewer' });
    expect(await send(request(fewer, { idempotencyKey: `${fewer}/a` }))).toEqual({
      status: 'sent',
      emailId: expect.any(String),
    });
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

  it('tracks links to exactly the URL the template produced, and lets no javascript: link or image through', async () => {
    const id = await customer();
    const url = "https://shop.example/products/o'neil-jacket?size=m&color=navy";
    const items = [
      { productId: 'p-1', name: "O'Neil jacket", quantity: 1, price: 120, url, imageUrl: 'javascript:alert(1)' },
      { productId: 'p-2', name: 'Socks', quantity: 1, price: 5, url: 'javascript:alert(document.cookie)' },
    ];
    expect(await createSendEmail(deps)(request(id, { data: { cartId: 'k-1', items } }))).toEqual({
      status: 'sent',
      emailId: expect.any(String),
    });
    const [mail] = smtp.received;
    expect(String(mail.html)).not.toMatch(/javascript:/i);
    const destinations = [...String(mail.html).matchAll(/href="[^"]*\/t\/c\/([^"]+)"/g)].map(
      (m) => verifyToken(m[1], links.signingSecret)?.u,
    );
    expect(destinations).toContain(url);
    expect(destinations.filter((u) => u?.startsWith('javascript'))).toEqual([]);
  });

  it('mails exactly the one stored address: a list, a header or a suppressed address in it sends nothing', async () => {
    const send = createSendEmail(deps);
    await db
      .pool()
      .query(`INSERT INTO suppressions (email_hash, reason) VALUES ($1, 'hard-bounce')`, [
        emailHash('bounced@example.test'),
      ]);
    // Values stored before addresses were checked at the edge (or written by hand).
    for (const stored of [
      'me@shop.test, other@elsewhere.test',
      'me@shop.test; other@elsewhere.test',
      '"Name" <me@shop.test>, other@elsewhere.test',
      'me@shop.test\r\nBcc: c@elsewhere.test',
      '"bounced@example.test", other@elsewhere.test',
    ]) {
      const id = await customer();
      await db.pool().query('UPDATE customers SET email = $2 WHERE id = $1', [id, stored]);
      expect(await send(request(id, { transactional: true }))).toEqual({
        status: 'suppressed',
        reason: 'invalid email address',
      });
    }
    // Suppression is checked on the address SMTP would receive, however it was spelt when stored.
    const id = await customer();
    await db.pool().query('UPDATE customers SET email = $2 WHERE id = $1', [id, ' Bounced@Example.TEST ']);
    expect(await send(request(id, { transactional: true }))).toEqual({ status: 'suppressed', reason: 'hard-bounce' });
    expect(smtp.received).toHaveLength(0);
  });

  it('sends unconfirmed addresses transactional mail only, until they confirm (double opt-in)', async () => {
    const id = await customer({ marketing: null });
    const send = createSendEmail(deps);
    expect(await send(request(id))).toEqual({ status: 'suppressed', reason: 'awaiting double opt-in' });
    expect(await send(request(id, { idempotencyKey: `${id}/confirm`, transactional: true }))).toEqual({
      status: 'sent',
      emailId: expect.any(String),
    });
    await db.pool().query(`INSERT INTO subscriptions VALUES ($1, 'marketing', 'subscribed')`, [id]);
    expect(await send(request(id, { idempotencyKey: `${id}/after` }))).toEqual({
      status: 'sent',
      emailId: expect.any(String),
    });
    expect(smtp.received).toHaveLength(2);

    // A shop that collects consent elsewhere turns it off: no answer yet counts as subscribed.
    const off = testConfig({ messaging: { doubleOptIn: false, quietHours: null } });
    const other = await customer({ marketing: null });
    expect(await createSendEmail({ ...deps, config: () => off })(request(other))).toEqual({
      status: 'sent',
      emailId: expect.any(String),
    });
  });

  it('records a marketing message skipped by the full frequency cap as its own outcome, with why', async () => {
    const id = await customer();
    const send = createSendEmail(deps);
    for (let i = 0; i < 3; i++) await send(request(id, { idempotencyKey: `${id}/fill${i}`, step: `fill${i}` }));
    const last = request(id, { idempotencyKey: `${id}/last`, step: 'last', skipIfCapped: true });
    expect(await send(last)).toEqual({ status: 'skipped', reason: 'frequency cap full' });
    expect(await row(last.idempotencyKey)).toMatchObject({ status: 'skipped', reason: 'frequency cap full' });
    expect(await send(last)).toEqual({ status: 'skipped', reason: 'frequency cap full' }); // final
    expect(smtp.to(`${id}@example.test`)).toHaveLength(3);
  });

  describe('inside a worker, with Temporal retrying', () => {
    const env = useTimeSkippingEnv();

    it('sends an interrupted message again, with the same Message-ID, when the attempt died after SMTP accepted it', async () => {
      const id = await customer();
      const req = request(id);
      let accepted = 0;
      const activities = {
        sendEmail: createSendEmail({
          ...deps,
          afterSmtpAccepted: () => {
            if (accepted++ === 0) throw new Error('worker died after SMTP accepted the message');
          },
        }),
      };
      const outcome = await withWorker(
        env(),
        { workflowsPath: require.resolve('../fixtures/send-workflow'), activities },
        (taskQueue) => env().client.workflow.execute(sendOne, { args: [req], taskQueue, workflowId: `send-${id}` }),
      );
      expect(accepted).toBe(2); // the first attempt died after the hand-off; the second finished
      expect(outcome).toEqual({ status: 'sent', emailId: expect.any(String) });
      // Nothing is lost: the retry cannot know SMTP took the first copy, so it sends again, and the
      // mailbox provider collapses the two by their one Message-ID, on the sender's domain.
      const copies = smtp.to(`${id}@example.test`);
      expect(copies).toHaveLength(2);
      const row_ = await row(req.idempotencyKey);
      expect(row_).toMatchObject({ status: 'sent', smtp_message_id: `<${row_.id}.abandoned-cart@shop.example>` });
      expect(copies.map((m) => m.messageId)).toEqual([row_.smtp_message_id, row_.smtp_message_id]);
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
      expect(outcome).toEqual({ status: 'sent', emailId: expect.any(String) });
      expect(smtp.to(`${id}@example.test`)).toHaveLength(1);
    });
  });
});
