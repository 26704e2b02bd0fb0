import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { JourneyActivities } from '../../shared/activities';
import { BATCH_PAGE_TIMEOUT_MS, SEND_ATTEMPT_TIMEOUT_MS, SEND_HEARTBEAT_TIMEOUT_MS } from '../../shared/sending';

// Transient failures (SMTP or database hiccups) retry with backoff; the activities throw
// non-retryable failures for permanent ones (an invalid address, a 5xx SMTP reply).
const retry = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' };

/**
 * Every activity runs as a local activity: in the worker that runs the workflow task, its result
 * recorded in that task's completion. No activity task goes through the server, so a journey's
 * start, its lookups and its first send take one workflow task, not one per activity. Each is
 * idempotent (reads, set changes, the send's outbox keyed by step), which a local activity needs:
 * a worker that dies mid-way has the next worker run it again. (docs/architecture.md, decision 17)
 */
export const LOCAL_ACTIVITIES_PATCH = 'local-activities';

const remote = proxyActivities<JourneyActivities>({ startToCloseTimeout: '1 minute', retry });
const local = proxyLocalActivities<JourneyActivities>({ startToCloseTimeout: '1 minute', retry });

/** Since this patch a finished journey tells its customer workflow through a local activity. */
export const FINISH_BY_ACTIVITY_PATCH = 'finish-by-activity';

/** Since this patch journeys may text and call webhooks (the abandoned cart does: its second reminder, its lost cart). */
export const CHANNELS_PATCH = 'channels';

/**
 * Each patch marker costs two history events and an upsert of the TemporalChangeVersion search
 * attribute (a visibility write), so the newest patch is asked first and a run that has it takes
 * the older ones as given: a journey started today records one marker. Older runs replay as they
 * ran; one asleep across the deploy records the newest marker where it wakes, and takes today's
 * paths from there on, as it would have with each patch.
 */
export const channelsApply = (): boolean => patched(CHANNELS_PATCH);
export const finishByActivity = (): boolean => channelsApply() || patched(FINISH_BY_ACTIVITY_PATCH);
export const localActivitiesApply = (): boolean => finishByActivity() || patched(LOCAL_ACTIVITIES_PATCH);

/** Whether a patch older than LOCAL_ACTIVITIES_PATCH applies. */
export const olderPatch = (patchId: string): boolean => localActivitiesApply() || patched(patchId);

/** Workflows that ran server activities before the patch replay them as they ran; the rest run locally. */
const current = <T>(remoteProxy: T, localProxy: T): T => (localActivitiesApply() ? localProxy : remoteProxy);

export const activities: JourneyActivities = new Proxy({} as JourneyActivities, {
  get: (_, name: keyof JourneyActivities) => current(remote, local)[name],
});

type Sends = Pick<JourneyActivities, 'sendEmail' | 'sendSms' | 'callWebhook'>;

const remoteSending = proxyActivities<Sends>({
  startToCloseTimeout: SEND_ATTEMPT_TIMEOUT_MS,
  heartbeatTimeout: SEND_HEARTBEAT_TIMEOUT_MS,
  retry,
});
const localSending = proxyLocalActivities<Sends>({
  startToCloseTimeout: SEND_ATTEMPT_TIMEOUT_MS,
  retry,
});

/**
 * The sends (an email, a text, a webhook call): one attempt may take as long as a slow hand-off. As a server activity it
 * heartbeats, so a worker that died mid-send was replaced within the heartbeat timeout; as a local
 * one, the workflow task it runs in times out instead and the next worker sends it.
 */
export const sending = (): typeof remoteSending | typeof localSending => current(remoteSending, localSending);

/**
 * A page of an audience (a restock announcement): a server activity, one task for a whole page of
 * sends, that heartbeats, so a worker that dies mid-page is replaced within the heartbeat timeout.
 */
export const announcing = proxyActivities<Pick<JourneyActivities, 'announceRestock'>>({
  startToCloseTimeout: BATCH_PAGE_TIMEOUT_MS,
  heartbeatTimeout: SEND_HEARTBEAT_TIMEOUT_MS,
  retry,
});

export const localActivities = proxyLocalActivities<Pick<JourneyActivities, 'loadJourneysConfig' | 'recordSegments'>>({
  startToCloseTimeout: '10 seconds',
});
