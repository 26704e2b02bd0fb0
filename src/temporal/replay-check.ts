import { WorkflowNotFoundError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import type { HistoryAndWorkflowId } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundle } from '@temporalio/worker';
import { preloadModules, WORKFLOWS_PATH } from '../worker/workflow-code';

// `npm run replay` (scripts/replay.ts): before a deploy, replays the histories of a cluster's
// running workflows against the code about to be deployed. A workflow whose history the new code
// cannot replay (a command it issues where history recorded another) would fail its next workflow
// task in production, and keep failing, until a worker of the old code took it again
// (docs/deploying.md; docs/architecture.md, decision 9).

/** The customers and journeys that will meet the new code. */
export const DEFAULT_QUERY = 'ExecutionStatus = "Running"';
export const DEFAULT_LIMIT = 1000;
/** Histories downloaded at once: enough to keep the replay busy, modest for the cluster. */
export const DEFAULT_CONCURRENCY = 8;
/** The longest one history's download (all its pages) may take. */
const DOWNLOAD_TIMEOUT_MS = 60_000;
/** The longest counting the matching workflows may take: the first call, so it tells an unreachable cluster. */
const COUNT_TIMEOUT_MS = 10_000;

export interface ReplayProgress {
  /** Workflows that will be checked: those matching, up to the limit (undefined when the cluster cannot count). */
  total: number | undefined;
  downloaded: number;
  replayed: number;
  wouldBreak: number;
}

export interface ReplayCheckOptions {
  /** A visibility query (default: the running workflows). */
  query?: string;
  /** At most this many workflows are checked (default 1000). */
  limit?: number;
  /** Histories downloaded at once (default 8). */
  concurrency?: number;
  /** The code to check against: an already bundled one, or a workflows barrel to bundle (default src/workflows). */
  workflowBundle?: WorkflowBundle;
  workflowsPath?: string;
  /** Called once the matching workflows are counted, then after each history is downloaded and after each is replayed. */
  onProgress?: (progress: ReplayProgress) => void;
}

/** A workflow the new code could not take over. */
export interface WouldBreak {
  workflowId: string;
  runId: string;
  workflowType: string;
  /** The new code issues other commands than history recorded (as opposed to e.g. a workflow type it lacks). */
  nondeterminism: boolean;
  /** The SDK's message: for nondeterminism it names the mismatching command and event. */
  message: string;
}

export interface ReplayCheckReport {
  namespace: string;
  query: string;
  limit: number;
  /** Workflows the query matched, as the cluster counted them before the check (undefined if it cannot count). */
  matching: number | undefined;
  /** Histories replayed. */
  checked: number;
  /** Of those, how many replayed without error. */
  fine: number;
  wouldBreak: WouldBreak[];
  /** Listed, but gone (deleted by retention) before their history could be read. */
  gone: string[];
  /** Running, but not one workflow task completed yet: no commands recorded, nothing to replay. */
  notYetRun: string[];
}

/** The check could not run, for a reason its user can fix (a query the cluster refuses, ...). */
export class ReplayCheckError extends Error {}

const grpcCode = (err: unknown): number | undefined =>
  [err, (err as { cause?: unknown })?.cause]
    .map((e) => (e as { code?: unknown })?.code)
    .find((c): c is number => typeof c === 'number');

const GRPC_INVALID_ARGUMENT = 3;
const GRPC_NOT_FOUND = 5;
const GRPC_UNIMPLEMENTED = 12;

/** How many workflows the query matches; a query or namespace the cluster refuses is the user's to fix. */
async function countMatching(client: Client, query: string): Promise<number | undefined> {
  try {
    const { count } = await client.connection.withDeadline(Date.now() + COUNT_TIMEOUT_MS, () =>
      client.workflow.count(query),
    );
    return count;
  } catch (err) {
    const code = grpcCode(err);
    // The client's message ("Failed to count workflows") wraps the server's reason.
    const message = firstLine((err as { cause?: { details?: string } }).cause?.details || (err as Error).message);
    if (code === GRPC_INVALID_ARGUMENT) throw new ReplayCheckError(`the cluster refuses the query: ${message}`);
    if (code === GRPC_NOT_FOUND || (err as Error).name === 'NamespaceNotFoundError') {
      throw new ReplayCheckError(`namespace "${client.options.namespace}": ${message}`);
    }
    if (code === GRPC_UNIMPLEMENTED) return undefined; // a visibility store that cannot count: list anyway
    throw err;
  }
}

const firstLine = (text: string): string => text.split('\n')[0].trim();

