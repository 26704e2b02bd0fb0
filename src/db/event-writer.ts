import type { Pool } from 'pg';
import { storeEvents, type StoredEvent } from './events';

/** Statements one writer keeps in flight; more requests wait and join the next group. */
const PARALLEL_WRITES = 4;
/** The most events one statement carries (a batch of 2,500 always fits whole). */
const MAX_GROUP_EVENTS = 5000;

interface Waiting {
  events: StoredEvent[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Stores the events of many requests together (group commit): while statements are in flight,
 * the requests that arrive meanwhile wait and go in the next one, so 64 requests in flight cost a
 * few commits, not 64. Each request's promise settles once its group is committed (accepted means
 * durably stored), or fails with it; a request's events stay together and in order.
 */
export class EventWriter {
  private readonly waiting: Waiting[] = [];
  private writes = 0;

  constructor(private readonly pool: Pool) {}

  store(events: StoredEvent[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ events, resolve, reject });
      if (this.writes < PARALLEL_WRITES) void this.write();
    });
  }

  private async write(): Promise<void> {
    this.writes++;
    try {
      while (this.waiting.length > 0) {
        const group = this.nextGroup();
        try {
          await storeEvents(
            this.pool,
            group.flatMap((w) => w.events),
          );
          for (const w of group) w.resolve();
        } catch (err) {
          for (const w of group) w.reject(err);
        }
      }
    } finally {
      this.writes--;
    }
  }

  /** Whole requests from the front of the queue, up to MAX_GROUP_EVENTS (at least one request). */
  private nextGroup(): Waiting[] {
    let count = 0;
    let n = 0;
    while (n < this.waiting.length && (n === 0 || count + this.waiting[n].events.length <= MAX_GROUP_EVENTS)) {
      count += this.waiting[n].events.length;
      n++;
    }
    return this.waiting.splice(0, n);
  }
}
