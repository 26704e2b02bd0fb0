import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { preloadModules, WORKFLOWS_PATH } from '../src/worker/workflow-code';
import { registry } from '../src/workflows/registry';
import { HISTORIES_DIR } from './helpers/histories';
import { DefaultLogger } from '@temporalio/worker';
import './helpers/worker';

const quiet = new DefaultLogger('ERROR');

// Recorded histories of every workflow replay against today's code: a change that would break
// running customers fails here, not in production.
const files = fs.existsSync(HISTORIES_DIR) ? fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')) : [];

describe('replay of recorded histories', () => {
  let workflowBundle: WorkflowBundle;
  beforeAll(async () => {
    workflowBundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      preloadModules: preloadModules(),
      logger: quiet,
    });
  });

  it('has a recorded history for the customer workflow and for every journey in the registry', () => {
    const recorded = files.map((f) => f.replace(/\.json$/, ''));
    for (const name of ['customer', ...registry.map((e) => e.name)]) expect(recorded).toContain(name);
  });

  it.each(files)('%s replays without non-determinism', async (file) => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')));
    await Worker.runReplayHistory({ workflowBundle }, history, file);
  });
});
