// The simulate phase of `npm run bench`: the wall time of `npm run simulate` for a year of each
// shipped journey's scripted customer (test/simulate/golden/<journey>; its scenario's `until` where
// it has one, as the golden test runs it), beside an empty year (the
// same customer file, no events: the product's start, a year of its timers with nothing to do, its
// stop) measured in the same run. The target: under 10 s a year, on the 2-core machine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simulationFrom } from '../../src/simulate/command';
import { simulate } from '../../src/simulate/run';

const GOLDEN = path.resolve(__dirname, '../../test/simulate/golden');

export interface SimulationTiming {
  journey: string;
  /** The simulated year alone, and with the product's start and stop. */
  simulatedMs: number;
  totalMs: number;
  sent: number;
}

export async function benchSimulate(
  progress: (line: string) => void,
): Promise<{ empty: SimulationTiming; journeys: SimulationTiming[] }> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-simulate-'));
  const empty = path.join(out, 'empty.json');
  fs.writeFileSync(empty, '[]');
  const run = async (journey: string, events: string): Promise<SimulationTiming> => {
    const dir = path.join(GOLDEN, journey);
    const config = path.join(dir, 'config.json');
    const scenario = path.join(dir, 'scenario.json');
    const until = fs.existsSync(scenario)
      ? (JSON.parse(fs.readFileSync(scenario, 'utf8')) as { until?: string }).until
      : undefined;
    const args = [journey, '--customer', path.join(dir, 'customer.json'), '--events', events];
    args.push('--start', '2030-01-07T09:00', '--until', until ?? '1 year', '--out', out);
    if (fs.existsSync(config)) args.push('--config', config);
    const result = await simulate(simulationFrom(args));
    const sent = result.attempts.filter((a) => a.status === 'sent').length;
    progress(
      `${journey}: ${(result.simulatedMs / 1000).toFixed(1)} s (${(result.totalMs / 1000).toFixed(1)} s with start and stop), ${sent} sent`,
    );
    return { journey, simulatedMs: result.simulatedMs, totalMs: result.totalMs, sent };
  };
  try {
    const journeys = fs.readdirSync(GOLDEN).sort();
    // Once first, so the workflow bundle is cached as a developer's second run finds it.
    await run(journeys[0], empty);
    const emptyYear = { ...(await run(journeys[0], empty)), journey: 'an empty year' };
    const timings: SimulationTiming[] = [];
    for (const journey of journeys) timings.push(await run(journey, path.join(GOLDEN, journey, 'events.json')));
    return { empty: emptyYear, journeys: timings };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}