/** The workflow code, bundled as the worker bundles it. */
export function bundleCurrentCode(workflowsPath: string = WORKFLOWS_PATH): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath,
    preloadModules: preloadModules(workflowsPath),
    logger: new DefaultLogger('ERROR'),
  });
}

type Download =
  { info: WorkflowExecutionInfo; history: History } | { info: WorkflowExecutionInfo; skipped: 'gone' | 'notYetRun' };

/**
 * The listed workflows' histories, in list order, `concurrency` downloads in flight: only those
 * are held in memory besides the one being replayed.
 */
async function* downloads(
  client: Client,
  listed: AsyncIterable<WorkflowExecutionInfo>,
  limit: number,
  concurrency: number,
  downloaded: () => void,
): AsyncGenerator<Download> {
  const executions = listed[Symbol.asyncIterator]();
  const inFlight: Promise<Download>[] = [];
  let taken = 0;
  let exhausted = false;
  const download = async (info: WorkflowExecutionInfo): Promise<Download> => {
    const handle = client.workflow.getHandle(info.workflowId, info.runId);
    try {
      const history = await client.connection.withDeadline(Date.now() + DOWNLOAD_TIMEOUT_MS, () =>
        handle.fetchHistory(),
      );
      // A replay of these would pass whatever the code: it never ran, so it recorded nothing to compare.
      if (!history.events?.some((e) => e.workflowTaskCompletedEventAttributes)) return { info, skipped: 'notYetRun' };
      return { info, history };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || grpcCode(err) === GRPC_NOT_FOUND) return { info, skipped: 'gone' };
      throw err;
    } finally {
      downloaded();
    }
  };
  try {
    for (;;) {
      while (!exhausted && taken < limit && inFlight.length < concurrency) {
        const next = await executions.next();
        if (next.done) exhausted = true;
        else {
          taken++;
          const started = download(next.value);
          started.catch(() => undefined); // awaited in turn below; not unhandled meanwhile
          inFlight.push(started);
        }
      }
      const first = inFlight.shift();
      if (!first) return;
      yield await first;
    }
  } finally {
    await executions.return?.();
  }
}

/**
 * Replays the histories of the workflows `query` matches (default: the running ones) against the
 * current workflow code, one bundle for all, and reports which of them it could not replay.
 */
export async function checkReplay(client: Client, options: ReplayCheckOptions = {}): Promise<ReplayCheckReport> {
  const query = options.query ?? DEFAULT_QUERY;
  const limit = options.limit ?? DEFAULT_LIMIT;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const matching = await countMatching(client, query);
  const progress: ReplayProgress = {
    total: matching === undefined ? undefined : Math.min(matching, limit),
    downloaded: 0,
    replayed: 0,
    wouldBreak: 0,
  };
  const tell = () => options.onProgress?.({ ...progress });
  tell(); // counted: the bundling and the downloads come next
  const workflowBundle = options.workflowBundle ?? (await bundleCurrentCode(options.workflowsPath));
  const report: ReplayCheckReport = {
    namespace: client.options.namespace,
    query,
    limit,
    matching,
    checked: 0,
    fine: 0,
    wouldBreak: [],
    gone: [],
    notYetRun: [],
  };

  // Results come one per history, in the order the histories went in: this queue says whose.
  const replaying: WorkflowExecutionInfo[] = [];
  async function* histories(): AsyncGenerator<HistoryAndWorkflowId> {
    const listed = client.workflow.list({ query, pageSize: Math.min(limit, 1000) });
    const downloaded = () => {
      progress.downloaded++;
      tell();
    };
    for await (const d of downloads(client, listed, limit, concurrency, downloaded)) {
      if ('skipped' in d) {
        report[d.skipped].push(d.info.workflowId);
        continue;
      }
      replaying.push(d.info);
      yield { workflowId: d.info.workflowId, history: d.history };
    }
  }

  for await (const replayed of Worker.runReplayHistories({ workflowBundle }, histories())) {
    const info = replaying.shift();
    report.checked++;
    progress.replayed++;
    if (!replayed.error) report.fine++;
    else {
      progress.wouldBreak++;
      report.wouldBreak.push({
        workflowId: replayed.workflowId,
        runId: info?.runId ?? replayed.runId,
        workflowType: info?.type ?? '(unknown)',
        nondeterminism: replayed.error.name === 'DeterminismViolationError',
        message: replayed.error.message,
      });
    }
    tell();
  }
  return report;
}

/** The command's exit code for a finished check: 1 when any workflow would break, else 0. */
export const exitCodeFor = (report: ReplayCheckReport): 0 | 1 => (report.wouldBreak.length > 0 ? 1 : 0);
