import type { Pool } from 'pg';
import { storeEvents, type StoredEvent } from './events';
import { GroupCommit } from './group-commit';

/**
 * Statements one API process keeps in flight. Two keep PostgreSQL busy while the next group
 * gathers; more make smaller groups, and each statement costs the API's single core more than
 * the commit it saves (measured at 64 requests in flight: eight parallel writes carried about 4
 * events a statement, two carry about 14, and the API answers more requests a second).
 */
const PARALLEL_WRITES = 2;
/** The most events one statement carries (a batch of 2,500 always fits whole). */
const MAX_GROUP_EVENTS = 5000;

/**
 * How the API stores what requests bring: the events of many requests in one statement (group
 * commit). A request's promise settles once its events are durably stored (accepted), or fails
 * with its group; its events stay together and in order.
 */
export function eventWriter(pool: Pool): (events: StoredEvent[]) => Promise<void> {
  const groups = new GroupCommit<StoredEvent>((events) => storeEvents(pool, events), {
    parallel: PARALLEL_WRITES,
    maxItems: MAX_GROUP_EVENTS,
  });
  return (events) => groups.add(events);
}
