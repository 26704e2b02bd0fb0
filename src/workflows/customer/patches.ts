import { patched } from '@temporalio/workflow';
import type { JourneyEntry } from '../dsl/journey-entry';
import { SIGNS_OF_LIFE_LOOKED_UP } from '../../journeys/re-engagement/journey';

/**
 * Since this patch a customer run decides its patches in its first activation, before it awaits
 * its configuration (a local activity). A query that reaches a new customer while that load is in
 * flight can close the first workflow task at the load's marker and carry the rest into the next
 * task; a patch first asked after the load is then recorded one task later than replay asks it,
 * and every worker without the customer in its cache failed its tasks (docs/architecture.md,
 * decision 23). A run that has this patch takes every patch in `IMPLIED` as given.
 */
export const PATCHES_AT_START = 'patches-at-start';

/** Since this patch, an event's forwards and journey starts share one workflow task. */
export const JOURNEYS_IN_ONE_TASK = 'journeys-in-one-task';

/** Since this patch, a journey with an audience list (back in stock) starts no workflow: the customer joins the list. */
export const AUDIENCE_LISTS = 'audience-lists';

/** The customer workflow's patches from before PATCHES_AT_START. Never add to this list. */
const IMPLIED = [JOURNEYS_IN_ONE_TASK, AUDIENCE_LISTS, SIGNS_OF_LIFE_LOOKED_UP];

/**
 * The registry when JOURNEYS_IN_ONE_TASK came: code that has that patch knows them all. A journey
 * added since must not start on events that running customers handled before it existed (replay
 * would hit a child start their history never had), so it starts behind a patch of its own. Never
 * add to this list; retire a journey with `enabled: false`, never by deleting its registry entry.
 */
const IN_REGISTRY_SINCE_ONE_TASK = [
  'welcome',
  'abandoned-cart',
  'post-purchase',
  'loyalty',
  'lead-nurture',
  'browse-abandonment',
  'birthday',
  'anniversary',
  're-engagement',
  'back-in-stock',
];

/**
 * Since this patch the customer run evaluates segments after every event, publishes them (the
 * Segments search attribute, PostgreSQL), enters journeys by their audience, ends journeys whose
 * customer left it, and forwards opens and clicks to the journey that sent the email.
 */
export const AUDIENCES = 'audiences';

const startPatch = (journey: string): string => `start-${journey}`;

export interface CustomerPatches {
  /** Whether a patch of the customer workflow applies to this run. */
  applies(patchId: string): boolean;
  /** Whether this run may start `journey` (one added to the registry since runs may predate it). */
  mayStart(journey: string): boolean;
}

/**
 * Call before the run's first await. Patches that came after PATCHES_AT_START (a journey added to
 * the registry, a journey that stopped listening to an event) are asked here too, for the same
 * reason; the SDK keeps each decision, so asking again later records nothing more.
 */
export function customerPatches(registry: JourneyEntry[]): CustomerPatches {
  const atStart = patched(PATCHES_AT_START);
  const later = [
    AUDIENCES,
    ...registry.filter((e) => !IN_REGISTRY_SINCE_ONE_TASK.includes(e.name)).map((e) => startPatch(e.name)),
    ...registry.flatMap((e) => (e.listenedTo ? [e.listenedTo.until] : [])).filter((id) => !IMPLIED.includes(id)),
  ];
  for (const patchId of later) patched(patchId);
  return {
    applies: (patchId) => (atStart && IMPLIED.includes(patchId)) || patched(patchId),
    mayStart: (journey) => IN_REGISTRY_SINCE_ONE_TASK.includes(journey) || patched(startPatch(journey)),
  };
}
