import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { freePort } from '../../src/dev/free-port';
import { cachedWorkflowsFor } from '../../src/worker/cache-size';
import { storeEvents } from '../../src/db/events';
import { journeyWorkflowId } from '../../src/shared/signals';
import { identify, track } from '../helpers/journeys';
import { useMigratedPostgres } from '../helpers/postgres';
import { useSmtpSink } from '../helpers/smtp-sink';
import { useDevServerEnv } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';

// The production entry points as an operator runs them: a process, its environment, its logs.

const ROOT = path.resolve(__dirname, '../..');
const WORKER_START_S = 300;

interface Run {
  child: ChildProcess;
  lines: string[];
  exit: Promise<number | null>;
  exited: boolean;
}

function run(entry: string, env: Record<string, string>): Run {
  // Only what we pass: a variable of the test environment must not make a bad one look good.
  // One process (no tsx launcher in between), so a signal or kill reaches the entry point itself.
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env },
  });
  const lines: string[] = [];
  // Whole lines only: a chunk may end halfway through one (a busy worker logs a lot at debug).
  const collector = () => {
    let partial = '';
    return (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop()!;
      lines.push(...parts.filter(Boolean));
    };
  };
  child.stdout!.on('data', collector());
  child.stderr!.on('data', collector());
  const r: Run = { child, lines, exited: false, exit: new Promise((resolve) => child.on('exit', resolve)) };
  void r.exit.then(() => (r.exited = true));
  return r;
}

