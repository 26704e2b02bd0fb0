import {
  CancellationScope,
  getExternalWorkflowHandle,
  isCancellation,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CommonJourneyConfig } from '../../config/schema';
import { matches, type EventMatch } from '../../shared/events';
import type { JourneyFinished, JourneyInput, JourneyOutcome, JourneyResult } from '../../shared/journey';
import { audienceLeftSignal, eventSignal, journeyFinishedSignal, journeyStateQuery } from '../../shared/signals';
import { activities, finishByActivity, localActivitiesApply } from './activities';
import { Journey, JourneyExit } from './journey';

export interface JourneyRules {
  /** The journey's goal: when it arrives, the journey ends at once as `converted`. */
  goal?: EventMatch;
  /** Other events that stop it at once, as `exited`. */
  exitOn?: EventMatch[];
  /** Checked after every event: a reason to stop at once, as `exited`, or undefined to go on. */
  exitWhen?: (j: Journey<CommonJourneyConfig>) => string | undefined;
}

/**
 * Runs a journey: wires its signal and query, assigns variant and holdout, runs `body` until it
 * returns or the goal / an exit event arrives, applies the configured group change and tells
 * the customer workflow it has finished.
 */
export async function runJourney<C extends CommonJourneyConfig>(
  input: JourneyInput<C>,
  rules: JourneyRules,
  body: (j: Journey<C>) => Promise<void>,
): Promise<JourneyResult> {
  // The newest patch is decided before anything is awaited: asked first after a local activity,
  // its marker can land one workflow task later than replay asks it (decision 23).
  localActivitiesApply();
  const j = new Journey(input);
  const scope = new CancellationScope();
  const end = (outcome: JourneyOutcome, reason: string): void => {
    if (j.outcome) return;
    j.outcome = { outcome, reason };
    scope.cancel();
  };
  setHandler(journeyStateQuery, () => j.view());
  // The customer left the journey's audience, and the audience says to leave with them (exitOnLeave).
  setHandler(audienceLeftSignal, ({ reason }) => end('exited', reason));
  setHandler(eventSignal, (event) => {
    j.receive(event);
    if (rules.goal && matches(rules.goal, event)) end('converted', event.event);
    else if (rules.exitOn?.some((m) => matches(m, event))) end('exited', event.event);
    else {
      const reason = rules.exitWhen?.(j as unknown as Journey<CommonJourneyConfig>);
      if (reason) end('exited', reason);
    }
  });

  try {
    await scope.run(() => body(j));
  } catch (err) {
    if (!(err instanceof JourneyExit) && !(j.outcome && isCancellation(err))) throw err;
  }

  j.end();
  const result = j.result();
  const finish = input.config.finish;
  if (finish && (!finish.on || finish.on.includes(result.outcome))) await j.updateGroups([finish.group], finish.from);
  setCurrentDetails(`**${input.journey}** · finished: ${result.outcome}${result.reason ? ` (${result.reason})` : ''}`);
  if (input.parentWorkflowId) {
    const finished = {
      workflowId: workflowInfo().workflowId,
      journey: input.journey,
      key: input.key,
      outcome: result.outcome,
    };
    await tellCustomer(input.parentWorkflowId, finished);
  }
  return result;
}

/**
 * A local activity sends the signal within the journey's last workflow task. A signal from the
 * workflow itself must be acknowledged before the journey may complete (the server drops one a
 * closed workflow sent): two more events and a workflow task, as journeys before the patch did.
 */
async function tellCustomer(customerWorkflowId: string, finished: JourneyFinished): Promise<void> {
  if (finishByActivity()) return activities.journeyFinished(customerWorkflowId, finished);
  await getExternalWorkflowHandle(customerWorkflowId)
    .signal(journeyFinishedSignal, finished)
    .catch(() => undefined); // the customer workflow was erased: nobody left to tell
}
