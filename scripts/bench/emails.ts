// The email phases of `npm run bench`: order confirmations through the whole product, beside the
// two ceilings it cannot beat, measured in the same run on the same servers:
//   raw nodemailer   the same rendered email, pooled SMTP, straight to the same sink
//   trivial workflow a workflow started and finished (one workflow task), the Temporal server's pace
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { DefaultLogger } from '@temporalio/worker';
import { createMailer } from '../../src/activities/mailer';
import { announceRestock } from '../../src/temporal/restock';
import { customerWorkflowId, journeyWorkflowId } from '../../src/shared/signals';
import { createRenderer } from '../../src/templates/renderer';
import { templateData } from '../../src/templates/context';
import type { Stack } from './stack';
import { timed } from './timed';

export interface EmailBenchOptions {
  /** Orders (and so confirmations) sent through the API. */
  orders: number;
  /** Requests (and raw sends) in flight. */
  concurrency: number;
  /** Trivial workflows in flight (the server's ceiling is measured at this many). */
  workflowConcurrency: number;
  post(path: string, body: object): Promise<void>;
  /** When each recipient's email reached the sink (performance.now()). */
  mailed: Map<string, number>;
  progress(line: string): void;
}

/**
 * A back-in-stock announcement to `audience` waiting customers (put on the list with SQL, as
 * customers who asked over weeks would be): from the restock signal to the last email at the sink.
 */
export async function benchAnnouncement(stack: Stack, opts: EmailBenchOptions & { audience: number }): Promise<number> {
  const { audience, progress } = opts;
  progress(`back in stock: ${audience} customers waiting, announced in pages...`);
  const ids = Array.from({ length: audience }, (_, i) => `fan-${i}`);
  for (let i = 0; i < audience; i += 5000) {
    const slice = ids.slice(i, i + 5000);
    await stack.pool.query(
      `INSERT INTO customers (id, email) SELECT id, id || '@bench.test' FROM unnest($1::text[]) id`,
      [slice],
    );
    await stack.pool.query(
      `INSERT INTO back_in_stock_requests (product_id, customer_id) SELECT 'bench-boot', unnest($1::text[])`,
      [slice],
    );
  }
  const started = performance.now();
  await announceRestock(stack.temporal, {
    id: 'bench-boot',
    name: 'Summit Boot',
    url: 'https://shop.example/p/boot',
    soldOutSince: new Date().toISOString(),
  });
  // Counted every quarter second: the bench shares the two cores with what it measures.
  const deadline = Date.now() + 1_800_000;
  let reported = 0;
  for (;;) {
    const arrived = ids.filter((id) => opts.mailed.has(`${id}@bench.test`)).length;
    if (arrived === audience) break;
    if (Date.now() > deadline) throw new Error(`timed out: ${arrived} of ${audience} back-in-stock emails arrived`);
    if (arrived - reported >= audience / 10) progress(`  ${(reported = arrived)} of ${audience}...`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const end = Math.max(...ids.map((id) => opts.mailed.get(`${id}@bench.test`)!));
  return audience / ((end - started) / 1000);
}

export interface EmailBenchResult {
  /** The mean of the two measures of the trivial ceiling: before the orders and after them. */
  trivialPerSecond: number;
  trivialRuns: [number, number];
  rawPerSecond: number;
  emailsPerSecond: number;
  latencies: number[];
  journeyEventsPerEmail: number;
  customerEventsPerOrder: number;
  workflowTasksPerEmail: number;
  activityTasksPerEmail: number;
  /** CPU milliseconds each part spent per email, from the first order until everything was idle. */
  cpuPerEmail: Record<string, number>;
  /** The wall-clock seconds of that span. */
  seconds: number;
}

const until = async (done: () => boolean, timeoutMs: number, what: string): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** The server's pace for the least a workflow can be: started, one task, finished. */
async function trivialCeiling(stack: Stack, count: number, concurrency: number, round: string): Promise<number> {
  const taskQueue = 'bench-trivial';
  const connection = await NativeConnection.connect({ address: stack.temporalAddress });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: require.resolve('./trivial-workflow'),
      logger: new DefaultLogger('ERROR'),
    }),
  });
  const running = worker.run();
  try {
    const run = (i: number) => () =>
      stack.temporal.workflow.execute('trivial', { taskQueue, workflowId: `trivial-${round}-${i}` }) as Promise<void>;
    // The worker's first tasks load the bundle and warm its connection: not the server's pace.
    await timed(
      Array.from({ length: concurrency }, (_, i) => run(-1 - i)),
      concurrency,
    );
    const started = performance.now();
    await timed(
      Array.from({ length: count }, (_, i) => run(i)),
      concurrency,
    );
    return count / ((performance.now() - started) / 1000);
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
}

const order = (i: number) => ({
  order_id: `bench-order-${i}`,
  total: 64.9,
  currency: 'EUR',
  products: [
    { product_id: 'sku-1', name: 'Trail Sock', price: 12.95, quantity: 2 },
    { product_id: 'sku-2', name: 'Rain Shell', price: 39, quantity: 1 },
  ],
});

