import path from 'node:path';
import { cacheDir } from './cache-dir';
import { runWithProgress } from './run-with-progress';
import { buildAtomically, commandWorks, isExecutable, type Log, type ServerBinary } from './server-binary';

/** The newest CLI tag whose go.mod has no replace directive, so `go install` can build it. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const MODULE = 'github.com/temporalio/cli/cmd/temporal';

/**
 * The Temporal CLI (dev server + Web UI): TEMPORAL_CLI_PATH, else our cached build, else a fresh
 * `go install` from the Go module proxy, else (no Go) the SDK's own download at run time.
 */
export async function ensureTemporalCli(log: Log): Promise<ServerBinary> {
  const name = 'temporal-cli';
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file`);
    return { name, version: 'as set', path: fromEnv, source: 'environment' };
  }
  const dir = path.join(cacheDir(), `temporal-${TEMPORAL_CLI_VERSION}`);
  const binary = path.join(dir, 'temporal');
  if (isExecutable(binary)) return { name, version: TEMPORAL_CLI_VERSION, path: binary, source: 'cache' };
  if (!(await commandWorks('go', ['version']))) {
    log(`[${name}] Go is not installed: the SDK will download the dev server when it first needs it`);
    return { name, version: 'sdk default', source: 'sdk-download' };
  }
  log(`[${name}] building ${MODULE}@${TEMPORAL_CLI_VERSION} with go install (a few minutes, once)`);
  await buildAtomically(dir, (tmp) =>
    runWithProgress('go', ['install', '-v', `${MODULE}@${TEMPORAL_CLI_VERSION}`], {
      label: name,
      log,
      cwd: tmp,
      env: { ...process.env, GOBIN: tmp, CGO_ENABLED: '0' },
      counters: {
        'modules downloaded': (l) => l.startsWith('go: downloading '),
        'packages compiled': (l) => !l.startsWith('go: ') && !l.includes(' '),
      },
    }),
  );
  return { name, version: TEMPORAL_CLI_VERSION, path: binary, source: 'built' };
}
