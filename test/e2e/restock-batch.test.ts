import { productWorkflowId } from '../../src/shared/signals';
import { announceRestock } from '../../src/temporal/restock';
import { untilWorkerStarted, useWorkerProcesses, WORKER_START_S } from '../helpers/killable-processes';
import { useMigratedPostgres } from '../helpers/postgres';
import { useSmtpSink, type ReceivedMail } from '../helpers/smtp-sink';
import { seedWaitingList } from '../helpers/waiting-list';
import { useDevServerEnv } from '../helpers/temporal';

// A restock announced to everyone waiting, through the real path: the production worker in a
// process of its own, the Temporal dev server, PostgreSQL and an SMTP server. The worker is killed
// with SIGKILL in the middle of a page. Everyone gets the email, no one is skipped, and a repeat
// happens only for a message inside its SMTP hand-off at the kill, with the one Message-ID
// mailbox providers collapse (docs/architecture.md, decision 4).

const CUSTOMERS = 250; // three pages, the last one short
const KILL_AT = 150; // the data of the 150th message: the middle of the second page

describe('a restock announced in batches', () => {
  const env = useDevServerEnv();
  const db = useMigratedPostgres();
  /** Recipients whose row was `sending` at the kill: the server may hold a copy the worker never heard it took. */
  const mayRepeat = new Set<string>();
  let snapshot: Promise<void> = Promise.resolve();
  const smtp = useSmtpSink({
    onReceived(_mail, count) {
      if (count !== KILL_AT) return;
      // Taken here, and the worker dies before it hears 250: a dead worker writes nothing more, so
      // the outbox read just after the kill is the outbox at the kill.
      workers.all[workers.all.length - 1].child.kill('SIGKILL');
      snapshot = db
        .pool()
        .query<{ customer_id: string }>(`SELECT customer_id FROM messages WHERE status = 'sending'`)
        .then(({ rows }) => rows.forEach((r) => mayRepeat.add(`${r.customer_id}@example.test`)));
      workers.start();
    },
  });
  const recipient = (mail: ReceivedMail) => mail.envelope.to.join(',');

  const workers = useWorkerProcesses(() => ({
    DATABASE_URL: db.url(),
    SMTP_URL: smtp.url(),
    TEMPORAL_ADDRESS: env().address,
  }));

  beforeAll(
    async () => {
      const ids = Array.from({ length: CUSTOMERS }, (_, i) => `w-${String(i).padStart(3, '0')}`);
      await seedWaitingList(db.pool(), 'boot-7', ids);
      await untilWorkerStarted(workers.start());
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
    expect(smtp.received.length).toBeGreaterThanOrEqual(KILL_AT); // the kill was aimed and fired

    const { rows } = await db
      .pool()
      .query<{ customer_id: string; status: string; journey: string; smtp_message_id: string }>(
        'SELECT customer_id, status, journey, smtp_message_id FROM messages ORDER BY customer_id',
      );
    expect(rows).toHaveLength(CUSTOMERS); // one outbox row per recipient, across the retried page
    const repeated: string[] = [];
    for (const row of rows) {
      const to = `${row.customer_id}@example.test`;
      const received = smtp.received.filter((m) => recipient(m) === to);
      expect({ to, status: row.status, journey: row.journey, arrived: received.length > 0 }).toEqual({
        to,
        status: 'sent',
        journey: 'back-in-stock',
        arrived: true, // no one skipped
      });
      expect({ to, ids: [...new Set(received.map((m) => m.messageId))] }).toEqual({ to, ids: [row.smtp_message_id] });
      if (received.length > 1) repeated.push(to);
    }
    expect(repeated.every((to) => mayRepeat.has(to))).toBe(true);
    expect(smtp.received.length).toBe(CUSTOMERS + repeated.length);
    console.log(
      `restock to ${CUSTOMERS}: ${repeated.length} sent again after the kill (${mayRepeat.size} were inside their hand-off), each with one Message-ID`,
    );

    // What a customer reads: the product, by name (its link goes through the click tracker).
    const copy = smtp.received.find((m) => recipient(m) === 'w-000@example.test')!;
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
