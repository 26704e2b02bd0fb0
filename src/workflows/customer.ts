import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time';
import type { JourneysConfig } from '../config/schema';
import { DEFAULT_FRESHNESS_WINDOW, type CustomerState } from '../shared/customer';
import type { CustomerEvent } from '../shared/events';
import { CustomerId, Journey, JourneyStep, LifecycleStage, Segments } from '../shared/search-attributes';
import { applyToAudience, newAudienceState, nextSegmentChangeAt, segmentsAt } from '../shared/segments';
import {
  audienceLeftSignal,
  customerStateQuery,
  eventSignal,
  eventsSignal,
  ingestUpdate,
  journeyFinishedSignal,
  journeyWorkflowId,
  legacyJourneyWorkflowId,
  type IngestResult,
} from '../shared/signals';
import { applyEvent, newCustomerState, nextStageChangeAt, snapshot, stageAt } from './customer/lifecycle';
import { RecentIds } from './customer/recent-ids';
import {
  AUDIENCE_LISTS,
  AUDIENCES,
  customerPatches,
  JOURNEYS_IN_ONE_TASK,
  type CustomerPatches,
} from './customer/patches';
import {
  engagementTargets,
  forwardTargets,
  journeyConfig,
  journeysToStart,
  leftAudience,
  recordEntry,
  type Start,
} from './customer/routing';
import { localActivities } from './dsl/activities';
import type { JourneyEntry } from './dsl/journey-entry';
import { registry } from './registry';

export interface CustomerInput {
  customerId: string;
  /** Carried over by continue-as-new. */
  state?: CustomerState;
  pending?: CustomerEvent[];
  recentIds?: string[];
}

/**
 * One customer's whole lifecycle (`customer-<customerId>`): receives every event, keeps stage,
 * consent and last activity, starts journeys and forwards events to them, and continues as new
 * before its history grows large. It never ends by itself.
 */
export async function customer(input: CustomerInput): Promise<never> {
  const now = (): string => new Date().toISOString();
  const state = input.state ?? newCustomerState(input.customerId, now());
  const recent = new RecentIds(input.recentIds ?? []);
  const queue: CustomerEvent[] = [...(input.pending ?? [])];

  // Handlers first, before any await: an update that finds no handler is rejected, not buffered.
  const receive = (event: CustomerEvent): IngestResult => {
    const fresh = recent.add(event.messageId);
    if (fresh) queue.push(event);
    return { duplicate: !fresh };
  };
  setHandler(eventSignal, (event) => void receive(event));
  setHandler(eventsSignal, (events) => events.forEach(receive));
  setHandler(ingestUpdate, receive);
  setHandler(journeyFinishedSignal, ({ workflowId }) => {
    delete state.running[workflowId];
  });
  setHandler(customerStateQuery, () => state);

  const patches = customerPatches(registry); // before the first await (PATCHES_AT_START)
  const config = await localActivities.loadJourneysConfig();
  recent.capacity = config.customer.dedupeWindow;
  // Without double opt-in, a customer who never answered counts as subscribed, as the send check does.
  if (!input.state && config.messaging.doubleOptIn === false) state.consent = 'subscribed';

  // Runs from before segments have no audience state, and enter journeys as they did then.
  if (patches.applies(AUDIENCES)) state.audience ??= newAudienceState();
  const definitions = segmentDefinitions(config);

  const historyFull = (): boolean =>
    workflowInfo().historyLength >= config.customer.historyLimit || workflowInfo().continueAsNewSuggested;

  let publishedStage: string | undefined;
  const publishStage = (): void => {
    state.stage = stageAt(state, Date.now(), config.lifecycle);
    if (state.stage === publishedStage) return;
    publishedStage = state.stage;
    upsertSearchAttributes([
      { key: CustomerId, value: state.customerId },
      { key: LifecycleStage, value: state.stage },
    ]);
  };
  // What PostgreSQL has and what the Segments attribute says: what the previous run published (a
  // continued run with segments publishes them once more, as its attribute may start empty).
  let recordedSegments = state.audience?.segments.join();
  let publishedSegments = state.audience?.segments.length ? undefined : '';
  const publishSegments = async (): Promise<void> => {
    if (!state.audience) return;
    const segments = segmentsAt(definitions, state, state.audience, Date.now());
    state.audience.segments = segments;
    if (segments.join() !== publishedSegments) {
      publishedSegments = segments.join();
      upsertSearchAttributes([{ key: Segments, value: segments }]);
    }
    if (segments.join() === recordedSegments) return;
    recordedSegments = segments.join();
    const leaving = leftAudience(state, segments, registry, config).map(
      ({ workflowId, reason }) =>
        getExternalWorkflowHandle(workflowId)
          .signal(audienceLeftSignal, { reason })
          .catch(() => undefined), // it finished meanwhile
    );
    await Promise.all([localActivities.recordSegments(state.customerId, segments), ...leaving]);
  };
  const publish = async (): Promise<void> => {
    publishStage();
    await publishSegments();
  };
  await publish();

  while (!historyFull()) {
    const wakeAt = earliest(
      nextStageChangeAt(state, config.lifecycle),
      state.audience && nextSegmentChangeAt(definitions, state, state.audience, Date.now()),
    );
    const gotWork = () => queue.length > 0 || historyFull();
    if (wakeAt === undefined) await condition(gotWork);
    else await condition(gotWork, Math.max(wakeAt - Date.now(), 1));
    while (queue.length > 0 && !historyFull()) await handle(queue.shift()!, state, config, patches);
    await publish();
  }
  // Let in-flight handlers finish, then hand the state and any undelivered events to a new run.
  await condition(allHandlersFinished);
  return continueAsNew<typeof customer>({
    customerId: state.customerId,
    state,
    pending: queue,
    recentIds: recent.toArray(),
  });
}

