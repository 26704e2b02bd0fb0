import type { Duration } from '@temporalio/common';
import type { JourneyConfigs } from '../../config/schema';
import type { CustomerState } from '../../shared/customer';
import type { CustomerEvent } from '../../shared/events';
import type { JourneyInput, JourneyResult } from '../../shared/journey';

/**
 * Whether a customer may enter a journey instance again: never (`once`, or `once-per-key`), after a
 * cool-down since the last entry, or whenever the instance is not running (`repeat`).
 */
export type Reentry = 'once' | 'once-per-key' | 'repeat' | { cooldown: Duration };

/** One line of the registry: which event starts which journey, keyed how, re-entered when. */
export interface JourneyEntry<K extends keyof JourneyConfigs = keyof JourneyConfigs> {
  /** The journey's name, in workflow ids and the `Journey` search attribute. */
  name: string;
  /** Its section of the configuration. */
  config: K;
  workflow: (input: JourneyInput<JourneyConfigs[K]>) => Promise<JourneyResult>;
  /** Events that start it. */
  startsOn: (config: JourneyConfigs[K]) => string[];
  /** Further condition on the starting event and the customer's state (already updated by it). */
  when?: (event: CustomerEvent, customer: CustomerState, config: JourneyConfigs[K]) => boolean;
  /**
   * The entry condition customer runs from before segments keep (their history started the journey
   * by it), where today's runs check `when` and the journey's `audience` segments.
   */
  whenBeforeSegments?: (event: CustomerEvent, customer: CustomerState, config: JourneyConfigs[K]) => boolean;
  /** Instance key from the event, for journeys that run once per cart, order, product... */
  key?: (event: CustomerEvent) => string | undefined;
  reentry: (config: JourneyConfigs[K]) => Reentry;
  /** Events forwarded to a running instance (same key when the event carries one). */
  listensTo: (config: JourneyConfigs[K]) => string[];
  /**
   * Events it was forwarded until the patch `until`: a customer workflow run that has not
   * recorded that patch still forwards them, so its history replays as it ran.
   */
  listenedTo?: { until: string; events: string[] };
  /**
   * For a journey whose one message goes to many customers at once: instead of a workflow per
   * customer, the customer workflow puts the customer on the audience's list (an activity), and
   * the message goes out in batches when the list is announced (back in stock: src/workflows/product.ts).
   */
  joinAudience?: (customerId: string, key: string | undefined) => Promise<void>;
}

/** Type-checks one registry entry against its configuration section. */
export function defineJourney<K extends keyof JourneyConfigs>(entry: JourneyEntry<K>): JourneyEntry {
  return entry as unknown as JourneyEntry;
}
