import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { journeyWorkflowId } from '../../src/shared/signals';
import { eventually } from '../helpers/eventually';
import { freePorts, NpmStart, stackEnv, type StackPorts } from '../helpers/npm-start';
import { processesMentioning } from '../helpers/processes';
import { usePostgres } from '../helpers/postgres';
import { useSmtpSink } from '../helpers/smtp-sink';
import { useDevServerEnv } from '../helpers/temporal';

// `npm start` as a developer runs it: a child process that brings up the dev server, the embedded
// PostgreSQL, MailDev, the worker and the API. Events go in through the API, the abandoned-cart
// reminders come out in MailDev's inbox, and the second one (its journey asleep across a Ctrl-C and
// a restart) arrives after the stack came back on the same data folder.
//
// DATABASE_URL (and SMTP_URL, TEMPORAL_ADDRESS) are taken out of the child's environment: the
// user path under test is the one with nothing configured, and what must survive the restart is
// the embedded PostgreSQL's data folder next to the dev server's SQLite file.

const CUSTOMER = 'npm-start-1';
const EMAIL = 'grace@example.test';
const CART = 'cart-1';
const JOURNEY = journeyWorkflowId('abandoned-cart', CUSTOMER, CART);
// How long npm start may take to come up: seconds on an idle machine (once provisioned), minutes
// on a busy one (it starts four servers and bundles the workflows). The tests' timeouts allow for it.
const STARTUP_MS = 300_000;
// First reminder soon after the cart; the second far enough out that the journey is asleep while
// the stack is stopped and started again; the lost cart told to npm start's webhook receiver soon after.
const config = {
  messaging: { quietHours: null, frequencyCap: { max: 1000, per: '1 hour' } },
  journeys: {
    abandonedCart: { firstReminderAfter: '5 seconds', secondReminderAfter: '60 seconds', lostAfter: '5 seconds' },
  },
};

interface InboxEmail {
  id: string;
  subject: string;
  to: { address: string }[];
  headers: Record<string, string | string[]>;
}

describe('npm start', () => {
  let dir: string;
  let ports: StackPorts;
  let env: NodeJS.ProcessEnv;
  const started: NpmStart[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journeys-npm-start-'));
    fs.chmodSync(dir, 0o755); // PostgreSQL runs as its own user when we are root
    const configFile = path.join(dir, 'journeys.json');
    fs.writeFileSync(configFile, JSON.stringify(config));
    ports = await freePorts();
    env = stackEnv(path.join(dir, 'data'), configFile, ports);
  });

  afterAll(async () => {
    for (const stack of started) await stack.kill(); // only does anything if a test failed midway
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const api = (p: string) => `http://127.0.0.1:${ports.api}${p}`;
  const write = async (p: string, body: object) => {
    const res = await fetch(api(p), {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('dev_write_key:').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    expect({ status: res.status, body: await res.text() }).toEqual({ status: 200, body: '{"success":true}' });
  };
  const customer = async () => {
    const res = await fetch(api(`/v1/customers/${CUSTOMER}`), { headers: { authorization: 'Bearer dev_admin_key' } });
    expect(res.status).toBe(200);
    return (await res.json()) as {
      state: { running: Record<string, unknown> } | null;
      journeys: { workflowId: string; status: string; step: string; nextWakeAt?: string }[];
      messages: { journey: string; step: string; status: string }[];
    };
  };
  const inbox = async (): Promise<InboxEmail[]> => {
    const res = await fetch(`http://127.0.0.1:${ports.inbox}/api/email`);
    expect(res.status).toBe(200);
    return (await res.json()) as InboxEmail[];
  };
  const cartMail = async (step: string) =>
    (await inbox()).filter((m) => m.headers['x-journey'] === 'abandoned-cart' && m.headers['x-journey-step'] === step);
  const start = async (): Promise<NpmStart> => {
    const stack = new NpmStart(env);
    started.push(stack);
    // The first start may provision the dev server and initialise PostgreSQL: be generous.
    await stack.waitFor(/Press Ctrl-C to stop/, STARTUP_MS);
    return stack;
  };

  /** Ctrl-C: exit code 0, and nothing left behind (processes, PostgreSQL's lock, our claim). */
  const stop = async (stack: NpmStart) => {
    const { code, signal } = await stack.interrupt();
    expect({ code, signal, output: code === 0 ? '' : stack.output }).toEqual({ code: 0, signal: null, output: '' });
    // The group (tsx, node, the dev server, the postmaster) is gone, and so is anything else
    // started on the data folder; PostgreSQL removes its lock file only on a clean shutdown.
    await eventually(async () => (stack.groupAlive() ? undefined : true), 'the process group to be gone');
    if (fs.existsSync('/proc')) expect(processesMentioning(dir)).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'data', 'postgres', 'postmaster.pid'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'data', 'npm-start.pid'))).toBe(false);
  };

  it('runs a journey, stops on Ctrl-C, and carries on with the sleeping journey after a restart', async () => {
    const first = await start();
    expect(first.output).toContain(`API              http://127.0.0.1:${ports.api}`);
    expect(first.output).toContain(`Temporal Web UI  http://127.0.0.1:${ports.ui}`);
    expect(first.output).toContain(`Inbox            http://127.0.0.1:${ports.inbox}`);
    expect(first.output).toContain(`Config           ${path.join(dir, 'journeys.json')}`);
    const page = await fetch(`http://127.0.0.1:${ports.inbox}/`, { headers: { accept: 'text/html' } });
    expect({ status: page.status, type: page.headers.get('content-type') }).toEqual({
      status: 200,
      type: expect.stringContaining('text/html'), // the web inbox (a single-page app)
    });

    await write('/v1/identify', { userId: CUSTOMER, traits: { email: EMAIL, first_name: 'Grace' } });
    // She confirmed her address (double opt-in), as the welcome series would have her do.
    await write('/v1/track', { userId: CUSTOMER, event: 'Email Confirmed' });
    await write('/v1/track', {
      userId: CUSTOMER,
      event: 'Product Added',
      properties: { cart_id: CART, product_id: 'p-7', name: 'Wanderschuh', price: 129, quantity: 1 },
    });

    const [reminder] = await eventually(
      async () => ((await cartMail('reminder')).length > 0 ? cartMail('reminder') : undefined),
      'the first reminder in the inbox',
    );
    expect(reminder.subject).toBe('You left something in your cart');
    expect(reminder.to.map((a) => a.address)).toEqual([EMAIL]);
    expect(first.output).toContain(`[mail] to ${EMAIL}: You left something in your cart`);
    // The journey sleeps until the second reminder.
    const sleeping = (await customer()).journeys.find((j) => j.workflowId === JOURNEY);
    expect(sleeping).toMatchObject({ status: 'RUNNING', step: 'waiting after reminder' });
    expect(sleeping?.nextWakeAt).toBeDefined();

    await stop(first);

    const second = await start();
    expect(second.output).not.toMatch(/earlier npm start left running/); // the first one stopped everything
    expect(await cartMail('reminder')).toHaveLength(1); // the inbox kept its mail
    const [withIncentive] = await eventually(
      async () =>
        (await cartMail('reminder-with-incentive')).length > 0 ? cartMail('reminder-with-incentive') : undefined,
      'the second reminder, after the restart',
      120,
    );
    expect(withIncentive.subject).toMatch(/^Your cart is waiting, with \d+% off$/);
    expect(withIncentive.to.map((a) => a.address)).toEqual([EMAIL]);

    // The journey finished: the customer no longer lists it, and both emails were recorded as sent.
    const after = await eventually(async () => {
      const c = await customer();
      return c.state && !(JOURNEY in c.state.running) ? c : undefined;
    }, 'the customer to see the journey finish');
    expect(after.journeys.find((j) => j.workflowId === JOURNEY)).toBeUndefined();
    expect(
      after.messages
        .filter((m) => m.journey === 'abandoned-cart')
        .map((m) => [m.step, m.status])
        .sort(),
    ).toEqual([
      ['cart-lost', 'sent'],
      ['reminder', 'sent'],
      ['reminder-with-incentive', 'sent'],
    ]);
    // The lost cart reached the local webhook receiver, signed (it verified the signature).
    const calls = (await (await fetch(`http://127.0.0.1:${ports.webhooks}/api/calls`)).json()) as {
      path: string;
      verified: boolean;
    }[];
    expect(calls).toEqual([expect.objectContaining({ path: '/hooks/crm', verified: true })]);
    expect(second.output).toContain('[webhook] POST /hooks/crm: verified');

    await stop(second);
  }, 900_000);
});

