import fs from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(__dirname, '../../src');

/** The worker's side: its activities, its process, and the workflow code it runs. */
const WORKER_SIDE = [/^activities\//, /^worker\//, /^workflows\//, /^journeys\/[^/]+\/journey\.ts$/];

/**
 * Every module `file` loads from src, directly or through others: relative imports and re-exports,
 * not `import type` (erased: a client may name a workflow's type to start it).
 */
function importsOf(file: string, seen = new Set<string>()): Set<string> {
  const source = fs.readFileSync(file, 'utf8');
  for (const [, spec] of source.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s+'(\.{1,2}\/[^']+)'/gm)) {
    const base = path.resolve(path.dirname(file), spec);
    const resolved = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
    if (!resolved || seen.has(resolved)) continue;
    seen.add(resolved);
    importsOf(resolved, seen);
  }
  return seen;
}

// The front door (the API and the dispatcher, and what they build on) runs in processes of its own
// and imports nothing from the worker: a change to a journey or an activity never redeploys it,
// and it never loads workflow code.
describe.each(['api/main.ts', 'dispatcher/main.ts'])('%s', (entry) => {
  it('imports nothing from the worker, its activities or the workflow code', () => {
    const reached = [...importsOf(path.join(SRC, entry))].map((f) => path.relative(SRC, f));
    expect(reached.length).toBeGreaterThan(20);
    expect(reached.filter((f) => WORKER_SIDE.some((side) => side.test(f)))).toEqual([]);
  });
});
