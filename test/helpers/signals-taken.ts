import type { WorkflowHandle } from '@temporalio/client';
import { eventually } from './eventually';

/**
 * Resolves once the workflow has completed a workflow task after the last signal sent to it, so
 * its queries show what every signal did. (A short env.sleep() does the same only while the worker
 * keeps up: the time-skipping server's clock runs on in real time while a task is pending.)
 */
export async function signalsTaken(handle: WorkflowHandle): Promise<void> {
  await eventually(async () => {
    const events = (await handle.fetchHistory()).events ?? [];
    let lastSignal = -1;
    events.forEach((e, i) => {
      if (e.workflowExecutionSignaledEventAttributes) lastSignal = i;
    });
    return events.slice(lastSignal + 1).some((e) => e.workflowTaskCompletedEventAttributes);
  }, `${handle.workflowId} to take its signals`);
}
