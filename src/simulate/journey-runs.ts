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

/** Every journey the customer's runs started, with its holds and end, from the histories. */
export async function journeysOf(client: Client, customerWorkflowId: string): Promise<JourneyRun[]> {
  const started = new Map<string, { journey: string; at: number }>();
  for (const event of await allRuns(client, customerWorkflowId)) {
    const child = event.startChildWorkflowExecutionInitiatedEventAttributes;
    if (!child?.workflowId || started.has(child.workflowId)) continue;
    started.set(child.workflowId, { journey: child.workflowType?.name ?? '?', at: timeOf(event) });
  }
  const runs: JourneyRun[] = [];
  for (const [workflowId, { at }] of started) {
    const events = await allRuns(client, workflowId);
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

/** The events of every run of a workflow (journeys and customers continue as new), oldest first. */
async function allRuns(client: Client, workflowId: string): Promise<HistoryEvent[]> {
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

const timeOf = (event: HistoryEvent): number =>
  Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
