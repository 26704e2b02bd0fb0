import fs from 'node:fs';
import { configSchema, type JourneysConfig } from './schema';

/** Thrown with every bad key listed, so a misconfigured deployment fails at start, not mid-journey. */
export class ConfigError extends Error {}

const ENV_PREFIX = 'JOURNEYS__';

/**
 * Loads the journey configuration: defaults, then the JSON file at `file` (JOURNEYS_CONFIG), then
 * environment overrides such as JOURNEYS__journeys__abandonedCart__firstReminderAfter="2 hours"
 * (a value that parses as JSON is taken as JSON, so numbers and booleans work).
 */
export function loadConfig(file = process.env.JOURNEYS_CONFIG, env: NodeJS.ProcessEnv = process.env): JourneysConfig {
  let raw: Record<string, unknown> = {};
  if (file) {
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`JOURNEYS_CONFIG=${file} could not be read as JSON: ${(err as Error).message}`);
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(ENV_PREFIX) && value !== undefined)
      setPath(raw, name.slice(ENV_PREFIX.length).split('__'), value);
  }
  // Unknown keys are refused (a misspelt one would silently leave its default); "//" keys are comments.
  const result = configSchema.safeParse(withoutComments(raw));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new ConfigError(`Invalid journey configuration${file ? ` in ${file}` : ''}:\n${problems}`);
  }
  return result.data;
}

/** The JSON without its "//" keys, at any depth: the comments JSON has no other way to hold. */
function withoutComments(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutComments);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== '//')
      .map(([key, v]) => [key, withoutComments(v)]),
  );
}

function setPath(target: Record<string, unknown>, keys: string[], value: string): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = parseValue(value);
}

function parseValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
