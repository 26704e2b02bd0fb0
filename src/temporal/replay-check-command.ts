import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { WorkflowBundle } from '@temporalio/worker';
import { envSchema, EnvError, loadEnv, type Env } from '../config/env';
import { temporalClientConnection } from '../config/temporal-connection';
import { isTemporalUnavailable } from './errors';
import {
  checkReplay,
  DEFAULT_CONCURRENCY,
  DEFAULT_LIMIT,
  DEFAULT_QUERY,
  exitCodeFor,
  ReplayCheckError,
  type ReplayProgress,
} from './replay-check';
import { formatProgress, formatReport } from './replay-check-report';

// The command behind `npm run replay` (scripts/replay.ts): its flags, its connection, its output
// and its exit code, apart from the process so a test can run it in its own.

export const USAGE = `Usage: npm run replay -- --address HOST:PORT [--namespace NS] [--query QUERY] [--limit N]
                          [--concurrency N] [--tls] [--api-key KEY] [--tls-cert FILE --tls-key FILE]

Replays the histories of a Temporal cluster's workflows (by default, every running one) against
the workflow code in this checkout, and reports each workflow the code could not take over.
Exit code: 0 none would break, 1 some would, 2 the check could not run (bad flags, an unreachable
cluster, a query the cluster refuses).

  --address HOST:PORT   the cluster's frontend (default: TEMPORAL_ADDRESS; one of them is required)
  --namespace NS        default: TEMPORAL_NAMESPACE, else "default"
  --query QUERY         a visibility query (default: ${DEFAULT_QUERY})
  --limit N             check at most N workflows (default ${DEFAULT_LIMIT})
  --concurrency N       histories downloaded at once, 1 to 32 (default ${DEFAULT_CONCURRENCY})
  --tls                 TLS to the cluster (default: TEMPORAL_TLS; implied by an API key or a certificate)
  --api-key KEY         Temporal Cloud API key (default: TEMPORAL_API_KEY, which keeps it out of ps)
  --tls-cert FILE       mTLS client certificate, with --tls-key (default: TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY)
  --tls-key FILE`;

/** How long connecting may take before the cluster is called unreachable. */
const CONNECT_TIMEOUT_MS = 8_000;
/** A progress line on stderr every this many histories downloaded. */
const PROGRESS_EVERY = 100;

export interface CommandOutput {
  /** The report. */
  stdout: (text: string) => void;
  /** Progress and errors, a line at a time. */
  stderr: (line: string) => void;
}

export interface ReplayCommandOptions {
  address: string;
  namespace: string;
  query: string;
  limit: number;
  concurrency: number;
  /** The TEMPORAL_* environment with the flags applied: how to connect. */
  env: Env;
}

/** Bad flags or environment: the message names what is wrong, in one line. */
export class UsageError extends Error {}

const FLAG_FOR_VARIABLE: Record<string, string> = {
  TEMPORAL_TLS_CERT: '--tls-cert (TEMPORAL_TLS_CERT)',
  TEMPORAL_TLS_KEY: '--tls-key (TEMPORAL_TLS_KEY)',
};

const wholeNumber = (flag: string, value: string, min: number, max: number): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${value}"`);
  }
  return n;
};

/** The TEMPORAL_* variables alone: an unrelated variable of the product's does not stop the check. */
const temporalEnv = envSchema.pick({
  TEMPORAL_ADDRESS: true,
  TEMPORAL_NAMESPACE: true,
  TEMPORAL_TLS: true,
  TEMPORAL_API_KEY: true,
  TEMPORAL_TLS_CERT: true,
  TEMPORAL_TLS_KEY: true,
});

