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
import { GOLDEN_DIR, scenarioArgs } from '../../test/simulate/golden-scenarios';

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
  const run = async (journey: string, events?: string): Promise<SimulationTiming> => {
    const args = scenarioArgs(journey, out, events);
    const result = await simulate(simulationFrom(args));
    const sent = result.attempts.filter((a) => a.status === 'sent').length;
    progress(
      `${journey}: ${(result.simulatedMs / 1000).toFixed(1)} s (${(result.totalMs / 1000).toFixed(1)} s with start and stop), ${sent} sent`,
    );
    return { journey, simulatedMs: result.simulatedMs, totalMs: result.totalMs, sent };
  };
  try {
    const journeys = fs.readdirSync(GOLDEN_DIR).sort();
    // Once first, so the workflow bundle is cached as a developer's second run finds it.
    await run(journeys[0], empty);
    const emptyYear = { ...(await run(journeys[0], empty)), journey: 'an empty year' };
    const timings: SimulationTiming[] = [];
    for (const journey of journeys) timings.push(await run(journey));
    return { empty: emptyYear, journeys: timings };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}
