import { execFile, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { cacheDir } from '../../src/dev/cache-dir';
import { runWithProgress } from '../../src/dev/run-with-progress';
import { buildAtomically, commandWorks, isExecutable, type Log } from '../../src/dev/server-binary';
import { envExample, root, type Loaded, type Model } from './model';

// Docker Compose itself: found, or built once with Go into the cache, and run as `docker compose config`.

/** The newest release whose go.mod the Go 1.26.8 here can build (v5.7.0 asks for go 1.26.10). */
const COMPOSE_VERSION = 'v5.6.0';
const MODULE = 'github.com/docker/compose/v5';

export interface Compose {
  command: string;
  args: string[];
  description: string;
}

/** A DOCKER_COMPOSE_PATH binary, else our cached build, else a fresh build with Go, else the plugin. */
export async function ensureCompose(log: Log): Promise<Compose> {
  const fromEnv = process.env.DOCKER_COMPOSE_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`DOCKER_COMPOSE_PATH=${fromEnv} is not an executable file`);
    return { command: fromEnv, args: [], description: `${fromEnv} (DOCKER_COMPOSE_PATH)` };
  }
  const dir = path.join(cacheDir(), `docker-compose-${COMPOSE_VERSION}`);
  const binary = path.join(dir, 'docker-compose');
  const cached: Compose = { command: binary, args: [], description: `Docker Compose ${COMPOSE_VERSION} (${binary})` };
  if (isExecutable(binary)) return cached;
  if (await commandWorks('go', ['version'])) {
    await buildCompose(dir, log);
    return cached;
  }
  if (await commandWorks('docker', ['compose', 'version'])) {
    return { command: 'docker', args: ['compose'], description: 'the installed docker compose plugin' };
  }
  throw new Error(
    `Checking docker-compose.yml needs Docker Compose: install Go (to build Docker Compose ${COMPOSE_VERSION} once), ` +
      'or the docker compose plugin, or set DOCKER_COMPOSE_PATH to a docker-compose binary',
  );
}

async function buildCompose(dir: string, log: Log): Promise<void> {
  const label = 'docker-compose';
  log(`[${label}] building ${MODULE}@${COMPOSE_VERSION} with go build (a few minutes, once)`);
  // Not `go install ...@version`: Compose's go.mod has exclude directives, which go install refuses.
  // Built inside the downloaded module instead (read-only in the module cache: go build writes only
  // its output), so its go.mod and go.sum apply exactly as in Compose's own release builds.
  const moduleDir = await goModDownload(`${MODULE}@${COMPOSE_VERSION}`);
  const ldflags = `-s -w -X ${MODULE}/internal.Version=${COMPOSE_VERSION}`;
  await buildAtomically(dir, (tmp) =>
    runWithProgress(
      'go',
      [
        'build',
        '-v',
        '-trimpath',
        '-buildvcs=false',
        '-ldflags',
        ldflags,
        '-o',
        path.join(tmp, 'docker-compose'),
        './cmd',
      ],
      {
        label,
        log,
        cwd: moduleDir,
        env: { ...process.env, CGO_ENABLED: '0', GOWORK: 'off', GO111MODULE: 'on' },
        counters: {
          'modules downloaded': (l) => l.startsWith('go: downloading '),
          'packages compiled': (l) => !l.startsWith('go: ') && !l.includes(' '),
        },
      },
    ),
  );
}

/** Fetches a module through the Go module proxy; returns its folder in the module cache. */
function goModDownload(mod: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'go',
      ['mod', 'download', '-json', mod],
      { cwd: os.tmpdir(), env: { ...process.env, GOWORK: 'off', GO111MODULE: 'on' }, timeout: 10 * 60_000 },
      (err, stdout) => {
        let info: { Dir?: string; Error?: string } = {};
        try {
          info = JSON.parse(stdout) as typeof info;
        } catch {
          // no JSON: err says why
        }
        if (!err && info.Dir) resolve(info.Dir);
        else reject(new Error(`go mod download ${mod} failed: ${info.Error ?? err?.message ?? 'no module folder'}`));
      },
    );
  });
}

/**
 * `docker compose config` on `file`, in a clean environment (no COMPOSE_* or other variables from
 * this shell), with relative paths resolved against the repository and variables from .env.example.
 */
export function load(compose: Compose, file: string): Loaded {
  const args = ['--file', file, '--project-directory', root, '--env-file', envExample, 'config', '--format', 'json'];
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME ?? os.homedir() };
  if (process.env.DOCKER_CONFIG) env.DOCKER_CONFIG = process.env.DOCKER_CONFIG;
  const run = spawnSync(compose.command, [...compose.args, ...args], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.error) throw run.error;
  const lines = run.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  // Compose logs warnings as `time="..." level=warning msg="..."`; anything else on stderr is an error.
  const warning = /\blevel=warn(?:ing)?\b.*?\bmsg="((?:[^"\\]|\\.)*)"/;
  const warnings = lines.flatMap((l) => {
    const m = warning.exec(l);
    return m ? [m[1].replace(/\\"/g, '"')] : [];
  });
  const errors = lines.filter((l) => !warning.test(l));
  if (run.status !== 0) {
    return { errors: errors.length > 0 ? errors : [`docker compose exited with ${run.status}`], warnings };
  }
  return { model: JSON.parse(run.stdout) as Model, errors, warnings };
}
