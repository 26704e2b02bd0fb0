// npm run check:compose [-- some-compose-file.yml]: validates docker-compose.yml offline with the real
// Docker Compose (YAML, the Compose Specification schema, interpolation, its consistency checks: what
// `docker compose up` would reject before starting anything), then checks what a schema cannot, then
// proves the check bites: deliberately broken copies of the file must all be rejected.
//
// Docker Compose is built once from the Go module proxy into ~/.cache/journeys (JOURNEYS_CACHE_DIR
// moves it); `docker compose config` needs no Docker engine. DOCKER_COMPOSE_PATH uses a docker-compose
// binary you already have; without Go, an installed `docker compose` plugin is used.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cacheDir } from '../src/dev/cache-dir';
import { runWithProgress } from '../src/dev/run-with-progress';
import { buildAtomically, commandWorks, isExecutable, type Log } from '../src/dev/server-binary';

/** The newest release whose go.mod the Go 1.26.8 here can build (v5.7.0 asks for go 1.26.10). */
const COMPOSE_VERSION = 'v5.6.0';
const MODULE = 'github.com/docker/compose/v5';

const root = path.resolve(__dirname, '..');
const defaultFile = path.join(root, 'docker-compose.yml');
/** The variables the compose file is loaded with: the example must be enough to load it. */
const envExample = path.join(root, '.env.example');

interface Compose {
  command: string;
  args: string[];
  description: string;
}

interface Healthcheck {
  test?: string[];
  disable?: boolean;
  interval?: string;
}

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  restart?: string;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: Healthcheck;
  volumes?: { type: string; source?: string; target: string }[];
  [key: string]: unknown;
}