async function handle(
  event: CustomerEvent,
  state: CustomerState,
  config: JourneysConfig,
  patches: CustomerPatches,
): Promise<void> {
  applyEvent(state, event, new Date().toISOString());
  state.stage = stageAt(state, Date.now(), config.lifecycle);
  // Journeys enter by the segments this event puts the customer in; they are published once the queue is done.
  applyToAudience(state, event, segmentDefinitions(config), Date.now());
  // Until its patch, a journey is still forwarded what it listened to before (JourneyEntry.listenedTo).
  const listenedStill = (entry: JourneyEntry): string[] =>
    entry.listenedTo && !patches.applies(entry.listenedTo.until) ? entry.listenedTo.events : [];
  const targets = forwardTargets(state, event, registry, config, listenedStill);
  if (state.audience) targets.push(...engagementTargets(state, event).filter((id) => !targets.includes(id)));
  const forwards = targets.map(
    (id) =>
      getExternalWorkflowHandle(id)
        .signal(eventSignal, event)
        .catch(() => delete state.running[id]), // it finished before it could tell us
  );
  if (!patches.applies(JOURNEYS_IN_ONE_TASK)) return handleAsBefore(event, state, config, forwards);
  // Backfilled history starts nothing (docs/architecture.md, decision 3).
  const starts = isStale(event, config) ? [] : journeysToStart(state, event, registry, config, Date.now());
  // Forwards and starts go out together: one workflow task, however many journeys the event touches.
  await Promise.all([
    ...forwards,
    ...starts
      .filter((s) => patches.mayStart(s.entry.name))
      .map((start) =>
        start.entry.joinAudience && patches.applies(AUDIENCE_LISTS)
          ? joinAudience(start, state)
          : startJourney(start, event, state, config),
      ),
  ]);
}

async function joinAudience(start: Start, state: CustomerState): Promise<void> {
  recordEntry(state, start, new Date().toISOString(), false);
  await start.entry.joinAudience!(state.customerId, start.key);
}

/**
 * Runs from before JOURNEYS_IN_ONE_TASK replay as they ran: forwards first, then one journey start
 * a workflow task, each behind the patches that guarded it then.
 */
async function handleAsBefore(
  event: CustomerEvent,
  state: CustomerState,
  config: JourneysConfig,
  forwards: Promise<unknown>[],
): Promise<void> {
  await Promise.all(forwards);
  if (isStale(event, config) && patched('fresh-events-only')) return;
  const starts = journeysToStart(state, event, registry, config, Date.now());
  for (const start of starts) {
    if (!patched(`start-${start.entry.name}`)) continue;
    // Journeys started before ids were made injective keep their old ids; replay must see them.
    const id = patched('injective-journey-ids') ? journeyWorkflowId : legacyJourneyWorkflowId;
    await startJourney(
      { ...start, workflowId: id(start.entry.name, state.customerId, start.key) },
      event,
      state,
      config,
    );
  }
}

/** The run's segments (none in a configuration recorded before segments existed). */
const segmentDefinitions = (config: JourneysConfig) => config.segments ?? {};

const earliest = (...times: (number | undefined)[]): number | undefined =>
  times.reduce<number | undefined>((a, t) => (t === undefined ? a : a === undefined ? t : Math.min(a, t)), undefined);

/** Older than the freshness window (by the backend's timestamp, against workflow time). */
function isStale(event: CustomerEvent, config: JourneysConfig): boolean {
  const window = config.customer.freshnessWindow ?? DEFAULT_FRESHNESS_WINDOW; // a run's config from before it
  return Date.now() - Date.parse(event.timestamp) > msToNumber(window);
}

async function startJourney(start: Start, event: CustomerEvent, state: CustomerState, config: JourneysConfig) {
  const { entry, key, workflowId } = start;
  recordEntry(state, start, new Date().toISOString());
  try {
    await startChild(entry.workflow, {
      workflowId,
      args: [
        {
          journey: entry.name,
          customerId: state.customerId,
          key,
          trigger: event,
          customer: snapshot(state),
          config: journeyConfig(entry, config) as never,
          messaging: config.messaging,
          parentWorkflowId: workflowInfo().workflowId,
        },
      ],
      // Journeys outlive this run: it continues as new while they sleep for days.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      typedSearchAttributes: [
        { key: CustomerId, value: state.customerId },
        { key: Journey, value: entry.name },
        { key: JourneyStep, value: 'start' },
      ],
      staticSummary: `${entry.name} for customer ${state.customerId}${key === undefined ? '' : ` (${key})`}`,
    });
    log.info('journey started', { journey: entry.name, journeyWorkflowId: workflowId, trigger: event.event });
  } catch (err) {
    // Already running (we lost track of it across a reset): keep treating it as running.
    if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
  }
}
