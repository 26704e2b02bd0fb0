// npm run fuzz: Schemathesis against the API's own /openapi.json, on the real stack (PostgreSQL, a
// Temporal dev server, the worker with real activities and an SMTP sink, the API), with a fixed
// seed and a bounded number of examples. Fails on any 5xx, and on any response the document does
// not describe (status, content type, headers, body). Everything it started is stopped at the end,
// on failure and on Ctrl-C too.
//
//   JOURNEYS_FUZZ_SEED           the seed (default in options.ts): same seed, same requests
//   JOURNEYS_FUZZ_MAX_EXAMPLES   test cases per operation and phase
//   JOURNEYS_FUZZ_WORKERS        operations tested side by side
//   JOURNEYS_FUZZ_REPORT_DIR     logs and reports (default fuzz-report/)
//   DATABASE_URL                 a PostgreSQL server to make a throwaway database on, instead of the embedded one
//   npm run fuzz -- ARGS         more arguments for `schemathesis run`, e.g. --include-path /v1/track
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { installTemporalRuntime } from '../../src/dev/dev-runtime';
import { log, Stack, StopSignal } from '../../src/dev/lifecycle';
import { fuzzOptions, REPO_ROOT, type FuzzOptions } from './options';
import { ADMIN_KEY, startFuzzStack, WRITE_KEY, type FuzzStack } from './stack';
import { formatCounts, requestCounts } from './summary';
import { apiCauses, formatTriage, operationNamer, postgresCauses, readHar, triage } from './triage';
import { ensureSchemathesis, pinnedVersion } from './venv';

const CONFIG = path.join(__dirname, 'schemathesis.toml');
const REPORT_FILES = [
  'api.log',
  'worker.log',
  'postgres.log',
  'summary.txt',
  'failures.txt',
  'report.json',
  'requests.har',
];

/** "==== SUMMARY ====" as "-- SUMMARY --"; any other line as it is. */
function plainHeading(line: string): string {
  const banner = /^=+ (.*) =+$/.exec(line.trim());
  return banner ? `-- ${banner[1]} --` : line;
}

