import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { JourneyResult, JourneyView } from '../shared/journey';
import { journeyStateQuery } from '../shared/signals';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;

/** A journey the customer workflow started, as its history tells it. */
export interface JourneyRun {
  workflowId: string;
  journey: string;
  startedAt: number;
  /** Quiet hours the journey waited out before a send: from, until, the step. (A full cap shows on its attempt.) */
  holds: { at: number; until: number; step: string; why: string }[];
  /** How it ended, if it has: its result. */
  ended?: { at: number; result: JourneyResult };
  /** Why it failed, if it did (a bug in the journey: the simulator shows it). */
  failed?: { at: number; message: string };
  /** Where it waits, if it has not ended. */
  running?: Pick<JourneyView, 'step' | 'nextWakeAt'>;
}

/** The summary a quiet-hours wait gives its timer (src/workflows/dsl/journey.ts): "<step>: quiet hours". */
const HOLD = /^(.+): (quiet hours)$/;

/**
 * Every journey the customer's runs started, with its holds and end, from the histories: each
 * start its own, also a journey entered again under the same workflow id (browse abandonment next week).
 */
export async function journeysOf(client: Client, customerWorkflowId: string): Promise<JourneyRun[]> {
  const initiatedAt = new Map<string, number>();
  const started: { workflowId: string; runId: string; at: number }[] = [];
  for (const event of await allRuns(client, customerWorkflowId)) {
    // Event ids count from 1 in each of the customer's runs: the run's first event names it.
    if (event.startChildWorkflowExecutionInitiatedEventAttributes)
      initiatedAt.set(String(event.eventId), timeOf(event));
    const child = event.childWorkflowExecutionStartedEventAttributes;
    const execution = child?.workflowExecution;
    if (!child || !execution?.workflowId || !execution.runId) continue;
    const at = initiatedAt.get(String(child.initiatedEventId)) ?? timeOf(event);
    started.push({ workflowId: execution.workflowId, runId: execution.runId, at });
  }
  const runs: JourneyRun[] = [];
  for (const { workflowId, runId, at } of started) {
    const events = await runFrom(client, workflowId, runId);
    const run: JourneyRun = {
      workflowId,
      journey: journeyName(events) ?? workflowId,
      startedAt: at,
      ...holdsAndEnd(events),
    };
    if (!run.ended && !closed(events)) {
      const { step, nextWakeAt } = await client.workflow.getHandle(workflowId).query(journeyStateQuery);
      run.running = { step, nextWakeAt };
    }
    runs.push(run);
  }
  return runs;
}

/** The events of one execution of a workflow, and of the runs it continued as new into. */
async function runFrom(client: Client, workflowId: string, runId: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for (let next: string | undefined = runId; next;) {
    const run: HistoryEvent[] = (await client.workflow.getHandle(workflowId, next).fetchHistory()).events ?? [];
    events.push(...run);
    next = run[run.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId || undefined;
  }
  return events;
}

/** The events of every run of a workflow (customers continue as new), oldest first. */
export async function allRuns(client: Client, workflowId: string): Promise<HistoryEvent[]> {
  const runs: HistoryEvent[][] = [];
  let runId: string | undefined;
  for (;;) {
    const events = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    runs.unshift(events);
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
    if (!runId) return runs.flat();
  }
}

function journeyName(events: HistoryEvent[]): string | undefined {
  const input = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return input ? defaultPayloadConverter.fromPayload<{ journey?: string }>(input).journey : undefined;
}

function holdsAndEnd(events: HistoryEvent[]): Pick<JourneyRun, 'holds' | 'ended' | 'failed'> {
  const holds: JourneyRun['holds'] = [];
  let ended: JourneyRun['ended'];
  let failed: JourneyRun['failed'];
  for (const event of events) {
    const timer = event.timerStartedEventAttributes;
    const summary = event.userMetadata?.summary;
    if (timer && summary) {
      const hold = HOLD.exec(defaultPayloadConverter.fromPayload<string>(summary));
      const ms = Number(timer.startToFireTimeout?.seconds ?? 0) * 1000 + (timer.startToFireTimeout?.nanos ?? 0) / 1e6;
      if (hold) holds.push({ at: timeOf(event), until: timeOf(event) + ms, step: hold[1], why: hold[2] });
    }
    const failure = event.workflowExecutionFailedEventAttributes?.failure;
    if (failure) failed = { at: timeOf(event), message: failure.cause?.message ?? failure.message ?? 'failed' };
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) {
      const payload = event.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0];
      if (payload) ended = { at: timeOf(event), result: defaultPayloadConverter.fromPayload<JourneyResult>(payload) };
    }
  }
  return { holds, ended, failed };
}

const closed = (events: HistoryEvent[]): boolean =>
  events.some(
    (e) =>
      e.workflowExecutionFailedEventAttributes ||
      e.workflowExecutionTerminatedEventAttributes ||
      e.workflowExecutionCanceledEventAttributes,
  );

export const timeOf = (event: HistoryEvent): number =>
  Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
