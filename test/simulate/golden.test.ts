import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { registry } from '../../src/workflows/registry';
import { GOLDEN_DIR, scenarioArgs, scenarioJourney } from './golden-scenarios';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

/**
 * Golden timelines: each shipped journey has a scripted customer (customer.json, events.json, and
 * where the scenario needs them scenario.json's `until` and a config.json; a second scenario of a
 * journey names it as scenario.json's `journey`) whose
 * simulated year (`npm run simulate`) is checked in as timeline.txt. A change that moves, adds or
 * drops a send fails here with a readable diff of the timeline. When the change is meant:
 * `UPDATE_GOLDEN=1 npx jest test/simulate/golden.test.ts`, and review the diff of timeline.txt.
 */
const scenarios = fs.readdirSync(GOLDEN_DIR).sort();

/** The timeline `npm run simulate` prints for one scenario (its table, without the wall times). */
async function simulatedTimeline(journey: string, out: string): Promise<{ table: string; errors: string }> {
  // The command as a developer runs it (npm run simulate is tsx scripts/simulate.ts).
  const { stdout, stderr } = await run(
    process.execPath,
    ['--import', 'tsx', 'scripts/simulate.ts', ...scenarioArgs(journey, out)],
    { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
  );
  return { table: `${stdout.split('\n\n')[0]}\n`, errors: stderr };
}

describe('golden timelines of the shipped journeys', () => {
  it('has a scripted customer for every journey in the registry, and no other', () => {
    // A whole customer (`"journey": "customer"`, every enabled journey) may be a scenario too: best-time-*.
    const journeys = new Set(scenarios.map(scenarioJourney).filter((j) => j !== 'customer'));
    expect([...journeys].sort()).toEqual(registry.map((e) => e.name).sort());
    // A journey's own scenario is the folder named for it; others (welcome-opened) say their journey.
    for (const name of registry.map((e) => e.name)) expect(scenarioJourney(name)).toBe(name);
  });

  it.each(scenarios)(
    '%s: the simulated timeline is the one checked in',
    async (journey) => {
      const dir = path.join(GOLDEN_DIR, journey);
      const out = fs.mkdtempSync(path.join(os.tmpdir(), `golden-${journey}-`));
      const { table, errors } = await simulatedTimeline(journey, out); // rejects on a non-zero exit
      expect(errors).not.toMatch(/^simulate:/m);
      const golden = path.join(dir, 'timeline.txt');
      if (process.env.UPDATE_GOLDEN) fs.writeFileSync(golden, table);
      expect(table).toBe(fs.readFileSync(golden, 'utf8'));
      // Every message sent is on disk as the customer would get it.
      const sent = table.split('\n').filter((line) => /\b(email|sms)\b.*\bsent\b/.test(line)).length;
      expect(fs.readdirSync(out).filter((f) => f.endsWith('.eml') || f.endsWith('.sms.txt'))).toHaveLength(sent);
      fs.rmSync(out, { recursive: true, force: true });
    },
    180_000,
  ); // a product's start, a year of its time and its stop, on a busy machine
});