/** Runs Schemathesis to its end (or until a stop is asked for); its exit code. */
async function schemathesis(python: string, stack: FuzzStack, opts: FuzzOptions, stop: StopSignal): Promise<number> {
  const args = [
    '-m',
    'schemathesis.cli',
    '--config-file',
    CONFIG,
    'run',
    `${stack.apiUrl}/openapi.json`,
    '--seed',
    String(opts.seed),
    '--max-examples',
    String(opts.maxExamples),
    '--workers',
    String(opts.workers),
    // A full batch (2,500 events for one customer) takes about a minute on a busy 2-core machine:
    // slow, but not a failure; a request that hangs still is one.
    '--request-timeout',
    '120',
    // Every test case past its first failure too, so one run lists every failure it can find.
    '--continue-on-failure',
    '--report',
    'json,har',
    '--report-json-path',
    path.join(opts.reportDir, 'report.json'),
    // Every request and response with its time: the summary matches each 5xx with the logs.
    '--report-har-path',
    path.join(opts.reportDir, 'requests.har'),
    ...opts.extraArgs,
  ];
  log(`[fuzz] schemathesis ${args.slice(2).join(' ')}`);
  const child = spawn(python, args, {
    cwd: opts.reportDir, // anything it writes by itself lands with the reports
    env: {
      ...process.env,
      PYTHONUNBUFFERED: '1',
      // Some bodies in a charset or Content-Encoding the API does not read (see the file).
      SCHEMATHESIS_HOOKS: path.join(__dirname, 'hooks.py'),
      JOURNEYS_FUZZ_WRITE_KEY: WRITE_KEY,
      JOURNEYS_FUZZ_ADMIN_KEY: ADMIN_KEY,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Schemathesis closes with pytest's banner ("=== 3 warnings in 82s ==="), which CI would read as
  // a test run that executed nothing; its section banners are printed as plain headings instead.
  readline.createInterface({ input: child.stdout! }).on('line', (line) => console.log(plainHeading(line)));
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
  // Schemathesis prints a line per phase; in between, a line every 30 s says what the API has answered.
  const heartbeat = setInterval(() => {
    void fetch(`${stack.apiUrl}/metrics`, { signal: AbortSignal.timeout(5000) })
      .then((r) => r.text())
      .then((text) => {
        const counts = requestCounts(text).filter((c) => c.route !== '/metrics');
        const total = counts.reduce((n, c) => n + c.count, 0);
        const errors = counts.filter((c) => c.status.startsWith('5')).reduce((n, c) => n + c.count, 0);
        log(
          `[fuzz] ${Math.round((Date.now() - started) / 1000)} s: the API answered ${total} requests, ${errors} with a 5xx`,
        );
      })
      .catch(() => undefined);
  }, 30_000);
  const started = Date.now();
  void exited.finally(() => clearInterval(heartbeat));
  const stopped = stop.promise.then(() => {
    if (child.exitCode === null) child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
  void stopped;
  return exited;
}

async function main(stop: StopSignal): Promise<number> {
  const started = Date.now();
  const opts = fuzzOptions();
  installTemporalRuntime('warn');
  fs.mkdirSync(opts.reportDir, { recursive: true });
  for (const file of REPORT_FILES) fs.rmSync(path.join(opts.reportDir, file), { force: true });
  const python = await ensureSchemathesis(opts.python, log);
  log(
    `[fuzz] Schemathesis ${pinnedVersion()}, seed ${opts.seed}, ${opts.maxExamples} examples per operation, ` +
      `${opts.workers} workers; logs and reports in ${path.relative(REPO_ROOT, opts.reportDir) || '.'}/`,
  );
  const stack = new Stack();
  try {
    if (stop.requested) return 130;
    const running = await startFuzzStack(opts.reportDir, stack, log);
    if (stop.requested) return 130;
    const code = await schemathesis(python, running, opts, stop);
    const metrics = await fetch(`${running.apiUrl}/metrics`)
      .then((r) => r.text())
      .catch(() => '');
    const doc = (await fetch(`${running.apiUrl}/openapi.json`)
      .then((r) => r.json())
      .catch(() => ({ paths: {} }))) as { paths: Record<string, unknown> };
    const groups = triage(
      readHar(path.join(opts.reportDir, 'requests.har')),
      [...apiCauses(running.apiLog), ...postgresCauses(running.postgresLog)],
      operationNamer(Object.keys(doc.paths)),
    );
    const base = '"$API"'; // e.g. API=http://127.0.0.1:3000 with npm start: the keys are the same
    fs.writeFileSync(path.join(opts.reportDir, 'failures.txt'), `${formatTriage(groups, base, Infinity)}\n`);
    const summary = [
      formatCounts(requestCounts(metrics)),
      `The worker sent ${running.mailCount()} emails to the SMTP sink.`,
      '',
      formatTriage(groups, base),
      '',
      `Every command in full: ${path.relative(REPO_ROOT, path.join(opts.reportDir, 'failures.txt'))}; ` +
        'set API to the base URL of a Journeys API with the dev keys, e.g. API=http://127.0.0.1:3000 (npm start).',
    ].join('\n');
    fs.writeFileSync(path.join(opts.reportDir, 'summary.txt'), `${summary}\n`);
    log(`\n${summary}`);
    return code;
  } finally {
    log('[fuzz] stopping everything it started...');
    if (!(await stack.unwind())) process.exitCode = 1;
    log(`[fuzz] done in ${Math.round((Date.now() - started) / 1000)} s`);
  }
}

const stop = new StopSignal();
main(stop)
  .then((code) => {
    if (code === 0) log('[fuzz] passed: no 5xx, every response as the OpenAPI document describes it');
    else if (!stop.requested) log(`[fuzz] failed (schemathesis exited with ${code}): see its report above`);
    process.exit(process.exitCode || code);
  })
  .catch((err: unknown) => {
    console.error('[fuzz]', err instanceof Error ? err.message : err);
    process.exit(1);
  });
