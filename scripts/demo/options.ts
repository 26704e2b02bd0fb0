import { parseArgs } from 'node:util';
import { DemoError } from './api-client';

export interface DemoOptions {
  customers: number;
  seed: string;
  fast: boolean;
  help: boolean;
  /** The API (JOURNEYS_URL), the inbox (INBOX_URL), the Web UI (TEMPORAL_UI_URL), the keys (WRITE_KEY, ADMIN_KEY). */
  apiUrl: string;
  inboxUrl: string;
  /** npm start's SMS stand-in and webhook receiver, for the summary's links. */
  smsUrl: string;
  webhooksUrl: string;
  temporalUiUrl: string;
  writeKey: string;
  adminKey: string;
}

export const USAGE = `Usage: npm run demo -- [--customers N] [--seed S] [--fast]

Fills a running Journeys (npm start) with a shop, customers and their events, reads and clicks
their emails, and prints what happened.

  --customers N   how many customers (default 50, at most 2000)
  --seed S        another seed, other customers; the same seed, the same events (default 1)
  --fast          send everything at once instead of over about a minute

Environment: JOURNEYS_URL (default http://127.0.0.1:3000), INBOX_URL (default
http://127.0.0.1:1080), TEMPORAL_UI_URL (default http://127.0.0.1:8233), WRITE_KEY (default
dev_write_key), ADMIN_KEY (default dev_admin_key).`;

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): DemoOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        customers: { type: 'string', default: '50' },
        seed: { type: 'string', default: '1' },
        fast: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new DemoError(`${(err as Error).message}\n\n${USAGE}`);
  }
  const customers = Number(values.customers);
  if (!Number.isInteger(customers) || customers < 1 || customers > 2000) {
    throw new DemoError(`--customers must be a whole number from 1 to 2000, not "${values.customers}"`);
  }
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(values.seed)) {
    throw new DemoError(`--seed must be 1 to 40 letters, digits, "-" or "_", not "${values.seed}"`);
  }
  return {
    customers,
    seed: values.seed,
    fast: values.fast,
    help: values.help,
    apiUrl: (env.JOURNEYS_URL || 'http://127.0.0.1:3000').replace(/\/+$/, ''),
    inboxUrl: (env.INBOX_URL || 'http://127.0.0.1:1080').replace(/\/+$/, ''),
    smsUrl: `http://127.0.0.1:${env.JOURNEYS_DEV_SMS_PORT || 1081}`,
    webhooksUrl: `http://127.0.0.1:${env.JOURNEYS_DEV_WEBHOOKS_PORT || 1082}`,
    temporalUiUrl: (env.TEMPORAL_UI_URL || 'http://127.0.0.1:8233').replace(/\/+$/, ''),
    writeKey: env.WRITE_KEY || 'dev_write_key',
    adminKey: env.ADMIN_KEY || 'dev_admin_key',
  };
}
