import { spawn } from 'node:child_process';
import path from 'node:path';
import type { WorkflowBundle } from '@temporalio/worker';
import { freePort } from '../../src/dev/free-port';
import { Events } from '../../src/shared/events';
import { journeyWorkflowId } from '../../src/shared/signals';
import { bundleCurrentCode, checkReplay, DEFAULT_QUERY, exitCodeFor } from '../../src/temporal/replay-check';
import { runReplayCommand } from '../../src/temporal/replay-check-command';
import { formatReport } from '../../src/temporal/replay-check-report';
import { WORKFLOWS_PATH } from '../../src/worker/workflow-code';
import { eventually } from '../helpers/eventually';
import { journeyInput, startCustomer, StubActivities, track, useWorker } from '../helpers/journeys';
import { useDevServerEnv } from '../helpers/temporal';
import '../helpers/worker'; // the quiet runtime logger

// `npm run replay` on a real dev server: workflows the current code left running replay clean;
// a journey an "old release" left asleep (test/fixtures/old-release: the same workflow type,
// other commands before its first wait) is reported as one the current code would break, with
// the SDK's nondeterminism message, through the function and through the command's own process.

const ROOT = path.resolve(__dirname, '../..');
const OLD_RELEASE = require.resolve('../fixtures/old-release');
/** The child process bundles the workflow code itself: tens of seconds on a busy machine. */
const COMMAND_TIMEOUT_MS = 240_000;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `npx tsx scripts/replay.ts ...args` in its own process group (killed whole if it overruns). */
function runCommand(args: string[]): Promise<Ran> {
  const started = Date.now();
  const env = { ...process.env };
  delete env.TEMPORAL_ADDRESS;
  const child = spawn('npx', ['tsx', 'scripts/replay.ts', ...args], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const overrun = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), COMMAND_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(overrun);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('npm run replay: a cluster`s running workflows against the current code', () => {
  const env = useDevServerEnv();
  const stub = new StubActivities(env);
  const current = useWorker(env, { workflowsPath: WORKFLOWS_PATH, activities: () => stub.activities });
  const oldRelease = useWorker(env, { workflowsPath: OLD_RELEASE, activities: () => stub.activities });
  let workflowBundle: WorkflowBundle;
  beforeAll(async () => {
    workflowBundle = await bundleCurrentCode();
  }, 120_000);

  /** Until the workflow has finished its first workflow task and sleeps on a timer. */
  const asleep = (workflowId: string) =>
    eventually(async () => {
      const { events } = await env().client.workflow.getHandle(workflowId).fetchHistory();
      return events?.some((e) => e.timerStartedEventAttributes);
    }, `${workflowId} asleep on a timer`);

  /** Until the visibility store (eventually consistent) lists `n` running workflows. */
  const running = (n: number) =>
    eventually(
      async () => (await env().client.workflow.count(DEFAULT_QUERY)).count === n,
      `${n} running workflows listed`,
    );

  const customerId = 'rc-current';
  const oldId = journeyWorkflowId('browse-abandonment', 'rc-old');
  let currentJourneyId: string;

  it('finds nothing to break in a customer and its journey that the current code left running', async () => {
    const viewed = track(Events.ProductViewed, { product_id: 'p-7', name: 'Summit Boot' }, customerId);
    const customer = await startCustomer(env(), current(), customerId, viewed);
    // Read from its history, not asked by query: a query that arrives while the customer's first
    // workflow task runs its local activity can split that task in two, and such a history does
    // not replay (test/fixtures/replay-check/customer-first-task-split-by-query.json; open issue).
    currentJourneyId = await eventually(async () => {
      const { events } = await customer.fetchHistory();
      const started = events?.find((e) => e.childWorkflowExecutionStartedEventAttributes);
      return started?.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId ?? undefined;
    }, 'the browse-abandonment journey started');
    expect(currentJourneyId).toMatch(/^journey\/browse-abandonment\/rc-current/);
    await asleep(currentJourneyId);
    await running(2);

    const progress: number[] = [];
    const report = await checkReplay(env().client, {
      workflowBundle,
      onProgress: (p) => progress.push(p.downloaded),
    });
    expect(report).toMatchObject({ namespace: 'default', query: DEFAULT_QUERY, matching: 2, checked: 2, fine: 2 });
    expect(report.wouldBreak).toEqual([]);
    expect(report.gone).toEqual([]);
    expect(report.notYetRun).toEqual([]);
    expect(progress.at(-1)).toBe(2);
    expect(exitCodeFor(report)).toBe(0);
    expect(formatReport(report)).toContain('2 replayed fine.\n0 would break.');
  });

  it('names the journey an old release left asleep, with the nondeterminism, and only it', async () => {
    // The old release's worker, on its own task queue, with the same workflow type as today's.
    await env().client.workflow.start('browseAbandonment', {
      workflowId: oldId,
      taskQueue: oldRelease(),
      args: [
        journeyInput('browse-abandonment', 'browseAbandonment', {
          trigger: track(Events.ProductViewed, { product_id: 'p-8', name: 'Trail Sock' }, 'rc-old'),
        }),
      ],
    });
    await asleep(oldId);
    await running(3);

    const report = await checkReplay(env().client, { workflowBundle });
    expect(report).toMatchObject({ matching: 3, checked: 3, fine: 2 });
    expect(report.wouldBreak).toEqual([
      expect.objectContaining({ workflowId: oldId, workflowType: 'browseAbandonment', nondeterminism: true }),
    ]);
    const [broken] = report.wouldBreak;
    expect(broken.message).toMatch(/nondeterminism/i);
    expect(exitCodeFor(report)).toBe(1);
    const printed = formatReport(report);
    expect(printed).toContain('2 replayed fine.\n1 would break:');
    expect(printed).toContain(`  ${oldId}  (type browseAbandonment, run ${broken.runId})`);
    expect(printed).toMatch(
      /\n {4}\[TMPRL1100\] Nondeterminism error: .*HistoryEvent\(id: \d+, ActivityTaskScheduled\)/,
    );
    expect(printed).toContain('Would break, by workflow type: browseAbandonment 1.');

    // A narrower query checks only what it selects; the limit bounds what is downloaded, and says so.
    const selected = await checkReplay(env().client, {
      workflowBundle,
      query: `WorkflowId = "${currentJourneyId}" OR WorkflowType = "customer"`,
      concurrency: 1,
    });
    expect(selected).toMatchObject({ checked: 2, fine: 2, wouldBreak: [] });
    // The queries docs/deploying.md shows: runs that recorded a patch, started before a release, on a task queue.
    const recordedChannels = await checkReplay(env().client, {
      workflowBundle,
      query: 'ExecutionStatus = "Running" AND TemporalChangeVersion = "channels"',
    });
    expect(recordedChannels).toMatchObject({ matching: 1, checked: 1, fine: 1, wouldBreak: [] });
    const startedBefore = await checkReplay(env().client, {
      workflowBundle,
      query: `ExecutionStatus = "Running" AND StartTime < "${new Date(Date.now() + 3_600_000).toISOString()}"`,
    });
    expect(startedBefore).toMatchObject({ matching: 3, checked: 3, fine: 2 });
    const onOldQueue = await checkReplay(env().client, { workflowBundle, query: `TaskQueue = "${oldRelease()}"` });
    expect(onOldQueue).toMatchObject({
      checked: 1,
      fine: 0,
      wouldBreak: [expect.objectContaining({ workflowId: oldId })],
    });
    const limited = await checkReplay(env().client, { workflowBundle, limit: 1 });
    expect(limited).toMatchObject({ matching: 3, checked: 1 });
    expect(formatReport(limited)).toContain('Only the first 1 of 3 matching workflows were checked');
  });

  it(
    'exits 1 from its own process, naming the workflow and the mismatch on stdout, progress on stderr',
    async () => {
      const ran = await runCommand(['--address', env().address, '--namespace', 'default']);
      expect({ code: ran.code, stderr: ran.stderr }).toMatchObject({ code: 1 });
      expect(ran.stdout).toContain('Replayed 3 workflows of namespace "default" against the current code');
      expect(ran.stdout).toContain('2 replayed fine.\n1 would break:');
      expect(ran.stdout).toContain(`  ${oldId}  (type browseAbandonment, run `);
      expect(ran.stdout).toMatch(/[Nn]ondeterminism/);
      expect(ran.stderr).toContain('replay: checking 3 workflows');
      expect(ran.stderr).toContain('replay: 3 of 3 histories downloaded, 3 replayed, 1 would break');
      expect(ran.stderr).not.toMatch(/^\s+at /m); // no stack trace
      console.log(`npm run replay took ${(ran.ms / 1000).toFixed(1)} s:\n${ran.stdout}`);
    },
    COMMAND_TIMEOUT_MS + 30_000,
  );

  describe('the command, run in this process', () => {
    const run = async (argv: string[], environment: NodeJS.ProcessEnv = {}) => {
      const stdout: string[] = [];
      const stderr: string[] = [];
      const started = Date.now();
      const code = await runReplayCommand(
        argv,
        environment,
        { stdout: (t) => stdout.push(t), stderr: (l) => stderr.push(l) },
        workflowBundle,
      );
      return { code, stdout: stdout.join('\n'), stderr, ms: Date.now() - started };
    };

    it('exits 0 when what the query selects replays clean (address and namespace from the environment)', async () => {
      const ran = await run(['--query', 'WorkflowType = "customer"'], {
        TEMPORAL_ADDRESS: env().address,
        TEMPORAL_NAMESPACE: 'default',
      });
      expect(ran).toMatchObject({ code: 0 });
      expect(ran.stdout).toContain('1 replayed fine.\n0 would break.');
    });

    it.each([
      [['--limt', '5'], "Unknown option '--limt'"],
      [['--limit'], "Option '--limit <value>' argument missing"],
      [['--limit', '0'], '--limit must be a whole number from 1 to 1000000, not "0"'],
      [['--concurrency', 'many'], '--concurrency must be a whole number from 1 to 32, not "many"'],
      [['--address', 'temporal.internal'], '--address must be HOST:PORT, not "temporal.internal"'],
      [['--tls-cert', '/no/such.pem'], '--tls-cert (TEMPORAL_TLS_CERT) and --tls-key (TEMPORAL_TLS_KEY): set both'],
      [[], 'name the cluster: --address HOST:PORT (or set TEMPORAL_ADDRESS)'],
    ])('exits 2 for %j with one line naming what is wrong', async (argv, says) => {
      const ran = await run(argv.includes('--address') || argv.length === 0 ? argv : ['--address', 'x:1', ...argv]);
      expect(ran).toMatchObject({ code: 2, stdout: '' });
      expect(ran.stderr).toHaveLength(1);
      expect(ran.stderr[0]).toContain(says);
      expect(ran.stderr[0]).not.toContain('\n');
    });

    it('exits 2 for a namespace the cluster lacks, naming it', async () => {
      const ran = await run(['--address', env().address, '--namespace', 'no-such-namespace']);
      expect(ran.code).toBe(2);
      expect(ran.stderr).toEqual([expect.stringMatching(/^replay: namespace "no-such-namespace": .*not found/i)]);
    });

    it('exits 2 for a query the cluster refuses, naming it', async () => {
      const ran = await run(['--address', env().address, '--query', 'NoSuchAttribute = "x"']);
      expect(ran.code).toBe(2);
      expect(ran.stderr).toEqual([expect.stringMatching(/^replay: the cluster refuses the query: .*NoSuchAttribute/)]);
    });

    it('exits 2 within about 10 s for an address nothing listens on', async () => {
      const address = `127.0.0.1:${await freePort()}`;
      const ran = await run(['--address', address]);
      expect(ran).toMatchObject({ code: 2, stdout: '' });
      expect(ran.stderr).toEqual([
        `replay: cannot reach Temporal at ${address}: Failed to connect before the deadline`,
      ]);
      expect(ran.ms).toBeLessThan(15_000);
    });
  });
});
