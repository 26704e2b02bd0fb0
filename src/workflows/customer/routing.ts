import { msToNumber } from '@temporalio/common/lib/time';
import type { JourneysConfig } from '../../config/schema';
import type { CustomerState } from '../../shared/customer';
import { journeyWorkflowId } from '../../shared/signals';
import { Events, type CustomerEvent } from '../../shared/events';
import type { JourneyEntry, Reentry } from '../dsl/journey-entry';

type Audience = JourneysConfig['journeys']['welcome']['audience'];

// Which journeys one event starts, and which running ones it is forwarded to.

export interface Start {
  entry: JourneyEntry;
  key?: string;
  /** Under today's id scheme; the customer workflow keeps the legacy one where its history has it. */
  workflowId: string;
}

/** How many per-key re-entry records a customer keeps (carts, orders...); the oldest fall out first. */
const ENTERED_LIMIT = 200;

const instance = (journey: string, key?: string): string => (key === undefined ? journey : `${journey}:${key}`);

/**
 * The journey's configuration section; undefined in a customer run whose configuration was loaded
 * before the journey existed (a run keeps the configuration it began with): there, the journey is
 * neither started nor forwarded to, until the run continues as new with today's configuration.
 */
export function journeyConfig(entry: JourneyEntry, config: JourneysConfig) {
  return config.journeys[entry.config] as JourneysConfig['journeys'][typeof entry.config] | undefined;
}

/**
 * Running journeys that listen for this event (and share its key, if the event carries one).
 * `formerly`: what else a journey still listens to in this run (JourneyEntry.listenedTo).
 */
export function forwardTargets(
  state: CustomerState,
  event: CustomerEvent,
  registry: JourneyEntry[],
  config: JourneysConfig,
  formerly: (entry: JourneyEntry) => string[] = () => [],
): string[] {
  return Object.entries(state.running)
    .filter(([, run]) => {
      const entry = registry.find((e) => e.name === run.journey);
      const section = entry && journeyConfig(entry, config);
      if (!entry || !section) return false;
      const listens = [...entry.listensTo(section), ...formerly(entry)];
      if (!listens.includes(event.event)) return false;
      const eventKey = entry.key?.(event);
      return eventKey === undefined || eventKey === run.key;
    })
    .map(([workflowId]) => workflowId);
}

/**
 * Journeys this event starts: triggered, enabled, for this customer (its audience's segments and its
 * own condition), not already running, and allowed to re-enter. A run from before segments
 * (`state.audience` absent) enters as it did then.
 */
export function journeysToStart(
  state: CustomerState,
  event: CustomerEvent,
  registry: JourneyEntry[],
  config: JourneysConfig,
  now: number,
): Start[] {
  const starts: Start[] = [];
  for (const entry of registry) {
    const c = journeyConfig(entry, config);
    if (!c?.enabled || !entry.startsOn(c).includes(event.event)) continue;
    const when = state.audience ? entry.when : (entry.whenBeforeSegments ?? entry.when);
    if (when && !when(event, state, c)) continue;
    if (state.audience && !inAudience(c.audience, state.audience.segments)) continue;
    const key = entry.key?.(event);
    if (entry.key && key === undefined) continue; // a keyed journey needs its key (cart id, order id...)
    // Running under either id scheme: the same journey and key.
    if (Object.values(state.running).some((run) => run.journey === entry.name && run.key === key)) continue;
    if (!mayEnter(state, entry.name, key, entry.reentry(c), now)) continue;
    starts.push({ entry, key, workflowId: journeyWorkflowId(entry.name, state.customerId, key) });
  }
  return starts;
}

/** Whether a customer in `segments` is in a journey's audience (runs from before audiences have none). */
export function inAudience(rule: Audience | undefined, segments: string[]): boolean {
  if (!rule) return true;
  return rule.require.every((s) => segments.includes(s)) && !rule.exclude.some((s) => segments.includes(s));
}

/**
 * Running journeys to end because the customer, now in `segments`, left their audience: those whose
 * audience says `exitOnLeave`, with the reason each is told.
 */
export function leftAudience(
  state: CustomerState,
  segments: string[],
  registry: JourneyEntry[],
  config: JourneysConfig,
): { workflowId: string; reason: string }[] {
  return Object.entries(state.running).flatMap(([workflowId, run]) => {
    const entry = registry.find((e) => e.name === run.journey);
    const rule = entry && journeyConfig(entry, config)?.audience;
    if (!rule?.exitOnLeave || inAudience(rule, segments)) return [];
    const left = rule.require.find((s) => !segments.includes(s));
    const reason = left ? `left segment ${left}` : `joined segment ${rule.exclude.find((s) => segments.includes(s))}`;
    return [{ workflowId, reason }];
  });
}

/** Opens and clicks go to the running journeys that sent the email (its `campaign_name`), for their engagement branches. */
export function engagementTargets(state: CustomerState, event: CustomerEvent): string[] {
  if (event.event !== Events.EmailOpened && event.event !== Events.EmailLinkClicked) return [];
  const journey = event.properties?.campaign_name;
  return Object.entries(state.running)
    .filter(([, run]) => run.journey === journey)
    .map(([workflowId]) => workflowId);
}

function mayEnter(state: CustomerState, journey: string, key: string | undefined, rule: Reentry, now: number): boolean {
  if (rule === 'once') return state.entered[journey] === undefined;
  if (rule === 'repeat') return true;
  const last = state.entered[instance(journey, key)];
  if (rule === 'once-per-key' || last === undefined) return last === undefined;
  return now - Date.parse(last) >= msToNumber(rule.cooldown);
}

/** Records that the customer entered the journey; `runs`: as a workflow of its own (not an audience list). */
export function recordEntry(state: CustomerState, start: Start, now: string, runs = true): void {
  state.entered[start.entry.name] = now;
  if (start.key !== undefined) state.entered[instance(start.entry.name, start.key)] = now;
  const keyed = Object.keys(state.entered).filter((k) => k.includes(':'));
  for (const old of keyed.slice(0, Math.max(0, keyed.length - ENTERED_LIMIT))) delete state.entered[old];
  if (runs) state.running[start.workflowId] = { journey: start.entry.name, key: start.key, startedAt: now };
}
