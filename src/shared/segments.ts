import { msToNumber } from '@temporalio/common/lib/time';
import type { CustomerState, LifecycleStage } from './customer';
import type { CustomerEvent } from './events';

// Segments: named conditions on what the customer workflow knows of its customer (traits,
// lifecycle stage, lifetime totals, groups, and events counted or summed in a window). The customer
// workflow evaluates them from its own state after every event and when a window moves on, so
// membership costs no scan of all customers (docs/architecture.md, decision 26). Pure and
// deterministic: the workflow, the configuration check and the tests share these functions.

type Scalar = string | number | boolean;

/** A number's bounds, both inclusive; at least one is given. */
export interface Bounds {
  atLeast?: number;
  atMost?: number;
}

/** Events of one name (whose properties equal `where`) in the last `within`: counted, or their `sum` property summed. */
export interface EventCondition extends Bounds {
  event: string;
  within: string;
  where?: Record<string, Scalar>;
  /** The property to add up (e.g. "revenue"); absent: the events are counted. */
  sum?: string;
}

export type SegmentCondition =
  | { all: SegmentCondition[] }
  | { any: SegmentCondition[] }
  | { not: SegmentCondition }
  /** An identify trait: equal to a value, one of several, or present at all. */
  | { trait: string; equals?: Scalar; in?: Scalar[]; exists?: boolean }
  /** The lifecycle stage is one of these. */
  | { stage: LifecycleStage[] }
  /** Lifetime totals the workflow keeps: orders placed, amount spent. */
  | ({ metric: 'orders' | 'totalSpent' } & Bounds)
  /** A group the backend put the customer in with Segment's group call (its groupId). */
  | { group: string }
  | EventCondition;

export type SegmentDefinitions = Record<string, SegmentCondition>;

/** What the workflow keeps for segments, in CustomerState.audience. */
export interface AudienceState {
  /** Segments the customer is in, sorted. */
  segments: string[];
  /** Per tally key (tallyKey): [epoch ms, value] of the matching events inside the longest window, oldest first. */
  tallies: Record<string, [number, number][]>;
  /** The identify traits segments read (the profile's own fields are in `profile`). */
  traits: Record<string, Scalar>;
  /** groupIds from group calls. */
  groups: string[];
}

/** At most this many events per tally: a customer's state stays small however busy they are. */
export const TALLY_LIMIT = 500;

export const newAudienceState = (): AudienceState => ({ segments: [], tallies: {}, traits: {}, groups: [] });

/** The tally an event condition reads: conditions on the same events and property share one. */
export const tallyKey = (c: EventCondition): string =>
  JSON.stringify([c.event, c.sum ?? null, Object.entries(c.where ?? {}).sort()]);

/** Every condition in a definition, nested ones included. */
function conditions(c: SegmentCondition): SegmentCondition[] {
  if ('all' in c) return [c, ...c.all.flatMap(conditions)];
  if ('any' in c) return [c, ...c.any.flatMap(conditions)];
  if ('not' in c) return [c, ...conditions(c.not)];
  return [c];
}

/** Computed once per definition object: a customer's every event reads them (they never change in a run). */
function memo<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    if (!cache.has(key)) cache.set(key, compute(key));
    return cache.get(key)!;
  };
}

const eventConditions = memo((defs: SegmentDefinitions): EventCondition[] =>
  Object.values(defs)
    .flatMap(conditions)
    .filter((c): c is EventCondition => 'event' in c),
);

/** An event condition's tally and window, in ms. */
const facts = memo((c: EventCondition) => ({ key: tallyKey(c), window: msToNumber(c.within as never) }));

/** The traits segments read. */
export const traitsRead = memo((defs: SegmentDefinitions): string[] => [
  ...new Set(
    Object.values(defs)
      .flatMap(conditions)
      .flatMap((c) => ('trait' in c ? [c.trait] : [])),
  ),
]);

const isScalar = (v: unknown): v is Scalar => ['string', 'number', 'boolean'].includes(typeof v);

