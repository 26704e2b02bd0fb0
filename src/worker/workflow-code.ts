// Where a worker's workflow code comes from, and how it is bundled: the same for the production
// worker, the prebuilt bundle, the test workers and the replay of recorded histories.
import fs from 'node:fs';
import path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

/** Written by `npm run build` (scripts/bundle-workflows.ts) next to the compiled code. */
export const PREBUILT_BUNDLE = path.join(__dirname, '..', 'workflow-bundle.js');

/** The workflow code: its index exports every workflow the worker runs. */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * The modules a worker loads once and shares between all its workflows (the SDK's reusable V8
 * context), instead of once per workflow in its cache: the whole workflow code, luxon included.
 * Per workflow they took most of a cached workflow's memory. Sharing is safe because no module
 * in the bundle keeps state of its own at module level (test/foundation/workflow-modules.test.ts
 * checks), and the SDK freezes what they export.
 */
export const preloadModules = (workflowsPath: string = WORKFLOWS_PATH): string[] => [workflowsPath];

/**
 * The workflow code: the bundle `npm run build` prebuilt, when there is one (production starts in
 * a second and runs exactly the code that was built), or bundled from source at start (development).
 */
export function workflowCode(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> {
  if (fs.existsSync(PREBUILT_BUNDLE)) return { workflowBundle: { codePath: PREBUILT_BUNDLE } };
  return { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: preloadModules() } };
}
