import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { productWorkflowId } from '../../src/shared/signals';
import { announceRestock } from '../../src/temporal/restock';
import {
  killWorker,
  startWorkerProcess,
  untilWorkerStarted,
  WORKER_START_S,
  type WorkerProcess,
} from '../helpers/killable-processes';
import { useMigratedPostgres } from '../helpers/postgres';
import { stopBeforeTeardown, useDevServerEnv } from '../helpers/temporal';

// A restock announced to everyone waiting, through the real path: the production worker in a
// process of its own, the Temporal dev server, PostgreSQL and an SMTP server. The worker is killed
// with SIGKILL in the middle of a page. Everyone gets the email, no one is skipped, and a repeat
// happens only for a message inside its SMTP hand-off at the kill, with the one Message-ID
// mailbox providers collapse (docs/architecture.md, decision 4).

const CUSTOMERS = 250; // three pages, the last one short
const KILL_AT = 150; // the data of the 150th message: the middle of the second page

interface Copy {
  to: string;
  messageId: string;
  subject: string;
  html: string;
}

describe('a restock announced in batches', () => {
  const env = useDevServerEnv();
  const db = useMigratedPostgres();
  const copies: Copy[] = [];
  /** Recipients whose row was `sending` at the kill: the server may hold a copy the worker never heard it took. */
  const mayRepeat = new Set<string>();
  const workers: WorkerProcess[] = [];
  let smtpUrl = '';
  let datas = 0;
  let snapshot: Promise<void> = Promise.resolve();

  const startWorker = (): WorkerProcess => {
    const w = startWorkerProcess({ DATABASE_URL: db.url(), SMTP_URL: smtpUrl, TEMPORAL_ADDRESS: env().address });
    workers.push(w);
    return w;
  };

  beforeAll(
    async () => {
      const server = new SMTPServer({
        authOptional: true,
        hideSTARTTLS: true,
        disableReverseLookup: true,
        logger: false,
        onData(stream, session, callback) {
          const to = session.envelope.rcptTo.map((r) => r.address).join(',');
          simpleParser(stream)
            .then((mail) => {
              copies.push({ to, messageId: mail.messageId ?? '', subject: mail.subject ?? '', html: `${mail.html}` });
              if (++datas === KILL_AT) {
                // Taken here, and the worker dies before it hears 250: a dead worker writes nothing
                // more, so the outbox read just after the kill is the outbox at the kill.
                const dying = workers[workers.length - 1];
                dying.child.kill('SIGKILL');
                snapshot = db
                  .pool()
                  .query<{ customer_id: string }>(`SELECT customer_id FROM messages WHERE status = 'sending'`)
                  .then(({ rows }) => rows.forEach((r) => mayRepeat.add(`${r.customer_id}@example.test`)));
                startWorker();
              }
              callback();
            })
            .catch(callback);
        },
      });
      server.on('error', () => undefined); // a killed worker's connections end abruptly: expected here
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      smtpUrl = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
      stopBeforeTeardown(async () => {
        await Promise.all(workers.map(killWorker));
        await new Promise<void>((resolve) => server.close(() => resolve()));
      });

      const ids = Array.from({ length: CUSTOMERS }, (_, i) => `w-${String(i).padStart(3, '0')}`);
      await db
        .pool()
        .query(`INSERT INTO customers (id, email) SELECT id, id || '@example.test' FROM unnest($1::text[]) id`, [ids]);
      await db
        .pool()
        .query(`INSERT INTO back_in_stock_requests (product_id, customer_id) SELECT 'boot-7', unnest($1::text[])`, [
          ids,
        ]);
      await untilWorkerStarted(startWorker());
    },
    (WORKER_START_S + 60) * 1000,
  );

  it('reaches every customer on the list once, in pages, across a worker killed mid-page', async () => {
    // As the API announces it (POST /v1/products, in stock again).
    await announceRestock(env().client, {
      id: 'boot-7',
      name: 'Summit Boot',
      url: 'https://shop.example/p/boot-7',
      soldOutSince: '2026-11-01T00:00:00.000Z',
    });
    const handle = env().client.workflow.getHandle(productWorkflowId('boot-7'));
    await handle.result();
    await snapshot;
    expect(datas).toBeGreaterThanOrEqual(KILL_AT); // the kill was aimed and fired

    const { rows } = await db
      .pool()
      .query<{ customer_id: string; status: string; journey: string; smtp_message_id: string }>(
        'SELECT customer_id, status, journey, smtp_message_id FROM messages ORDER BY customer_id',
      );
    expect(rows).toHaveLength(CUSTOMERS); // one outbox row per recipient, across the retried page
    const repeated: string[] = [];
    for (const row of rows) {
      const to = `${row.customer_id}@example.test`;
      const received = copies.filter((c) => c.to === to);
      expect({ to, status: row.status, journey: row.journey, arrived: received.length > 0 }).toEqual({
        to,
        status: 'sent',
        journey: 'back-in-stock',
        arrived: true, // no one skipped
      });
      expect({ to, ids: [...new Set(received.map((c) => c.messageId))] }).toEqual({ to, ids: [row.smtp_message_id] });
      if (received.length > 1) repeated.push(to);
    }
    expect(repeated.every((to) => mayRepeat.has(to))).toBe(true);
    expect(copies.length).toBe(CUSTOMERS + repeated.length);
    console.log(
      `restock to ${CUSTOMERS}: ${repeated.length} sent again after the kill (${mayRepeat.size} were inside their hand-off), each with one Message-ID`,
    );

    // What a customer reads: the product, by name (its link goes through the click tracker).
    const copy = copies.find((c) => c.to === 'w-000@example.test')!;
    expect(copy.subject).toBe('Summit Boot is back in stock');
    expect(copy.html).toContain('Summit Boot');

    // Off the list, and no workflow per customer: one activity a page.
    const { rows: left } = await db.pool().query(`SELECT 1 FROM back_in_stock_requests WHERE product_id = 'boot-7'`);
    expect(left).toHaveLength(0);
    const history = await handle.fetchHistory();
    const completed = history.events!.filter((e) => e.activityTaskCompletedEventAttributes).length;
    const signalled = history.events!.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes).length;
    expect({ completed, signalled }).toEqual({ completed: 3, signalled: 0 });
  }, 300_000);
});
