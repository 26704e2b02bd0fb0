import { isGrpcServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { TASK_QUEUE } from '../../src/config/task-queue';
import type { JourneyResult } from '../../src/shared/journey';
import { journeyWorkflowId } from '../../src/shared/signals';
import { bundleCurrentCode, checkReplay, exitCodeFor, type ReplayCheckReport } from '../../src/temporal/replay-check';
import { formatReport } from '../../src/temporal/replay-check-report';
import { eventually } from '../helpers/eventually';
import { startCustomer, StubActivities, testConfig, track } from '../helpers/journeys';
import { stopBeforeTeardown, useDevServerEnv } from '../helpers/temporal';
import '../helpers/worker'; // the quiet runtime logger

// docs/deploying.md, "Worked example: changing a running journey", on a real dev server. Release 1
// (today's code) starts a lead's nurture journey and leaves it asleep after its first email. Release
// 2 sends leads a welcome email at once: without its patch the replay check names that journey, with
// it the check is clean. On release 2 the old lead finishes on release 1's path and a new lead takes
// the new one. Then the patch is retired: release 3 (deprecatePatch) and release 4 (the call removed).

const RELEASES = {
  release1: require.resolve('../fixtures/changed-journey/release-1'),
  release2: require.resolve('../fixtures/changed-journey/release-2'),
  release2Unpatched: require.resolve('../fixtures/changed-journey/release-2-unpatched'),
  release3: require.resolve('../fixtures/changed-journey/release-3'),
};
type Release = keyof typeof RELEASES;

// Seconds for days: the drip waits 1 s for its first email, 10 s more for its second. The old
// lead's journey sleeps through those 10 s while release 1's worker stops and the checks run.
const config = testConfig({
  journeys: {
    leadNurture: {
      emails: [
        { after: '1 second', template: 'nurture-1' },
        { after: '10 seconds', template: 'nurture-2' },
      ],
    },
  },
});

const OLD = 'lead-old';
const NEW = 'lead-new';
const LATER = 'lead-later';
const journeyOf = (customerId: string) => journeyWorkflowId('lead-nurture', customerId);
const BY_TYPE = 'WorkflowType = "leadNurture"';
const NOT_FOUND = 5; // gRPC status

describe('deploying a changed journey: old leads finish on the old path, new ones take the new one', () => {
  const env = useDevServerEnv();
  const stub = new StubActivities(env, config);
  const bundles = {} as Record<Release, WorkflowBundle>;
  beforeAll(async () => {
    for (const [release, workflowsPath] of Object.entries(RELEASES)) {
      bundles[release as Release] = await bundleCurrentCode(workflowsPath);
    }
  }, 120_000);

  /** Deploys `release`: its worker on the product's task queue. Returns how to stop it. */
  async function deploy(release: Release): Promise<() => Promise<void>> {
    const worker = await Worker.create({
      connection: env().nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: bundles[release],
      activities: stub.activities,
    });
    const running = worker.run();
    let stopped: Promise<void> | undefined;
    const stop = () => {
      if (!stopped) {
        worker.shutdown();
        stopped = running;
      }
      return stopped;
    };
    stopBeforeTeardown(stop);
    return stop;
  }

  /** A lead captured, as the API delivers it: the customer workflow starts their nurture journey. */
  const capture = (customerId: string) =>
    startCustomer(env(), TASK_QUEUE, customerId, track('Lead Captured', { source: 'ebook' }, customerId));

  /** Until the customer's journey has started `n` timers (it sleeps on the n-th). */
  const asleepOnTimer = (customerId: string, n: number) =>
    eventually(
      async () => {
        try {
          const { events } = await env().client.workflow.getHandle(journeyOf(customerId)).fetchHistory();
          return (events ?? []).filter((e) => e.timerStartedEventAttributes).length >= n;
        } catch (err) {
          const notFound = err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && err.code === NOT_FOUND);
          if (notFound) return false; // not started yet
          throw err;
        }
      },
      `${journeyOf(customerId)} asleep on timer ${n}`,
    );

  /** The journey's result once it has closed. */
  const finished = async (customerId: string): Promise<JourneyResult> => {
    const handle = env().client.workflow.getHandle(journeyOf(customerId));
    await eventually(
      async () => (await handle.describe()).status.name !== 'RUNNING',
      `${journeyOf(customerId)} to end`,
    );
    return handle.result() as Promise<JourneyResult>;
  };

  /** The emails a customer got, as (step, template). */
  const emails = (customerId: string) => stub.emailsTo(customerId).map((e) => [e.step, e.template]);

  /** Until the visibility store (eventually consistent) lists `n` workflows for `query`. */
  const listed = (query: string, n: number) =>
    eventually(async () => (await env().client.workflow.count(query)).count === n, `${n} workflows for ${query}`);

  const check = async (release: Release, query?: string): Promise<ReplayCheckReport> => {
    const report = await checkReplay(env().client, { workflowBundle: bundles[release], query });
    console.log(`replay check against ${release}:\n${formatReport(report)}`);
    return report;
  };

  let stopRelease2: () => Promise<void>;

  it('release 1: the old lead gets nurture-1, and its journey sleeps until nurture-2 as the worker stops', async () => {
    const stopRelease1 = await deploy('release1');
    await capture(OLD);
    await asleepOnTimer(OLD, 2);
    await stopRelease1();
    // Stopped within the 10 s the journey sleeps: nurture-2 is for release 2 to send.
    expect(emails(OLD)).toEqual([['nurture-1', 'nurture-1']]);
  });

  it('the replay check names the journey against release 2 without its patch', async () => {
    await listed('ExecutionStatus = "Running"', 2); // the old lead and their journey
    const report = await check('release2Unpatched');
    expect(report).toMatchObject({ checked: 2, fine: 1 });
    expect(report.wouldBreak).toEqual([
      expect.objectContaining({ workflowId: journeyOf(OLD), workflowType: 'leadNurture', nondeterminism: true }),
    ]);
    expect(exitCodeFor(report)).toBe(1);
    const printed = formatReport(report);
    expect(printed).toContain('1 replayed fine.\n1 would break:');
    expect(printed).toContain(`  ${journeyOf(OLD)}  (type leadNurture, run `);
    expect(printed).toMatch(/\n {4}\[TMPRL1100\] Nondeterminism error: /);
    expect(printed).toContain('Would break, by workflow type: leadNurture 1.');
  });

  it('and finds nothing to break against release 2 with it', async () => {
    const report = await check('release2');
    expect(report).toMatchObject({ checked: 2, fine: 2, wouldBreak: [] });
    expect(exitCodeFor(report)).toBe(0);
    expect(formatReport(report)).toContain('2 replayed fine.\n0 would break.');
  });

  it('release 2: the old lead finishes on release 1`s path, a new lead gets the welcome first', async () => {
    stopRelease2 = await deploy('release2');
    await capture(NEW);

    const old = await finished(OLD);
    const fresh = await finished(NEW);
    expect(emails(OLD)).toEqual([
      ['nurture-1', 'nurture-1'],
      ['nurture-2', 'nurture-2'],
    ]);
    expect(emails(NEW)).toEqual([
      ['welcome', 'lead-welcome'],
      ['nurture-1', 'nurture-1'],
      ['nurture-2', 'nurture-2'],
    ]);
    expect(old).toMatchObject({ outcome: 'completed' });
    expect(fresh).toMatchObject({ outcome: 'completed' });
    expect(old.sent.map((s) => s.step)).toEqual(['nurture-1', 'nurture-2']);
    expect(fresh.sent.map((s) => s.step)).toEqual(['welcome', 'nurture-1', 'nurture-2']);

    // Only the new lead's journey recorded the patch marker: the query that tells when to retire it.
    await listed('TemporalChangeVersion = "lead-welcome"', 1);
    const recorded = [];
    for await (const w of env().client.workflow.list({ query: 'TemporalChangeVersion = "lead-welcome"' })) {
      recorded.push(w.workflowId);
    }
    expect(recorded).toEqual([journeyOf(NEW)]);
  });

  it('retiring the patch, 1: release 3 (deprecatePatch, old branch deleted) replays only runs that took the new path', async () => {
    // The old lead's journey needed release 1's branch: while a run like it is open, release 3 would break it.
    await listed(BY_TYPE, 2);
    const report = await check('release3', BY_TYPE);
    expect(report).toMatchObject({ checked: 2, fine: 1 });
    expect(report.wouldBreak).toEqual([expect.objectContaining({ workflowId: journeyOf(OLD), nondeterminism: true })]);
    // Both journeys have ended: the check before the deploy (the running workflows, the two customers) passes.
    await listed('ExecutionStatus = "Running"', 2);
    expect(await check('release3')).toMatchObject({ checked: 2, fine: 2, wouldBreak: [] });
  });

  it('retiring the patch, 2: release 4 (the call removed) replays runs started on release 3, not those that recorded patched()', async () => {
    await stopRelease2();
    await deploy('release3');
    await capture(LATER);
    await asleepOnTimer(LATER, 1);
    expect(emails(LATER)[0]).toEqual(['welcome', 'lead-welcome']);

    await listed(BY_TYPE, 3);
    // deprecatePatch records the marker too (deprecated): the search attribute lists release 2's and release 3's runs.
    await listed('TemporalChangeVersion = "lead-welcome"', 2);
    // Release 4, the call removed, is release 2's code without its patch: it replays the run started on
    // release 3, not the one that recorded patched() (nor, as before, the one on release 1's path).
    const report = await check('release2Unpatched', BY_TYPE);
    expect(report).toMatchObject({ checked: 3, fine: 1 });
    expect(report.wouldBreak.map((b) => b.workflowId).sort()).toEqual([journeyOf(NEW), journeyOf(OLD)].sort());
    const recordedPatched = report.wouldBreak.find((b) => b.workflowId === journeyOf(NEW))!;
    expect(recordedPatched.message).toMatch(/Non-deprecated patch marker encountered for change lead-welcome/);
  });
});