/** The command's options from its flags, falling back on the TEMPORAL_* environment. Throws UsageError. */
export function parseReplayOptions(argv: string[], environment: NodeJS.ProcessEnv): ReplayCommandOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        address: { type: 'string' },
        namespace: { type: 'string' },
        query: { type: 'string' },
        limit: { type: 'string' },
        concurrency: { type: 'string' },
        tls: { type: 'boolean' },
        'api-key': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    // Node's message, to its first sentence: "Unknown option '--limt'", "Option '--limit <value>' argument missing".
    throw new UsageError(`${(err as Error).message.split(/\.\s/)[0]} (npm run replay -- --help)`);
  }
  if (values.help) return 'help';

  const parsed = temporalEnv.safeParse(environment);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${issue.path.join('.')}: ${issue.message}`);
  }
  const namespace = values.namespace ?? parsed.data.TEMPORAL_NAMESPACE;
  if (namespace.trim() === '') throw new UsageError('--namespace must not be empty');
  const query = values.query ?? DEFAULT_QUERY;
  if (query.trim() === '') throw new UsageError('--query must not be empty');
  const limit = values.limit === undefined ? DEFAULT_LIMIT : wholeNumber('--limit', values.limit, 1, 1_000_000);
  const concurrency =
    values.concurrency === undefined ? DEFAULT_CONCURRENCY : wholeNumber('--concurrency', values.concurrency, 1, 32);
  for (const flag of ['api-key', 'tls-cert', 'tls-key'] as const) {
    if (values[flag] === '') throw new UsageError(`--${flag} must not be empty`);
  }
  const address = values.address ?? environment.TEMPORAL_ADDRESS;
  if (!address) throw new UsageError('name the cluster: --address HOST:PORT (or set TEMPORAL_ADDRESS)');
  if (!/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]/]+):\d{1,5}$/.test(address)) {
    throw new UsageError(`--address must be HOST:PORT, not "${address}"`);
  }
  const env: Env = {
    ...loadEnv({}),
    ...parsed.data,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TLS: values.tls ?? parsed.data.TEMPORAL_TLS,
    TEMPORAL_API_KEY: values['api-key'] ?? parsed.data.TEMPORAL_API_KEY,
    TEMPORAL_TLS_CERT: values['tls-cert'] ?? parsed.data.TEMPORAL_TLS_CERT,
    TEMPORAL_TLS_KEY: values['tls-key'] ?? parsed.data.TEMPORAL_TLS_KEY,
  };
  return { address, namespace, query, limit, concurrency, env };
}

const firstLine = (text: string): string => text.split('\n')[0].trim();

async function connect(options: ReplayCommandOptions): Promise<Connection> {
  let settings;
  try {
    settings = temporalClientConnection(options.env);
  } catch (err) {
    if (!(err instanceof EnvError)) throw err;
    const message = Object.entries(FLAG_FOR_VARIABLE).reduce(
      (m, [variable, flag]) => m.replaceAll(variable, flag),
      err.message,
    );
    throw new UsageError(firstLine(message));
  }
  try {
    return await Connection.connect({ ...settings, connectTimeout: CONNECT_TIMEOUT_MS });
  } catch (err) {
    throw new UsageError(`cannot reach Temporal at ${options.address}: ${firstLine((err as Error).message)}`);
  }
}

/** Prints a progress line every PROGRESS_EVERY downloads. */
function progressPrinter(stderr: (line: string) => void): (p: ReplayProgress) => void {
  let announced = false;
  let printedAt = 0;
  return (p) => {
    if (!announced) {
      announced = true;
      const count = p.total === undefined ? 'the matching workflows' : `${p.total} workflows`;
      stderr(`replay: checking ${count}; bundling the workflow code, then downloading their histories`);
    }
    if (p.downloaded - printedAt >= PROGRESS_EVERY) {
      printedAt = p.downloaded;
      stderr(formatProgress(p));
    }
  };
}

/**
 * Runs `npm run replay` with `argv`: prints the report (stdout), progress and errors (stderr), and
 * returns the exit code. `workflowBundle` replaces bundling src/workflows (a test's bundle).
 */
export async function runReplayCommand(
  argv: string[],
  environment: NodeJS.ProcessEnv,
  out: CommandOutput,
  workflowBundle?: WorkflowBundle,
): Promise<0 | 1 | 2> {
  let connection: Connection | undefined;
  try {
    const options = parseReplayOptions(argv, environment);
    if (options === 'help') {
      out.stdout(USAGE);
      return 0;
    }
    connection = await connect(options);
    const client = new Client({ connection, namespace: options.namespace });
    const printProgress = progressPrinter(out.stderr);
    let last: ReplayProgress | undefined;
    const report = await checkReplay(client, {
      query: options.query,
      limit: options.limit,
      concurrency: options.concurrency,
      workflowBundle,
      onProgress: (p) => {
        last = p;
        printProgress(p);
      },
    }).catch((err: unknown) => {
      if (isTemporalUnavailable(err)) {
        throw new UsageError(`cannot reach Temporal at ${options.address}: ${firstLine((err as Error).message)}`);
      }
      throw err;
    });
    if (last) out.stderr(formatProgress(last));
    out.stdout(formatReport(report));
    return exitCodeFor(report);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ReplayCheckError) out.stderr(`replay: ${err.message}`);
    else out.stderr(`replay: the check failed: ${(err as Error).message ?? String(err)}`);
    return 2;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}
