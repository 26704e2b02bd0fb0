// The sticky cache, sized by memory: a worker keeps a workflow in memory between its tasks (no
// replay of its history when the next event comes), at a cost per workflow that hardly depends on
// the journey. Operators give the cache a budget in MiB; the count follows from it.

/**
 * What one cached workflow adds to the worker's resident memory: its objects in the workflow
 * thread's V8 heap and its state machines in the SDK's core. Measured by `npm run bench -- --only
 * sleeping`, which prints today's figure beside this one.
 */
export const CACHED_WORKFLOW_KIB = 400;

/** Workflows a cache of `mib` MiB holds (at least 2: the SDK needs room for a task in flight). */
export function cachedWorkflowsFor(mib: number): number {
  return Math.max(2, Math.floor((mib * 1024) / CACHED_WORKFLOW_KIB));
}
