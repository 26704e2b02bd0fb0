import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { SendRequest } from '../../src/shared/journey';
import { sendOne } from '../fixtures/send-workflow';
import { useMigratedPostgres } from '../helpers/postgres';
import { stopBeforeTeardown, useDevServerEnv } from '../helpers/temporal';

// kill -9 aimed at the SMTP hand-off, through the real path: a worker process running the real send
// activity, the real Temporal dev server, PostgreSQL and an SMTP server. Nothing may be lost; a
// duplicate may happen only for a message the SMTP server had taken when the worker died (it could
// not know), and then both copies carry the one Message-ID mailbox providers collapse.

const ROOT = path.resolve(__dirname, '../..');
const CUSTOMERS = 30;

interface Copy {
  to: string;
  messageId: string;
}

describe('a worker killed during the SMTP hand-off', () => {
  const env = useDevServerEnv();
  const db = useMigratedPostgres();
  const taskQueue = `kill-${randomUUID()}`;
  const copies: Copy[] = [];
  /**
   * Recipients whose message was inside the hand-off when a kill came: its outbox row `sending`, so
   * the server may have a copy the worker never heard it took (the 250 on its way, or the data
   * still in the socket's buffers). The only ones allowed to arrive twice.
   */
  const mayRepeat = new Set<string>();
  const snapshots: Promise<void>[] = [];
  const kills: string[] = [];
  let rcpts = 0;
  let datas = 0;
  let worker: ChildProcess | undefined;
  let smtpUrl = '';

  const startWorker = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/send-worker.ts'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH!,
          HOME: process.env.HOME!,
          DATABASE_URL: db.url(),
          SMTP_URL: smtpUrl,
          TEMPORAL_ADDRESS: env().address,
          TASK_QUEUE: taskQueue,
        },
      });
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk;
        if (output.includes('ready')) resolve();
      });
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
      child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${output}`)));
      worker = child;
    });

  /**
   * kill -9 the worker now, and start another. A dead worker writes nothing more, so the outbox
   * read just after the kill is the outbox at the kill.
   */
  const killWorker = (when: string): void => {
    worker!.kill('SIGKILL');
    kills.push(when);
    snapshots.push(
      db
        .pool()
        .query<{ customer_id: string }>(`SELECT customer_id FROM messages WHERE status = 'sending'`)
        .then(({ rows }) => rows.forEach((r) => mayRepeat.add(`${r.customer_id}@example.test`))),
    );
    void startWorker();
  };

  beforeAll(async () => {
    const server = new SMTPServer({
      authOptional: true,
      hideSTARTTLS: true,
      disableReverseLookup: true,
      logger: false,
      onRcptTo(_address, _session, callback) {
        // Aimed before any data: the message has not arrived, and must still arrive, once.
        if (++rcpts === 4) killWorker('at RCPT TO of the 4th message');
        callback();
      },
      onData(stream, session, callback) {
        const to = session.envelope.rcptTo.map((r) => r.address).join(',');
        simpleParser(stream)
          .then(async (mail) => {
            copies.push({ to, messageId: mail.messageId ?? '' });
            // Aimed inside the hand-off: taken here, and the worker dies before it hears 250.
            if (++datas === 12 || datas === 20) killWorker(`after the data of message ${datas}, before 250`);
            await new Promise((r) => setTimeout(r, 100));
            callback();
          })
          .catch(callback);
      },
    });
    server.on('error', () => undefined); // a killed worker's connections end abruptly: expected here
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    smtpUrl = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    stopBeforeTeardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
    stopBeforeTeardown(async () => {
      worker?.kill('SIGKILL');
    });

    const values = Array.from({ length: CUSTOMERS }, (_, i) => `('k-${i}', 'k-${i}@example.test')`).join(', ');
    await db.pool().query(`INSERT INTO customers (id, email) VALUES ${values}`);
    await startWorker();
  }, 120_000);

  it('loses no email, and repeats one only if the worker died inside its hand-off, with the same Message-ID', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: CUSTOMERS }, (_, i) => {
        const request: SendRequest = {
          idempotencyKey: `kill/k-${i}/confirmation`,
          customerId: `k-${i}`,
          journey: 'post-purchase',
          step: 'confirmation',
          template: 'order-confirmation',
          transactional: true,
          holdout: false,
          data: { order: { orderId: `o-${i}`, products: [], total: 10, currency: 'EUR' } },
        };
        return env().client.workflow.execute(sendOne, { args: [request], taskQueue, workflowId: `kill-send-${i}` });
      }),
    );
    await Promise.all(snapshots);
    expect(outcomes).toEqual(Array(CUSTOMERS).fill({ status: 'sent', emailId: expect.any(String) }));

    const { rows } = await db
      .pool()
      .query<{ customer_id: string; status: string; smtp_message_id: string }>(
        'SELECT customer_id, status, smtp_message_id FROM messages ORDER BY id',
      );
    expect(rows.map((r) => r.status)).toEqual(Array(CUSTOMERS).fill('sent'));
    const repeated: string[] = [];
    for (const row of rows) {
      const to = `${row.customer_id}@example.test`;
      const received = copies.filter((c) => c.to === to);
      expect({ to, arrived: received.length > 0 }).toEqual({ to, arrived: true }); // nothing lost
      expect({ to, ids: [...new Set(received.map((c) => c.messageId))] }).toEqual({ to, ids: [row.smtp_message_id] });
      if (received.length > 1) repeated.push(to);
    }
    expect(kills).toHaveLength(3); // every kill was aimed and fired
    // Every repeat was a kill inside that message's hand-off, and those kills did repeat it.
    expect(repeated.every((to) => mayRepeat.has(to))).toBe(true);
    expect(repeated.length).toBeGreaterThanOrEqual(2);
    expect(repeated.length).toBeLessThanOrEqual(mayRepeat.size);
  }, 240_000);
});
