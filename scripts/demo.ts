// npm run demo: fills a running Journeys (npm start) with a shop, customers and a minute of
// their events, reads and clicks their emails in the inbox, and prints what happened.
// The parts are in scripts/demo/; `npm run demo -- --help` lists the flags.
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { ConfigError, loadConfig } from '../src/config/load';
import type { JourneysConfig } from '../src/config/schema';
import { Events } from '../src/shared/events';
import { DemoError, JourneysApi } from './demo/api-client';
import { catalogue, categories } from './demo/catalogue';
import { makeCustomers, type DemoCustomer } from './demo/customers';
import { clickThrough, confirmByEmail, engage, type Engagement } from './demo/engage';
import { Inbox } from './demo/inbox';
import { parseOptions, USAGE, type DemoOptions } from './demo/options';
import { Random } from './demo/random';
import { plan } from './demo/plan';
import { runStream, sleep } from './demo/stream';
import { plural, printSummary } from './demo/summary';

const phase = (text: string): void => console.log(`\n▸ ${text}`);
const bars: SingleBar[] = [];

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) return console.log(USAGE);
  const started = Date.now();
  const api = new JourneysApi({ baseUrl: options.apiUrl, writeKey: options.writeKey, adminKey: options.adminKey });
  const config = demoConfig();
  const rng = new Random(options.seed);

  phase(`Checking Journeys at ${options.apiUrl}`);
  await ensureReady(api, options);

  const products = catalogue();
  phase(`Stocking the shop: ${products.length} products in ${categories(products).length} categories`);
  const stored = await api.putProducts(products);
  console.log(`  ${stored} products stored, with their cross-sells and upsells`);

  const customers = makeCustomers(rng.fork('customers'), {
    count: options.customers,
    idPrefix: `demo-${options.seed}`,
    birthdaySendAt: config.journeys.birthday.sendAt,
  });
  phase(`${customers.length} customers: ids ${customers[0].id}...${customers[customers.length - 1].id}`);
  console.log(`  ${personas(customers)}`);

  const connection = await Inbox.connect(options.inboxUrl);
  const inbox = connection.inbox;
  if (inbox) console.log(`  Inbox: ${options.inboxUrl} (${connection.emails} emails already there)`);
  else console.log(`  Inbox not reachable (${connection.reason}): confirming addresses through the API instead`);

  const steps = plan(rng.fork('stream'), customers, products, {
    leadEvent: config.journeys.leadNurture.trigger,
    restock: config.journeys.backInStock.enabled,
  });
  const events = steps.filter((s) => 'call' in s).length;
  const span = Math.ceil(Math.max(...steps.map((s) => s.at)));
  phase(
    options.fast
      ? `Sending ${events} events at once (--fast)`
      : `Sending ${events} events over about ${span} s: sign-ups, product views, carts, orders, leads`,
  );
  const bar = progressBar('events');
  bar.start(events, 0);
  const stream = await runStream(steps, {
    api,
    fast: options.fast,
    onSent: (n) => bar.increment(n),
    confirm: (customer) => (inbox ? confirmByEmail(api, inbox, customer) : confirmByApi(api, customer)),
    clickThrough: (customer, journey) =>
      inbox ? clickThrough(api, inbox, customer, journey, options.fast ? 0 : 8000) : Promise.resolve(false),
    restock: async (sold) => {
      await api.putProducts(sold.map((p) => ({ ...p, inStock: true })));
    },
  });
  bar.stop();
  console.log(
    `  ${stream.events} events in ${plural(stream.requests, 'request')}; ${plural(stream.confirmed, 'customer')} confirmed their address`,
  );

  let engagement: Engagement | undefined;
  if (inbox) {
    phase('Reading email: opening some (the open pixel) and clicking links in some');
    if (options.fast) await sleep(3000); // let the last emails of the burst arrive
    const reading = progressBar('customers');
    reading.start(customers.length, 0);
    engagement = await engage(api, inbox, customers, options.seed, () => reading.increment());
    reading.stop();
  } else {
    phase(`Skipping opens and clicks: no inbox at ${options.inboxUrl} (set INBOX_URL if it is elsewhere)`);
  }

  const stats = await api.journeyStats().catch((err: unknown) => (err as Error).message);
  printSummary({
    seed: options.seed,
    seconds: Math.round((Date.now() - started) / 1000),
    apiUrl: options.apiUrl,
    inboxUrl: options.inboxUrl,
    smsUrl: options.smsUrl,
    webhooksUrl: options.webhooksUrl,
    temporalUiUrl: options.temporalUiUrl,
    adminKey: options.adminKey,
    customers,
    products: products.length,
    categories: categories(products).length,
    stream,
    engagement,
    inboxProblem: inbox ? undefined : connection.reason,
    stats,
    config,
  });
}

/** The configuration `npm start` runs with (JOURNEYS_CONFIG, else config/dev.json): its trigger names and times. */
function demoConfig(): JourneysConfig {
  try {
    return loadConfig(process.env.JOURNEYS_CONFIG || path.join(__dirname, '..', 'config', 'dev.json'));
  } catch (err) {
    if (err instanceof ConfigError) throw new DemoError(err.message);
    throw err;
  }
}

/** Exits with "Start the stack first" when nothing answers; waits a little for a stack still starting. */
async function ensureReady(api: JourneysApi, options: DemoOptions): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const readiness = await api.readiness();
    if (readiness.state === 'ready') return console.log('  ready: PostgreSQL and Temporal answer');
    if (readiness.state === 'unreachable') {
      throw new DemoError(
        `Start the stack first: npm start\n  (nothing answers at ${options.apiUrl}: ${readiness.reason})`,
      );
    }
    if (Date.now() > deadline) {
      throw new DemoError(`Start the stack first: npm start\n  (${options.apiUrl}/readyz says ${readiness.body})`);
    }
    console.log(`  not ready yet (${readiness.body}); waiting...`);
    await sleep(3000);
  }
}

/** Without an inbox to click in: the shop's backend reports the confirmation instead. */
async function confirmByApi(api: JourneysApi, customer: DemoCustomer): Promise<boolean> {
  await api.send([
    {
      type: 'track',
      userId: customer.id,
      event: Events.EmailConfirmed,
      messageId: `${customer.id}-confirmed`,
      properties: { source: 'demo' },
    },
  ]);
  return true;
}

function personas(customers: DemoCustomer[]): string {
  const counts = new Map<string, number>();
  for (const c of customers) counts.set(c.persona, (counts.get(c.persona) ?? 0) + 1);
  return [...counts].map(([persona, n]) => `${n} ${persona}`).join(', ');
}

function progressBar(unit: string): SingleBar {
  const bar = new SingleBar({
    format: `  {bar} {value}/{total} ${unit} | {duration}s`,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    hideCursor: true,
    // Without a terminal (CI, a log file), a line every few seconds instead of a redrawn bar.
    noTTYOutput: true,
    notTTYSchedule: 5000,
  });
  bars.push(bar);
  return bar;
}

main().catch((err: unknown) => {
  for (const bar of bars) bar.stop();
  if (err instanceof DemoError) console.error(`\n${err.message}`);
  else console.error('\nThe demo failed unexpectedly:', err);
  process.exit(1);
});
