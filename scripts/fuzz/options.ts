import path from 'node:path';

// npm run fuzz's settings, from the environment: a fixed seed and a bounded number of examples by
// default, so CI sends the same requests every run and ends in a few minutes.

export interface FuzzOptions {
  /** Schemathesis's --seed: the same seed, the same requests (with the pinned requirements). */
  seed: number;
  /** Schemathesis's --max-examples: test cases per operation and phase. */
  maxExamples: number;
  /** Schemathesis's --workers: operations tested side by side. */
  workers: number;
  /** Where the API's and the worker's logs and Schemathesis's reports go. */
  reportDir: string;
  /** The Python that makes the virtual environment. */
  python: string;
  /** Extra arguments for `schemathesis run` (what follows `npm run fuzz --`). */
  extraArgs: string[];
}

export const DEFAULTS = { seed: 20250101, maxExamples: 50, workers: 1 };

const ROOT = path.resolve(__dirname, '..', '..');

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name}: expected a whole number of at least ${min}, got "${raw}"`);
  }
  return value;
}

export function fuzzOptions(env: NodeJS.ProcessEnv = process.env, argv = process.argv.slice(2)): FuzzOptions {
  return {
    seed: positiveInt(env, 'JOURNEYS_FUZZ_SEED', DEFAULTS.seed, 0),
    maxExamples: positiveInt(env, 'JOURNEYS_FUZZ_MAX_EXAMPLES', DEFAULTS.maxExamples),
    workers: positiveInt(env, 'JOURNEYS_FUZZ_WORKERS', DEFAULTS.workers),
    reportDir: path.resolve(ROOT, env.JOURNEYS_FUZZ_REPORT_DIR?.trim() || 'fuzz-report'),
    python: env.JOURNEYS_FUZZ_PYTHON?.trim() || 'python3',
    extraArgs: argv,
  };
}

export const REPO_ROOT = ROOT;