/** The JSON log lines (pino) of a run. */
const logs = (r: Run): Record<string, unknown>[] =>
  r.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('production entry points refuse a bad environment, naming each bad variable', () => {
  it('the API', async () => {
    const api = run('src/api/main.ts', {
      PORT: 'eighty',
      DATABASE_URL: 'mysql://db/journeys',
      SIGNING_SECRET: 'short',
    });
    expect(await api.exit).toBe(1);
    const output = api.lines.join('\n');
    expect(output).toContain('Invalid environment');
    expect(output).toMatch(/PORT: .*number/);
    expect(output).toContain('DATABASE_URL: expected a postgres or postgresql URL');
    expect(output).toContain('SIGNING_SECRET: use at least 16 characters');
    expect(output).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('the API without keys', async () => {
    const api = run('src/api/main.ts', { DATABASE_URL: 'postgres://db/journeys' });
    expect(await api.exit).toBe(1);
    expect(api.lines.join('\n')).toContain('Missing environment: SIGNING_SECRET, API_KEYS, ADMIN_API_KEYS');
  });

  it('the dispatcher', async () => {
    const dispatcher = run('src/dispatcher/main.ts', { DISPATCHER_CONCURRENCY: '0' });
    expect(await dispatcher.exit).toBe(1);
    const output = dispatcher.lines.join('\n');
    expect(output).toContain('DISPATCHER_CONCURRENCY');
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('the worker', async () => {
    const worker = run('src/worker/main.ts', { SMTP_URL: 'http://mail', WORKER_MAX_CACHED_WORKFLOWS: '-1' });
    expect(await worker.exit).toBe(1);
    const output = worker.lines.join('\n');
    expect(output).toContain('SMTP_URL: expected a smtp or smtps URL');
    expect(output).toContain('WORKER_MAX_CACHED_WORKFLOWS');
  });
});

describe('the production worker and dispatcher', () => {
  const env = useDevServerEnv();
  const db = useMigratedPostgres();
  const smtp = useSmtpSink();
  const workers: Run[] = [];
  afterAll(() => {
    for (const w of workers) w.child.kill('SIGKILL');
  });
  const startWorker = (extra: Record<string, string> = {}): Run => {
    const w = run('src/worker/main.ts', {
      TEMPORAL_ADDRESS: env().address,
      DATABASE_URL: db.url(),
      SMTP_URL: smtp.url(),
      SIGNING_SECRET: 'production-test-signing-secret',
      WORKER_CACHE_MIB: '4', // a small sticky cache: workflows leave it and replay
      ...extra,
    });
    workers.push(w);
    return w;
  };
  // It bundles the workflows before it starts: seconds on an idle machine, minutes on a busy one.
  const untilStarted = async (w: Run) => {
    const started = () => {
      const line = logs(w).find((l) => l.msg === 'worker started');
      if (!line && w.exited) throw new Error('the worker exited before it started');
      return line;
    };
    try {
      return await eventually(started, 'the worker to start', WORKER_START_S);
    } catch (err) {
      throw new Error(`${(err as Error).message}; its last lines:\n${w.lines.slice(-20).join('\n')}`);
    }
  };

  it('sends journey mail, logs JSON lines with workflow ids, serves SDK metrics and drains on SIGTERM', async () => {
    const metricsPort = await freePort();
    // At debug, so the SDK's own debug lines show too (LOG_LEVEL reaches the SDK's logger).
    const worker = startWorker({ WORKER_METRICS_PORT: String(metricsPort), LOG_LEVEL: 'debug' });
    const started = await untilStarted(worker);
    expect(started).toMatchObject({ name: 'journeys-worker', taskQueue: 'journeys', namespace: 'default' });
    expect(started.maxCachedWorkflows).toBe(cachedWorkflowsFor(4)); // sized by memory

    // The events as the API stores them; a dispatcher process of its own delivers them.
    const dispatcherPort = await freePort();
    const dispatcher = run('src/dispatcher/main.ts', {
      TEMPORAL_ADDRESS: env().address,
      DATABASE_URL: db.url(),
      DISPATCHER_METRICS_PORT: String(dispatcherPort),
    });
    workers.push(dispatcher);
    await storeEvents(db.pool(), [
      { ...identify({ email: 'prod@example.test', first_name: 'Pat' }, 'prod-1'), messageId: 'p-1' },
      { ...track('Signed Up', {}, 'prod-1'), messageId: 'p-2' },
    ]);
    const mail = await eventually(() => smtp.to('prod@example.test')[0], 'the confirmation email');
    expect(mail.subject).toBe('Please confirm your email address for Journeys Shop');

    const emailLine = await eventually(() => logs(worker).find((l) => l.msg === 'email'), 'the email log line');
    expect(emailLine).toMatchObject({
      level: 30,
      workflowId: journeyWorkflowId('welcome', 'prod-1'),
      workflowType: 'welcome',
      template: 'welcome-confirm',
      status: 'sent',
    });
    expect(logs(worker).find((l) => l.msg === 'journey started' && l.journey === 'welcome')).toMatchObject({
      workflowId: 'customer-prod-1',
      journey: 'welcome',
    });
    const activityStarted = logs(worker).find(
      (l) => l.msg === 'Activity started' && l.workflowId === journeyWorkflowId('welcome', 'prod-1'),
    );
    expect(activityStarted).toMatchObject({ level: 20, workflowType: 'welcome' });

    // What the Web UI shows: the workflow's summary, and each activity's in the journey's timeline.
    const journey = env().client.workflow.getHandle(journeyWorkflowId('welcome', 'prod-1'));
    const summaries = (await journey.fetchHistory()).events!.flatMap((e) =>
      e.userMetadata?.summary ? [defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary)] : [],
    );
    expect(summaries).toEqual(expect.arrayContaining(['welcome for customer prod-1', 'confirm: welcome-confirm']));

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^temporal_workflow_completed|^temporal_workflow_task_execution_latency/m);
    expect(metrics).toMatch(/^temporal_local_activity_execution_latency_count\{activity_type="sendEmail"/m);

    worker.child.kill('SIGTERM');
    expect(await worker.exit).toBe(0);
    expect(logs(worker).map((l) => l.msg)).toContain('worker stopped');

    const dispatched = await (await fetch(`http://127.0.0.1:${dispatcherPort}/metrics`)).text();
    expect(dispatched.split('\n')).toEqual(
      expect.arrayContaining(['journeys_events_delivered_total 2', 'journeys_events_pending 0']),
    );
    expect(logs(dispatcher).find((l) => l.msg === 'dispatcher started')).toMatchObject({ name: 'journeys-dispatcher' });
    dispatcher.child.kill('SIGTERM');
    expect(await dispatcher.exit).toBe(0);
    expect(logs(dispatcher).map((l) => l.msg)).toContain('dispatcher stopped');
  }, 600_000);
});
