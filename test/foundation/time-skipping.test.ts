import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { sleeper } from '../fixtures/workflows';
import { useTimeSkippingEnv } from '../helpers/temporal';
import { withWorker } from '../helpers/worker';

const workflowsPath = require.resolve('../fixtures/workflows');
const DAY = 24 * 60 * 60 * 1000;

describe('time-skipping test server', () => {
  const env = useTimeSkippingEnv();
  let historyFile: string;

  // The test's timeout (minutes) is what bounds the wall time: a server that did not skip would
  // take the 30 days. Asserting seconds here would only measure how busy the machine is.
  it('completes a workflow that sleeps 30 days within the test timeout', async () => {
    const workflowId = 'sleeper-30-days';
    const result = await withWorker(env(), { workflowsPath }, (taskQueue) =>
      env().client.workflow.execute(sleeper, { args: [30], taskQueue, workflowId }),
    );
    expect(result.wokeAt - result.startedAt).toBeGreaterThanOrEqual(30 * DAY);

    // Keep the history as JSON, the way test/histories/ stores recorded runs.
    const history = await env().client.workflow.getHandle(workflowId).fetchHistory();
    historyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'journeys-history-')), 'sleeper.json');
    fs.writeFileSync(historyFile, historyToJSON(history));
  });

  it('replays that history from JSON against the same code', async () => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(historyFile, 'utf8')));
    await expect(Worker.runReplayHistory({ workflowsPath }, history, 'sleeper-30-days')).resolves.toBeUndefined();
  });

  it('rejects the history when the code changed without patched()', async () => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(historyFile, 'utf8')));
    const changed = require.resolve('../fixtures/workflows-changed');
    await expect(Worker.runReplayHistory({ workflowsPath: changed }, history, 'sleeper-30-days')).rejects.toThrow(
      DeterminismViolationError,
    );
  });
});
