import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DevStartError } from './ports';

// npm start's own variables: where its data lives and the ports of its embedded parts, each
// movable for a busy machine (and for the end-to-end test, which runs on free ports).

const portMessage = 'expected a port number from 1 to 65535';
const port = (fallback: number) =>
  z.coerce.number(portMessage).int(portMessage).min(1, portMessage).max(65535, portMessage).default(fallback);

const devEnvSchema = z.object({
  JOURNEYS_DATA_DIR: z.string().min(1).default('.data'),
  JOURNEYS_DEV_TEMPORAL_PORT: port(7233),
  JOURNEYS_DEV_UI_PORT: port(8233),
  JOURNEYS_DEV_POSTGRES_PORT: port(54329),
  JOURNEYS_DEV_SMTP_PORT: port(2525),
  JOURNEYS_DEV_INBOX_PORT: port(1080),
  JOURNEYS_DEV_SMS_PORT: port(1081),
  JOURNEYS_DEV_WEBHOOKS_PORT: port(1082),
});

export interface DevSettings {
  /** Everything npm start keeps: temporal.sqlite, postgres/, inbox/. */
  dataDir: string;
  temporalPort: number;
  uiPort: number;
  postgresPort: number;
  smtpPort: number;
  inboxPort: number;
  /** The SMS provider stand-in (Twilio's API) and its page of texts. */
  smsPort: number;
  /** The webhook receiver stand-in and its page of calls. */
  webhooksPort: number;
}

export function loadDevSettings(source: NodeJS.ProcessEnv = process.env): DevSettings {
  // An empty variable means "not set", as it does for the shell user who writes FOO= npm start.
  const set = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const result = devEnvSchema.safeParse(set);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new DevStartError(`Invalid environment:\n${lines.join('\n')}`);
  }
  const env = result.data;
  return {
    dataDir: path.resolve(env.JOURNEYS_DATA_DIR),
    temporalPort: env.JOURNEYS_DEV_TEMPORAL_PORT,
    uiPort: env.JOURNEYS_DEV_UI_PORT,
    postgresPort: env.JOURNEYS_DEV_POSTGRES_PORT,
    smtpPort: env.JOURNEYS_DEV_SMTP_PORT,
    inboxPort: env.JOURNEYS_DEV_INBOX_PORT,
    smsPort: env.JOURNEYS_DEV_SMS_PORT,
    webhooksPort: env.JOURNEYS_DEV_WEBHOOKS_PORT,
  };
}

/** The development journey configuration: short delays, so journeys can be watched as they run. */
export const DEV_CONFIG_FILE = path.resolve(__dirname, '..', '..', 'config', 'dev.json');

/** JOURNEYS_CONFIG if set, else config/dev.json if it exists, else none (the brief's defaults). */
export function devConfigFile(journeysConfig: string | undefined): string | undefined {
  if (journeysConfig) return path.resolve(journeysConfig);
  return fs.existsSync(DEV_CONFIG_FILE) ? DEV_CONFIG_FILE : undefined;
}
