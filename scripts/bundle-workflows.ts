// npm run build: bundles the workflow code once, so a production worker loads it instead of running
// webpack at every start (seconds and hundreds of MB saved), and runs exactly what was built.
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { preloadModules, WORKFLOWS_PATH } from '../src/worker/workflow-code';

async function main(): Promise<void> {
  const started = Date.now();
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, preloadModules: preloadModules() });
  // Where dist/worker/journeys-worker.js looks for it (PREBUILT_BUNDLE in src/worker/workflow-code.ts).
  const target = path.join(__dirname, '..', 'dist', 'workflow-bundle.js');
  fs.writeFileSync(target, code);
  console.log(`Workflow bundle: ${target} (${(code.length / 1024).toFixed(0)} KiB, ${Date.now() - started} ms)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
