import path from 'node:path';
import type { Env } from '../config/env';
import type { DevSettings } from './dev-settings';
import type { DevTemporal } from './temporal-dev-server';

export interface BannerFacts {
  env: Env;
  dev: DevSettings;
  temporal: DevTemporal;
  apiUrl: string;
  inboxUrl?: string;
  /** The SMS stand-in's page of texts, and the webhook receiver's page of calls, when they run. */
  smsInboxUrl?: string;
  webhooksUrl?: string;
  /** The embedded PostgreSQL's URL; undefined when DATABASE_URL is used. */
  databaseUrl?: string;
  configFile?: string;
  writeKey: string;
  adminKey: string;
}

/** What runs where, and one command to try: short, one fact a line. */
export function banner(f: BannerFacts): string {
  const rel = (p: string) => {
    const r = path.relative(process.cwd(), p);
    return r.startsWith('..') ? p : r || '.';
  };
  const temporalUi =
    f.temporal.origin === 'started' ? `http://127.0.0.1:${f.dev.uiPort}` : 'wherever that server serves it';
  const temporalWhere = {
    started: `dev server, state in ${rel(path.join(f.dev.dataDir, 'temporal.sqlite'))}`,
    reused: 'a server that was already running; left running on exit',
    external: 'TEMPORAL_ADDRESS',
  }[f.temporal.origin];
  const overrides = Object.keys(process.env).filter((k) => k.startsWith('JOURNEYS__')).length;
  const config =
    (f.configFile ? rel(f.configFile) : 'built-in defaults (the brief’s timings)') +
    (overrides > 0 ? ` + ${overrides} JOURNEYS__ override${overrides > 1 ? 's' : ''}` : '');
  const rows: [string, string][] = [
    ['API', f.apiUrl],
    ['API docs', `${f.apiUrl}/docs`],
    ['Temporal Web UI', temporalUi],
    ['Inbox', f.inboxUrl ?? 'none: mail goes to SMTP_URL'],
    ['Texts', f.smsInboxUrl ?? 'none: texts go to Twilio (TWILIO_ACCOUNT_SID)'],
    ['Webhooks', f.webhooksUrl ?? 'none: webhook steps call the configured URLs (WEBHOOK_SECRET)'],
    ['Write key', f.writeKey],
    ['Admin key', f.adminKey],
    ['Config', config],
    [
      'Temporal',
      `${f.temporal.address}, namespace ${f.temporal.namespace}, task queue ${f.env.TEMPORAL_TASK_QUEUE} (${temporalWhere})`,
    ],
    [
      'PostgreSQL',
      f.databaseUrl ? `${f.databaseUrl} (data in ${rel(path.join(f.dev.dataDir, 'postgres'))})` : 'DATABASE_URL',
    ],
    [
      'SMTP',
      f.inboxUrl
        ? `smtp://127.0.0.1:${f.dev.smtpPort} (mail kept in ${rel(path.join(f.dev.dataDir, 'inbox'))})`
        : 'SMTP_URL',
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  const batch = JSON.stringify({
    batch: [
      { type: 'identify', userId: 'c-1', traits: { email: 'ada@example.test', first_name: 'Ada' } },
      { type: 'track', userId: 'c-1', event: 'Signed Up' },
    ],
  });
  return [
    '',
    'Journeys is running.',
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}${v}`),
    'Try (then watch the inbox):',
    `  curl -u ${f.writeKey}: -H 'Content-Type: application/json' ${f.apiUrl}/v1/batch -d '${batch}'`,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}
