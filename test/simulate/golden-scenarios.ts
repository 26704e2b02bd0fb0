import fs from 'node:fs';
import path from 'node:path';

/** Each shipped journey's scripted customer: test/simulate/golden/<journey>/. */
export const GOLDEN_DIR = path.join(__dirname, 'golden');

/** Every scenario starts on this Monday at 09:00, its customer's time: no timeline depends on the day it runs. */
const GOLDEN_START = '2030-01-07T09:00';

/**
 * The `npm run simulate` arguments of a journey's scenario: its customer, its events (or `events`),
 * the fixed start, its scenario.json's `until` (default a year) and its config.json where it has one.
 */
export function scenarioArgs(journey: string, out: string, events?: string): string[] {
  const dir = path.join(GOLDEN_DIR, journey);
  const scenarioFile = path.join(dir, 'scenario.json');
  const scenario = fs.existsSync(scenarioFile)
    ? (JSON.parse(fs.readFileSync(scenarioFile, 'utf8')) as { until?: string })
    : {};
  const config = path.join(dir, 'config.json');
  return [
    ...[journey, '--customer', path.join(dir, 'customer.json'), '--events', events ?? path.join(dir, 'events.json')],
    ...['--start', GOLDEN_START, '--until', scenario.until ?? '1 year', '--out', out],
    ...(fs.existsSync(config) ? ['--config', config] : []),
  ];
}
