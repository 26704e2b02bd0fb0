import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { isDatabaseUnreachable } from '../db/errors';
import { leaseCustomers, markDelivered, pendingEvents, projectEvents, releaseLease, renewLease } from '../db/dispatch';
import { linksToRetire, retireAnonymous, type Link } from '../db/identity';
import { endCustomer } from '../temporal/customer-workflows';
import { isTemporalUnavailable } from '../temporal/errors';
import { deliverEvents } from './deliver';
import { listenForEvents, type Listener } from './listen';

export interface DispatcherOptions {
  pool: Pool;
  temporal: Client;
  /**
   * Customers delivered to at once. Each waits on Temporal (no database connection held), and
   * when events trickle in, one signal carries one event: this, over a signal's latency, is what
   * it delivers then.
   */
  concurrency?: number;
  /** The most events one signal carries (a burst is several signals, in order). */
  batchSize?: number;
  /** How long a customer stays this dispatcher's without a renewal: a crashed one's runs out. */
  leaseMs?: number;
  /** How long delivering one signal may take before Temporal counts as unavailable. */
  deliveryTimeoutMs?: number;
  /** A notification wakes the dispatcher at once; without one it looks this often anyway. */
  pollMs?: number;
  /** How long a customer waits after Temporal or PostgreSQL failed, before it is tried again. */
  retryAfterMs?: number;
  /** How long after a visitor was linked to a customer their anonymous workflows are ended. */
  retireAfterMs?: number;
  /** The PostgreSQL URL to LISTEN on; absent, the dispatcher only polls. */
  listenUrl?: string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Told of every batch delivered and every failure, for the metrics. */
  onDelivered?: (events: number) => void;
  onFailure?: (service: 'temporal' | 'postgres' | 'bug') => void;
}

/**
 * Delivers stored events to the customer workflows: the one path every accepted event takes after
 * the API has stored it. It leases customers with waiting events (one dispatcher a customer at a
 * time, so their order holds), projects each customer's events in order, hands them to the
 * workflow in one signal, marks them delivered and looks again. Every step can be repeated: a
 * crash anywhere redelivers at most what was not yet marked, and the workflow ignores a messageId
 * it has seen. Several dispatchers (processes) share the work safely.
 */
export class Dispatcher {
  readonly holder = `dispatcher-${randomUUID()}`;
  private readonly o: Required<Omit<DispatcherOptions, 'listenUrl' | 'onDelivered' | 'onFailure'>> &
    Pick<DispatcherOptions, 'listenUrl' | 'onDelivered' | 'onFailure'>;
  private running = false;
  private stopping = false;
  private readonly inFlight = new Set<Promise<void>>();
  private wake: () => void = () => undefined;
  /** A notification came since the last lease: look again before pausing, or it waits for the poll. */
  private nudged = false;
  private retiring: Promise<void> | undefined;
  private lastRetired = 0;
  private listener: Listener | undefined;
  private loop: Promise<void> | undefined;

  constructor(options: DispatcherOptions) {
    this.o = {
      concurrency: 64,
      batchSize: 200,
      leaseMs: 30_000,
      deliveryTimeoutMs: 10_000,
      pollMs: 1000,
      retryAfterMs: 5000,
      retireAfterMs: options.leaseMs ?? 30_000,
      log: () => undefined,
      // An option given as undefined (an unset variable) keeps its default.
      ...(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as DispatcherOptions),
    };
  }

