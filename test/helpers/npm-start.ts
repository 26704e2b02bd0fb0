import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../src/dev/free-port';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The command of package.json's `start` script, as argv (no shell in between, so a signal to the
 * process group reaches exactly what npm start runs): `tsx src/dev/start.ts` today.
 */
export function npmStartCommand(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const script = pkg.scripts.start.trim();
  if (/[|&;<>()$`'"\\]/.test(script))
    throw new Error(`the start script needs a shell, and this helper runs it without one: ${script}`);
  const [bin, ...args] = script.split(/\s+/);
  const local = path.join(ROOT, 'node_modules', '.bin', bin);
  return [bin === 'node' ? process.execPath : fs.existsSync(local) ? local : bin, ...args];
}

/** The ports npm start takes, all free when asked for (and kept across a restart). */
export interface StackPorts {
  api: number;
  temporal: number;
  ui: number;
  postgres: number;
  smtp: number;
  inbox: number;
  sms: number;
  webhooks: number;
}

export async function freePorts(): Promise<StackPorts> {
  const ports = new Set<number>();
  while (ports.size < 8) ports.add(await freePort());
  const [api, temporal, ui, postgres, smtp, inbox, sms, webhooks] = [...ports];
  return { api, temporal, ui, postgres, smtp, inbox, sms, webhooks };
}

/**
 * The environment of a developer who runs `npm start` with nothing configured, except the data
 * folder, the ports and the journey configuration. Whatever would replace an embedded part
 * (DATABASE_URL, SMTP_URL, TEMPORAL_ADDRESS, TWILIO_*, WEBHOOK_SECRET) is removed, so every embedded part is exercised.
 */
export function stackEnv(dataDir: string, configFile: string, ports: StackPorts): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (
      /^(DATABASE_URL|SMTP_URL|TEMPORAL_|API_KEYS|ADMIN_API_KEYS|PUBLIC_URL|SIGNING_SECRET|JOURNEYS_|TWILIO_|SMS_URL|WEBHOOK_SECRET)/.test(
        k,
      )
    )
      continue;
    env[k] = v;
  }
  // The cache of provisioned servers is the one thing of ours the child shares with this run.
  if (process.env.JOURNEYS_CACHE_DIR) env.JOURNEYS_CACHE_DIR = process.env.JOURNEYS_CACHE_DIR;
  if (process.env.TEMPORAL_CLI_PATH) env.TEMPORAL_CLI_PATH = process.env.TEMPORAL_CLI_PATH;
  return {
    ...env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    JOURNEYS_DATA_DIR: dataDir,
    JOURNEYS_CONFIG: configFile,
    PORT: String(ports.api),
    JOURNEYS_DEV_TEMPORAL_PORT: String(ports.temporal),
    JOURNEYS_DEV_UI_PORT: String(ports.ui),
    JOURNEYS_DEV_POSTGRES_PORT: String(ports.postgres),
    JOURNEYS_DEV_SMTP_PORT: String(ports.smtp),
    JOURNEYS_DEV_INBOX_PORT: String(ports.inbox),
    JOURNEYS_DEV_SMS_PORT: String(ports.sms),
    JOURNEYS_DEV_WEBHOOKS_PORT: String(ports.webhooks),
  };
}

/**
 * `npm start` as a child process in a process group of its own, as a terminal runs it:
 * `interrupt()` is the developer's Ctrl-C, sent to the whole group.
 */
export class NpmStart {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitedYet = false;

  constructor(env: NodeJS.ProcessEnv) {
    const [command, ...args] = npmStartCommand();
    this.child = spawn(command, args, {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString();
      if (process.env.NPM_START_OUTPUT) process.stdout.write(chunk);
    };
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exitedYet = true;
        resolve({ code, signal });
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves once the output matches `pattern`; fails early, with the output, if the process ends. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (this.exitedYet) throw new Error(`npm start exited before printing ${pattern}:\n${this.output}`);
      if (Date.now() > deadline)
        throw new Error(`npm start did not print ${pattern} in ${timeoutMs} ms:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Ctrl-C: SIGINT to the whole process group. */
  async interrupt(timeoutMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.signalGroup('SIGINT');
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`npm start did not stop within ${timeoutMs} ms:\n${this.output}`)),
        timeoutMs,
      ).unref(),
    );
    return Promise.race([this.exited, timeout]);
  }

  /** True while any process of the group (tsx, node, the dev server, PostgreSQL) is left. */
  groupAlive(): boolean {
    try {
      process.kill(-this.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** For cleanup after a failure: Ctrl-C, then SIGKILL for whatever is left of the group. */
  async kill(): Promise<void> {
    if (!this.groupAlive()) return;
    this.signalGroup('SIGINT');
    for (let i = 0; i < 100 && this.groupAlive(); i++) await new Promise((resolve) => setTimeout(resolve, 200));
    this.signalGroup('SIGKILL');
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // the group is gone already
    }
  }
}