describe('npm start with TEMPORAL_ADDRESS, DATABASE_URL and SMTP_URL', () => {
  const temporal = useDevServerEnv();
  const db = usePostgres(); // an empty database: npm start applies the migrations
  const smtp = useSmtpSink();
  let dir: string;
  let stack: NpmStart | undefined;
  afterAll(async () => {
    await stack?.kill();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uses each given service instead of its embedded stand-in, and leaves them running on Ctrl-C', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journeys-npm-start-ext-'));
    const configFile = path.join(dir, 'journeys.json');
    fs.writeFileSync(configFile, JSON.stringify(config));
    const ports = await freePorts();
    stack = new NpmStart({
      ...stackEnv(path.join(dir, 'data'), configFile, ports),
      TEMPORAL_ADDRESS: temporal().address,
      DATABASE_URL: db.url(),
      SMTP_URL: smtp.url(),
    });
    await stack.waitFor(/Press Ctrl-C to stop/, STARTUP_MS);
    expect(stack.output).toContain(`Using the Temporal server at TEMPORAL_ADDRESS=${temporal().address}`);
    expect(stack.output).toMatch(/PostgreSQL +DATABASE_URL/);
    expect(stack.output).toMatch(/Inbox +none: mail goes to SMTP_URL/);
    expect(fs.existsSync(path.join(dir, 'data', 'postgres'))).toBe(false); // no embedded PostgreSQL

    const auth = `Basic ${Buffer.from('dev_write_key:').toString('base64')}`;
    const res = await fetch(`http://127.0.0.1:${ports.api}/v1/batch`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        batch: [
          { type: 'identify', userId: 'ext-1', traits: { email: 'ext@example.test', first_name: 'Ext' } },
          { type: 'track', userId: 'ext-1', event: 'Signed Up' },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const mail = await eventually(() => smtp.to('ext@example.test')[0], 'the confirmation email at SMTP_URL');
    expect(mail.subject).toBe('Please confirm your email address for Journeys Shop');
    const { rows } = await db.pool().query(`SELECT email FROM customers WHERE id = 'ext-1'`);
    expect(rows).toEqual([{ email: 'ext@example.test' }]);

    const { code } = await stack.interrupt();
    expect(code).toBe(0);
    // The server we were given still answers, with the customer's workflow on it.
    const described = await temporal().client.workflow.getHandle('customer-ext-1').describe();
    expect(described.status.name).toBe('RUNNING');
  }, 600_000);
});