/** The project as `docker compose config --format json` prints it: anchors merged, variables set. */
interface Model {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

interface Loaded {
  model?: Model;
  errors: string[];
  warnings: string[];
}

/** A DOCKER_COMPOSE_PATH binary, else our cached build, else a fresh build with Go, else the plugin. */
async function ensureCompose(log: Log): Promise<Compose> {
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
function load(compose: Compose, file: string): Loaded {
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

const hasHealthcheck = (s: Service): boolean =>
  !!s.healthcheck &&
  !s.healthcheck.disable &&
  (s.healthcheck.test?.length ?? 0) > 0 &&
  s.healthcheck.test?.[0] !== 'NONE';

/** A tag other than latest, or a digest: the same bytes on every host and every `docker compose pull`. */
function isPinned(image: string): boolean {
  if (image.includes('@sha256:')) return true;
  const colon = image.lastIndexOf(':');
  const tag = colon > image.lastIndexOf('/') ? image.slice(colon + 1) : '';
  return tag !== '' && tag !== 'latest';
}

const inRepo = (p: string): boolean => !path.relative(root, p).startsWith('..');

/** What the schema cannot see: how services relate, and whether what they point at exists. */
function checkModel(model: Model): string[] {
  const problems: string[] = [];
  const services = model.services ?? {};
  const declaredVolumes = new Set(Object.keys(model.volumes ?? {}));
  for (const [name, s] of Object.entries(services)) {
    const at = `services.${name}`;
    if (!s.image && !s.build) problems.push(`${at}: has neither image nor build`);
    if (s.image && !s.build && !isPinned(s.image)) {
      problems.push(`${at}.image: ${s.image} is not pinned (give a version tag other than latest, or a digest)`);
    }
    if (s.restart && s.restart !== 'no' && !hasHealthcheck(s)) {
      problems.push(`${at}: a long-running service (restart: ${s.restart}) without a healthcheck`);
    }
    for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
      const target = services[dep];
      if (!target) problems.push(`${at}.depends_on: ${dep} is not a service`);
      else if (condition === 'service_healthy' && !hasHealthcheck(target)) {
        problems.push(`${at}.depends_on.${dep}: waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
      }
    }
    for (const v of s.volumes ?? []) {
      if (v.type === 'volume' && v.source && !declaredVolumes.has(v.source)) {
        problems.push(`${at}.volumes: named volume ${v.source} is not declared under the top-level volumes`);
      }
      if (v.type === 'bind' && v.source && inRepo(v.source) && !fs.existsSync(v.source)) {
        problems.push(`${at}.volumes: mounts ${path.relative(root, v.source)}, which does not exist`);
      }
    }
    if (s.build) {
      const dockerfile = path.resolve(s.build.context, s.build.dockerfile ?? 'Dockerfile');
      if (!fs.existsSync(dockerfile)) problems.push(`${at}.build: ${path.relative(root, dockerfile)} does not exist`);
    }
  }
  return problems;
}

/** Every ${VARIABLE} the compose file reads is explained in .env.example (set, or commented out). */
function checkVariablesDocumented(file: string): string[] {
  const text = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n');
  const used = new Set([...text.matchAll(/(?<!\$)\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
  const example = fs.readFileSync(envExample, 'utf8');
  const documented = new Set([...example.matchAll(/^#?\s*([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((m) => m[1]));
  return [...used]
    .filter((v) => !documented.has(v))
    .sort()
    .map((v) => `\${${v}} is used but not documented in .env.example`);
}

interface Mutation {
  what: string;
  /** Breaks the model in place; false when this file has nothing to break that way. */
  apply: (m: Model) => boolean;
}

const entries = (m: Model): [string, Service][] => Object.entries(m.services);

const mutations: Mutation[] = [
  {
    what: 'a misspelt key (restart: -> restrat:)',
    apply: (m) => {
      const s = entries(m).find(([, svc]) => svc.restart)?.[1];
      if (!s) return false;
      s.restrat = s.restart;
      delete s.restart;
      return true;
    },
  },
  {
    what: 'a healthcheck interval that is not a duration',
    apply: (m) => {
      const s = entries(m).find(([, svc]) => svc.healthcheck)?.[1];
      if (!s?.healthcheck) return false;
      s.healthcheck.interval = 'every ten seconds';
      return true;
    },
  },
  {
    what: 'a dependency on a service that does not exist',
    apply: (m) => {
      const s = entries(m)[0]?.[1];
      if (!s) return false;
      s.depends_on = { ...s.depends_on, 'no-such-service': { condition: 'service_started' } };
      return true;
    },
  },
  {
    what: 'a named volume not declared at the top level',
    apply: (m) => {
      const used = entries(m)
        .flatMap(([, svc]) => svc.volumes ?? [])
        .find((v) => v.type === 'volume' && v.source && m.volumes?.[v.source]);
      if (!used?.source || !m.volumes) return false;
      delete m.volumes[used.source];
      return true;
    },
  },
  {
    what: 'a service waited on as healthy that has no healthcheck',
    apply: (m) => {
      const dep = entries(m)
        .flatMap(([, svc]) => Object.entries(svc.depends_on ?? {}))
        .find(([, d]) => d.condition === 'service_healthy')?.[0];
      if (!dep || !m.services[dep]) return false;
      delete m.services[dep].healthcheck;
      return true;
    },
  },
  {
    what: 'an unpinned image (no tag)',
    apply: (m) => {
      const s = entries(m).find(([, svc]) => svc.image && !svc.build)?.[1];
      if (!s?.image) return false;
      s.image = s.image.replace(/[:@].*$/, '');
      return true;
    },
  },
];

const oneLine = (problem: string): string => {
  const text = problem.replace(/\s+/g, ' ');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
};

/** Feeds broken copies of the loaded project back through the whole check: each must be rejected. */
function selfTest(compose: Compose, model: Model): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-compose-'));
  const failures: string[] = [];
  try {
    const check = (m: Model, name: string): string[] => {
      const file = path.join(dir, `${name}.json`); // JSON is YAML
      fs.writeFileSync(file, JSON.stringify(m, null, 2));
      const loaded = load(compose, file);
      return loaded.model ? checkModel(loaded.model) : [loaded.errors.join(' ')];
    };
    const control = check(model, 'control');
    if (control.length > 0) return [`the unbroken project itself is rejected when fed back: ${control[0]}`];
    mutations.forEach((mutation, i) => {
      const broken = structuredClone(model);
      if (!mutation.apply(broken)) {
        console.log(`  skipped   ${mutation.what}: nothing in this file to break that way`);
        return;
      }
      const problems = check(broken, `broken-${i}`);
      if (problems.length === 0) failures.push(`${mutation.what} was NOT rejected`);
      else console.log(`  rejected  ${mutation.what}: ${oneLine(problems[0])}`);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return failures;
}

async function main(): Promise<void> {
  const file = path.resolve(process.argv[2] ?? defaultFile);
  const shown = path.relative(process.cwd(), file) || file;
  const compose = await ensureCompose((line) => console.log(line));
  console.log(`Checking ${shown} with ${compose.description}, variables from .env.example`);

  const loaded = load(compose, file);
  const problems = [...loaded.errors, ...loaded.warnings.map((w) => `docker compose warns: ${w}`)];
  if (loaded.model) problems.push(...checkModel(loaded.model), ...checkVariablesDocumented(file));
  if (problems.length > 0 || !loaded.model) {
    console.error(`${shown}: ${problems.length} problem(s):`);
    for (const p of problems) console.error(`  - ${p}`);
    process.exit(1);
  }
  const services = Object.keys(loaded.model.services);
  const volumes = Object.keys(loaded.model.volumes ?? {});
  console.log(
    `${shown}: OK: ${services.length} services (${services.join(', ')}), ${volumes.length} named volumes. ` +
      'Compose schema, interpolation, consistency; healthchecks behind service_healthy and on every ' +
      'restarting service, declared volumes, pinned images, mounted paths, documented variables.',
  );

  console.log('Self-test: broken copies must be rejected');
  const failures = selfTest(compose, loaded.model);
  if (failures.length > 0) {
    console.error(`Self-test FAILED, the check is not catching everything:`);
    for (const f of failures) console.error(`  - ${f}`);
    process.exit(1);
  }
  console.log('Self-test: OK');
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