/** Keeps what segments read from one event: its traits, its group, and its place in each tally. */
export function recordForSegments(
  audience: AudienceState,
  event: CustomerEvent,
  defs: SegmentDefinitions,
  now: number,
): void {
  for (const name of traitsRead(defs)) {
    const value = event.traits?.[name];
    if (value === null) delete audience.traits[name];
    else if (isScalar(value)) audience.traits[name] = value;
  }
  const groupId = event.type === 'group' ? event.properties?.group_id : undefined;
  if (typeof groupId === 'string' && !audience.groups.includes(groupId)) audience.groups.push(groupId);
  // An event is counted when it happened (a backfilled order counts in its window), never in the future.
  const at = Math.min(Date.parse(event.timestamp) || now, now);
  const conditions = eventConditions(defs);
  const keys = new Set(conditions.map((c) => facts(c).key));
  for (const key of Object.keys(audience.tallies)) if (!keys.has(key)) delete audience.tallies[key]; // a definition gone
  // Each tally this event belongs to, kept for the longest window that reads it.
  const matched = new Map<string, { condition: EventCondition; window: number }>();
  for (const c of conditions) {
    if (!matchesCondition(c, event)) continue;
    const { key, window } = facts(c);
    const known = matched.get(key);
    if (!known || known.window < window) matched.set(key, { condition: c, window });
  }
  for (const [key, { condition, window }] of matched) {
    const value = condition.sum === undefined ? 1 : Number(event.properties?.[condition.sum]);
    if (!Number.isFinite(value)) continue;
    const tally = audience.tallies[key] ?? [];
    const expired = tally.findIndex(([t]) => t > now - window);
    tally.splice(0, expired < 0 ? tally.length : expired);
    // In time order; an event that happened before the newest one kept (a late delivery) goes in its place.
    let i = tally.length;
    while (i > 0 && tally[i - 1][0] > at) i--;
    tally.splice(i, 0, [at, value]);
    if (tally.length > TALLY_LIMIT) tally.splice(0, tally.length - TALLY_LIMIT);
    audience.tallies[key] = tally;
  }
}

function matchesCondition(c: EventCondition, event: CustomerEvent): boolean {
  if (event.event !== c.event) return false;
  return Object.entries(c.where ?? {}).every(([k, v]) => event.properties?.[k] === v);
}

const within = (value: number, b: Bounds): boolean =>
  (b.atLeast === undefined || value >= b.atLeast) && (b.atMost === undefined || value <= b.atMost);

/** Whether the customer meets `c` at `now`. */
export function meets(c: SegmentCondition, state: CustomerState, audience: AudienceState, now: number): boolean {
  if ('all' in c) return c.all.every((x) => meets(x, state, audience, now));
  if ('any' in c) return c.any.some((x) => meets(x, state, audience, now));
  if ('not' in c) return !meets(c.not, state, audience, now);
  if ('stage' in c) return c.stage.includes(state.stage);
  if ('metric' in c) return within(state[c.metric], c);
  if ('group' in c) return audience.groups.includes(c.group);
  if ('trait' in c) {
    const profile = state.profile as Record<string, string | undefined>;
    const value = audience.traits[c.trait] ?? profile[c.trait];
    if (c.exists !== undefined && (value !== undefined) !== c.exists) return false;
    if (c.equals !== undefined && value !== c.equals) return false;
    return c.in === undefined || (value !== undefined && c.in.includes(value));
  }
  const { key, window } = facts(c);
  const since = now - window;
  const total = (audience.tallies[key] ?? []).reduce((sum, [t, v]) => (t > since ? sum + v : sum), 0);
  return within(total, c);
}

/** The segments the customer is in at `now`, sorted. */
export function segmentsAt(
  defs: SegmentDefinitions,
  state: CustomerState,
  audience: AudienceState,
  now: number,
): string[] {
  return Object.keys(defs)
    .filter((name) => meets(defs[name], state, audience, now))
    .sort();
}

/** What one event does to the customer's segments: recorded for them, and membership decided anew. */
export function applyToAudience(
  state: CustomerState,
  event: CustomerEvent,
  defs: SegmentDefinitions,
  now: number,
): void {
  if (!state.audience) return;
  recordForSegments(state.audience, event, defs, now);
  state.audience.segments = segmentsAt(defs, state, state.audience, now);
}

/**
 * The moments, after `now`, at which event condition `c` turns true or false by itself, as the
 * events it counts leave its window (with no further event, its total only falls).
 */
function flips(c: EventCondition, tally: [number, number][], now: number): number[] {
  const { window } = facts(c);
  const inside = tally.filter(([t]) => t > now - window);
  let total = inside.reduce((sum, [, v]) => sum + v, 0);
  let holds = within(total, c);
  const moments: number[] = [];
  for (const [t, v] of inside) {
    total -= v;
    if (within(total, c) !== holds) moments.push(t + window);
    holds = within(total, c);
  }
  return moments;
}

/**
 * When, with no further event, membership next changes by itself: the first moment an event
 * condition turns by its window moving on and the segments differ. Undefined when none can.
 * (The lifecycle stage moves by time too; the workflow wakes for that on its own.)
 */
export function nextSegmentChangeAt(
  defs: SegmentDefinitions,
  state: CustomerState,
  audience: AudienceState,
  now: number,
): number | undefined {
  const current = segmentsAt(defs, state, audience, now).join();
  const moments = [
    ...new Set(eventConditions(defs).flatMap((c) => flips(c, audience.tallies[facts(c).key] ?? [], now))),
  ].sort((a, b) => a - b);
  return moments.find((t) => segmentsAt(defs, state, audience, t).join() !== current);
}
