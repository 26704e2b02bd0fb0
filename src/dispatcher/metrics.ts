import type { Pool } from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';
import { backlog, type Backlog } from '../db/dispatch';
import type { DispatcherOptions } from './dispatcher';

/**
 * What the dispatcher did, as Prometheus counters on `registry`: events delivered, the signals
 * that carried them (fewer than the events when a customer's burst was coalesced), and failures by
 * the service that failed. Returns the hooks to give the Dispatcher.
 */
export function dispatcherMetrics(registry: Registry): Pick<DispatcherOptions, 'onDelivered' | 'onFailure'> {
  const delivered = new Counter({
    name: 'journeys_events_delivered_total',
    help: 'Stored events delivered to their customer workflow',
    registers: [registry],
  });
  const signals = new Counter({
    name: 'journeys_event_signals_total',
    help: 'Signals that delivered stored events (one carries all of a customer’s waiting events)',
    registers: [registry],
  });
  const failures = new Counter({
    name: 'journeys_event_delivery_failures_total',
    help: 'Deliveries that failed and wait for a retry, by the service that failed (bug: neither was down)',
    labelNames: ['service'],
    registers: [registry],
  });
  return {
    onDelivered: (events) => {
      delivered.inc(events);
      signals.inc();
    },
    onFailure: (service) => failures.inc({ service }),
  };
}

/** How long a scrape reuses the backlog it read: both gauges come from one query. */
const BACKLOG_CACHE_MS = 1000;

/**
 * The backlog as PostgreSQL has it, read at each scrape, so any process shows the whole picture
 * whichever dispatcher delivers: events waiting, and how long the oldest has waited.
 */
export function backlogMetrics(registry: Registry, pool: Pool): void {
  let read: { at: number; value: Promise<Backlog | undefined> } | undefined;
  // PostgreSQL down leaves the gauges as they were: the rest of /metrics still answers.
  const current = () => {
    if (!read || Date.now() - read.at > BACKLOG_CACHE_MS) {
      read = { at: Date.now(), value: backlog(pool).catch(() => undefined) };
    }
    return read.value;
  };
  new Gauge({
    name: 'journeys_events_pending',
    help: 'Events stored and not yet delivered to their customer workflow',
    registers: [registry],
    async collect() {
      const now = await current();
      if (now) this.set(now.pending);
    },
  });
  new Gauge({
    name: 'journeys_events_oldest_pending_age_seconds',
    help: 'How long the oldest undelivered event has waited (0 when none waits)',
    registers: [registry],
    async collect() {
      const now = await current();
      if (now) this.set(now.oldestAgeSeconds);
    },
  });
}
