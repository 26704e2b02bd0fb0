import fs from 'node:fs';
import path from 'node:path';

/** Each shipped journey's scripted customer: test/simulate/golden/<journey>/. */
export const GOLDEN_DIR = path.join(__dirname, 'golden');

/** Every scenario starts on this Monday at 09:00, its customer's time: no timeline depends on the day it runs. */
const GOLDEN_START = '2030-01-07T09:00';

/** A scenario's scenario.json: the journey it runs when not the one its folder is named for, and how long. */
function scenarioFile(name: string): { journey?: string; until?: string } {
  const file = path.join(GOLDEN_DIR, name, 'scenario.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
}

/** The journey scenario `name` runs: its scenario.json's `journey`, else the folder's name (welcome-opened: welcome). */
export const scenarioJourney = (name: string): string => scenarioFile(name).journey ?? name;

/**
 * The `npm run simulate` arguments of a scenario (a folder in GOLDEN_DIR): its journey, customer,
 * events (or `events`), the fixed start, its scenario.json's `until` (default a year) and its
 * config.json where it has one.
 */
export function scenarioArgs(name: string, out: string, events?: string): string[] {
  const dir = path.join(GOLDEN_DIR, name);
  const scenario = scenarioFile(name);
  const config = path.join(dir, 'config.json');
  return [
    ...[scenarioJourney(name), '--customer', path.join(dir, 'customer.json')],
    ...['--events', events ?? path.join(dir, 'events.json')],
    ...['--start', GOLDEN_START, '--until', scenario.until ?? '1 year', '--out', out],
    ...(fs.existsSync(config) ? ['--config', config] : []),
  ];
}
