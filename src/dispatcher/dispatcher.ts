import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { isDatabaseUnreachable } from '../db/errors';
import {
  leaseWaiting,
  markDelivered,
  projectEvents,
  releaseLeasesAfter,
  type Delivery,
  type LeasedCustomer,
} from '../db/dispatch';
import { GroupCommit } from '../db/group-commit';
import { linksToRetire, retireAnonymous, type Link } from '../db/identity';
import type { NearbyStoreRule } from '../db/locations';
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
  /**
   * How long a leased customer stays this dispatcher's: one delivery (projection, signal within
   * deliveryTimeoutMs, record) ends well within it, and a crashed dispatcher's lease runs out.
   * Were it to run out mid-delivery, another dispatcher would deliver the same events again, in
   * order, and the workflow would ignore the repeats.
   */
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
  /**
   * The nearby-store journey's rule while it is on (`nearbyStoreRule` of the configuration): a
   * located event within its radius of a store then derives a Store Nearby event. Absent: none.
   */
  nearbyStore?: NearbyStoreRule;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Told of every batch delivered and every failure, for the metrics. */
  onDelivered?: (events: number) => void;
  onFailure?: (service: 'temporal' | 'postgres' | 'bug') => void;
}

/**
 * Delivers stored events to the customer workflows: the one path every accepted event takes after
 * the API has stored it. Round by round, it leases customers with waiting events together with
 * those events, in one statement (one dispatcher a customer at a time, so their order holds); then
 * projects each customer's events, hands them to their workflow in one signal, and records them
 * delivered, giving the customer back, in one statement with the others finished meanwhile.
 * Every step can be repeated: a crash anywhere redelivers at most what was not yet marked, and the
 * workflow ignores a messageId it has seen. Several dispatchers (processes) share the work safely.
 */
export class Dispatcher {
  readonly holder = `dispatcher-${randomUUID()}`;
  private readonly o: Required<Omit<DispatcherOptions, 'listenUrl' | 'nearbyStore' | 'onDelivered' | 'onFailure'>> &
    Pick<DispatcherOptions, 'listenUrl' | 'nearbyStore' | 'onDelivered' | 'onFailure'>;
  private running = false;
  /** Customers being delivered to (each until their delivery is recorded). */
  private readonly inFlight = new Set<Promise<void>>();
  private wake: () => void = () => undefined;
  /** A notification came since the last lease: look again before pausing, or it waits for the poll. */
  private nudged = false;
  /** Deliveries finished at once are recorded in one statement. */
  private readonly marks: GroupCommit<Delivery>;
  /** Customers that could not be given back (PostgreSQL was down): given back on a later round. */
  private readonly unreleased = new Set<string>();
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
    this.marks = new GroupCommit((deliveries) => markDelivered(this.o.pool, deliveries, this.holder), {
      parallel: 1,
      maxItems: this.o.concurrency,
    });
  }

  /** Starts delivering, until `stop()`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.o.listenUrl) this.listener = listenForEvents(this.o.listenUrl, () => this.nudge(), this.o.log);
    this.loop = this.run();
  }

  /** Stops leasing, lets deliveries in flight finish, and gives their customers back. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await this.listener?.close();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.nudged = false; // the lease below sees every event stored until now
      await this.giveBackUnreleased();
      const room = this.o.concurrency - this.inFlight.size;
      const round = room > 0 ? await this.leaseRound(room) : [];
      for (const customer of round) {
        const job = this.deliver(customer).finally(() => {
          this.inFlight.delete(job);
          this.nudge();
        });
        this.inFlight.add(job);
      }
      if (round.length === 0) this.retireNow();
      // Full, or nothing to do: wait for a delivery to finish, a notification, or the poll.
      if (round.length === 0 || this.inFlight.size >= this.o.concurrency) await this.pause();
    }
    await Promise.all([...this.inFlight, this.retiring]);
  }

  /** Leases up to `room` customers, with their waiting events. */
  private async leaseRound(room: number): Promise<LeasedCustomer[]> {
    try {
      return await leaseWaiting(this.o.pool, this.holder, room, this.o.batchSize, this.o.leaseMs);
    } catch (err) {
      this.failed(err, 'leasing customers');
      return [];
    }
  }

  /**
   * Projects one leased customer's events, hands them to their workflow, and records them
   * delivered. Customers go in parallel, each in its own transaction: one whose event the
   * projection refuses (a bug) holds no other up.
   */
  private async deliver({ customerId, events }: LeasedCustomer): Promise<void> {
    try {
      await projectEvents(this.o.pool, events, this.o.nearbyStore);
      await deliverEvents(
        this.o.temporal,
        customerId,
        events.map((p) => p.event),
        this.o.deliveryTimeoutMs,
      );
      await this.marks.add([{ customerId, seqs: events.map((p) => p.seq) }]);
      this.o.onDelivered?.(events.length);
    } catch (err) {
      // Not delivered, or delivered and not recorded: either way delivered (again) later, and the
      // workflow ignores what it has seen.
      this.failed(err, `delivering to customer ${customerId}`, customerId);
      await this.giveBack([customerId]);
    }
  }

  /**
   * Gives customers back after a failure, to be tried again after retryAfterMs (no dispatcher
   * hammers a backend that just failed). With PostgreSQL down too, they are kept and given back
   * once it answers, rather than waiting out their lease.
   */
  private async giveBack(customerIds: string[]): Promise<void> {
    try {
      await releaseLeasesAfter(this.o.pool, customerIds, this.holder, this.o.retryAfterMs);
    } catch {
      for (const id of customerIds) this.unreleased.add(id);
    }
  }

  private async giveBackUnreleased(): Promise<void> {
    if (this.unreleased.size === 0) return;
    const customerIds = [...this.unreleased];
    this.unreleased.clear();
    await this.giveBack(customerIds);
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
