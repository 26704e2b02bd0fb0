import { msToNumber } from '@temporalio/common/lib/time';
import type { JourneysConfig } from '../../config/schema';
import type { CustomerState } from '../../shared/customer';
import type { CustomerEvent } from '../../shared/events';
import { journeyWorkflowId } from '../../shared/signals';
import type { JourneyEntry, Reentry } from '../dsl/journey-entry';

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

/** Journeys this event starts: triggered, enabled, not already running, and allowed to re-enter. */
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
    if (entry.when && !entry.when(event, state, c)) continue;
    const key = entry.key?.(event);
    if (entry.key && key === undefined) continue; // a keyed journey needs its key (cart id, order id...)
    // Running under either id scheme: the same journey and key.
    if (Object.values(state.running).some((run) => run.journey === entry.name && run.key === key)) continue;
    if (!mayEnter(state, entry.name, key, entry.reentry(c), now)) continue;
    starts.push({ entry, key, workflowId: journeyWorkflowId(entry.name, state.customerId, key) });
  }
  return starts;
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