  /** Starts delivering, until `stop()`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    if (this.o.listenUrl) this.listener = listenForEvents(this.o.listenUrl, () => this.nudge(), this.o.log);
    this.loop = this.run();
  }

  /** Stops leasing, lets deliveries in flight finish, and gives their customers back. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    this.wake();
    await this.loop;
    await this.listener?.close();
  }

  /**
   * Delivers everything waiting now, then resolves (for tests and scripts): what this dispatcher
   * can lease; customers another one holds are theirs.
   */
  async drain(): Promise<void> {
    for (;;) {
      const customers = await leaseCustomers(this.o.pool, this.holder, this.o.concurrency, this.o.leaseMs);
      if (customers.length === 0) return;
      await Promise.all(customers.map((c) => this.dispatch(c)));
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      const room = this.o.concurrency - this.inFlight.size;
      this.nudged = false; // the lease below sees every event stored until now
      let leased: string[] = [];
      if (room > 0) {
        try {
          leased = await leaseCustomers(this.o.pool, this.holder, room, this.o.leaseMs);
        } catch (err) {
          this.failed(err, 'leasing customers');
        }
      }
      for (const customerId of leased) {
        const job = this.dispatch(customerId).finally(() => {
          this.inFlight.delete(job);
          this.nudge();
        });
        this.inFlight.add(job);
      }
      if (leased.length === 0) this.retireNow();
      // Full, or nothing to do: wait for a delivery to finish, a notification, or the poll.
      if (leased.length === 0 || this.inFlight.size >= this.o.concurrency) await this.pause();
    }
    await Promise.all([...this.inFlight, this.retiring]);
  }

  private nudge(): void {
    this.nudged = true;
    this.wake();
  }

  /** Retires linked visitors in the background, at most once a poll interval (it asks Temporal). */
  private retireNow(): void {
    if (this.retiring || Date.now() - this.lastRetired < this.o.pollMs) return;
    this.retiring = this.retireLinked().finally(() => {
      this.retiring = undefined;
      this.lastRetired = Date.now();
    });
  }

  /**
   * Ends the workflows of anonymous visitors who turned out to be customers (their events were
   * moved to the customer when the link was made) and removes what they left in PostgreSQL.
   */
  private async retireLinked(): Promise<void> {
    const { pool, temporal } = this.o;
    let links: Link[] = [];
    try {
      links = await linksToRetire(pool, 10, this.o.retireAfterMs);
    } catch (err) {
      this.failed(err, 'reading identity links');
    }
    for (const link of links) {
      try {
        await endCustomer(temporal, link.anonymousId, `merged into customer ${link.customerId}`);
        await retireAnonymous(pool, link.anonymousId);
      } catch (err) {
        this.failed(err, `retiring ${link.anonymousId}`);
      }
    }
  }

  private pause(): Promise<void> {
    if (this.nudged) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.o.pollMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Delivers one leased customer's waiting events, batch by batch, then gives the customer back. */
  private async dispatch(customerId: string): Promise<void> {
    const { pool } = this.o;
    try {
      for (;;) {
        const pending = await pendingEvents(pool, customerId, this.o.batchSize);
        if (pending.length === 0) break;
        await projectEvents(pool, customerId, pending);
        await deliverEvents(
          this.o.temporal,
          customerId,
          pending.map((p) => p.event),
          this.o.deliveryTimeoutMs,
        );
        const done = pending.length < this.o.batchSize || this.stopping;
        const seqs = pending.map((p) => p.seq);
        await markDelivered(pool, customerId, seqs, done ? this.holder : undefined);
        this.o.onDelivered?.(pending.length);
        if (done) return;
        if (!(await renewLease(pool, customerId, this.holder, this.o.leaseMs))) return; // another took over
      }
      await releaseLease(pool, customerId, this.holder); // nothing was waiting after all
    } catch (err) {
      this.failed(err, `delivering to customer ${customerId}`, customerId);
      // Keep the customer a while: no other dispatcher hammers a backend that just failed.
      await releaseLease(pool, customerId, this.holder, this.o.retryAfterMs).catch(() => undefined);
    }
  }

  private failed(err: unknown, doing: string, customerId?: string): void {
    const service = isTemporalUnavailable(err) ? 'temporal' : isDatabaseUnreachable(err) ? 'postgres' : 'bug';
    this.o.onFailure?.(service);
    const message = (err as Error)?.message ?? String(err);
    this.o.log(service === 'bug' ? `dispatch failed ${doing}` : `${service} unavailable ${doing}; retrying`, {
      err: message,
      customerId,
      service,
    });
  }
}