/** Pooled nodemailer to the same sink, the same rendered confirmation for each recipient. */
async function rawNodemailer(stack: Stack, opts: EmailBenchOptions): Promise<number> {
  const renderer = createRenderer({ defaultLocale: 'en' });
  const email = await renderer.render(
    'order-confirmation',
    'en',
    templateData(
      {
        customer: { email: 'raw@bench.test' },
        links: { unsubscribe: 'http://localhost/u/x', preferences: 'http://localhost/p/x' },
        brand: { name: 'Bench', address: 'Street 1, City', website: 'http://localhost' },
      },
      { order: { ...order(0), orderId: 'bench-order-0' } },
    ),
  );
  const mailer = createMailer(stack.smtpUrl);
  try {
    const to = (i: number) => `raw-${i}@bench.test`;
    const started = performance.now();
    await timed(
      Array.from({ length: opts.orders }, (_, i) => async () => {
        await mailer.sendMail({
          from: 'shop@bench.test',
          to: to(i),
          subject: email.subject,
          html: email.html,
          text: email.text,
        });
      }),
      opts.concurrency,
    );
    await until(() => opts.mailed.has(to(opts.orders - 1)), 30_000, 'the raw emails');
    return opts.orders / ((performance.now() - started) / 1000);
  } finally {
    mailer.close();
  }
}

async function historyLength(stack: Stack, workflowId: string): Promise<number> {
  const { raw } = await stack.temporal.workflow.getHandle(workflowId).describe();
  return Number(raw.workflowExecutionInfo?.historyLength ?? 0);
}

async function totalHistory(stack: Stack, ids: string[]): Promise<number> {
  let total = 0;
  for (const id of ids) total += await historyLength(stack, id);
  return total;
}

/**
 * `Order Completed` for customers who exist (identified, their workflows idle), through
 * `/v1/track` with the dispatcher running: from the first request to the last confirmation at the
 * sink. Then what each email cost the server: history events, workflow and activity tasks.
 */
export async function benchEmails(stack: Stack, opts: EmailBenchOptions): Promise<EmailBenchResult> {
  const { orders, concurrency, progress } = opts;
  progress(`trivial workflows: ${orders} started and finished, ${opts.workflowConcurrency} in flight...`);
  // Measured before the orders and after them, on a server then holding their histories too: one
  // short measure alone varied from 30 to 90 executions/s between runs on a busy machine.
  const trivialBefore = await trivialCeiling(stack, orders, opts.workflowConcurrency, 'before');
  progress(`raw nodemailer: ${orders} emails, ${concurrency} in flight...`);
  const rawPerSecond = await rawNodemailer(stack, opts);

  const userId = (i: number) => `buyer-${i}`;
  const address = (i: number) => `buyer-${i}@bench.test`;
  progress(`identifying ${orders} buyers...`);
  stack.dispatcher.start();
  await timed(
    Array.from(
      { length: orders },
      (_, i) => () => opts.post('/v1/identify', { userId: userId(i), traits: { email: address(i) } }),
    ),
    concurrency,
  );
  await stack.idle();
  const customers = Array.from({ length: orders }, (_, i) => customerWorkflowId(userId(i)));
  const customerEventsBefore = await totalHistory(stack, customers);
  const tasksBefore = await stack.workflowTasks();
  const activitiesBefore = await stack.activityTasks();
  const cpuBefore = stack.cpu();

  progress(`${orders} Order Completed through /v1/track, ${concurrency} in flight, to their confirmations...`);
  const sentAt = new Map<string, number>();
  const started = performance.now();
  await timed(
    Array.from({ length: orders }, (_, i) => async () => {
      sentAt.set(address(i), performance.now());
      await opts.post('/v1/track', { userId: userId(i), event: 'Order Completed', properties: order(i) });
    }),
    concurrency,
  );
  await until(() => [...sentAt.keys()].every((a) => opts.mailed.has(a)), 600_000, 'the confirmations');
  const last = Math.max(...[...sentAt.keys()].map((a) => opts.mailed.get(a)!));
  const emailsPerSecond = orders / ((last - started) / 1000);
  const latencies = [...sentAt].map(([a, at]) => opts.mailed.get(a)! - at).sort((x, y) => x - y);
  await stack.idle();
  const cpuAfter = stack.cpu();
  const seconds = (performance.now() - started) / 1000;
  await stack.dispatcher.stop();
  progress(`trivial workflows again: ${orders} started and finished, ${opts.workflowConcurrency} in flight...`);
  const trivialAfter = await trivialCeiling(stack, orders, opts.workflowConcurrency, 'after');
  const cpuPerEmail = Object.fromEntries(
    Object.entries(cpuAfter).map(([part, s]) => [
      part,
      ((s - cpuBefore[part as keyof typeof cpuBefore]) * 1000) / orders,
    ]),
  );

  const journeys = Array.from({ length: orders }, (_, i) =>
    journeyWorkflowId('post-purchase', userId(i), order(i).order_id),
  );
  return {
    trivialPerSecond: (trivialBefore + trivialAfter) / 2,
    trivialRuns: [trivialBefore, trivialAfter],
    rawPerSecond,
    emailsPerSecond,
    latencies,
    journeyEventsPerEmail: (await totalHistory(stack, journeys)) / orders,
    customerEventsPerOrder: ((await totalHistory(stack, customers)) - customerEventsBefore) / orders,
    workflowTasksPerEmail: ((await stack.workflowTasks()) - tasksBefore) / orders,
    activityTasksPerEmail: ((await stack.activityTasks()) - activitiesBefore) / orders,
    cpuPerEmail,
    seconds,
  };
}
