import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { configSchema, type JourneyConfigs, type JourneysConfig } from '../../src/config/schema';
import type { CartLine, JourneyActivities, OrderSummary, ProductCard } from '../../src/shared/activities';
import type { Store } from '../../src/shared/store';
import type { CustomerEvent } from '../../src/shared/events';
import type {
  CustomerChannel,
  CustomerSnapshot,
  JourneyInput,
  SendOutcome,
  SendRequest,
  WebhookOutcome,
  WebhookRequest,
} from '../../src/shared/journey';
import type { CustomerState } from '../../src/shared/customer';
import { customerStateQuery, eventSignal } from '../../src/shared/signals';
import { customer } from '../../src/workflows/customer';
import { restockRequest } from '../../src/activities/restock-announcement';
import { tellJourneyFinished } from '../../src/temporal/customer-workflows';
import { preloadModules } from '../../src/worker/workflow-code';
import type { RestockPage } from '../../src/shared/back-in-stock';
import { BATCH_PAGE_SIZE } from '../../src/shared/sending';
import { eventually } from './eventually';
import { stopBeforeTeardown, useTimeSkippingEnv } from './temporal';
import './worker'; // installs the quiet runtime logger

/** The configuration with its defaults, quiet hours off (tests must not depend on the time of day). */
export function testConfig(overrides: Record<string, unknown> = {}): JourneysConfig {
  const config = configSchema.parse(overrides);
  if (!('messaging' in overrides)) {
    config.messaging.quietHours = null;
    config.messaging.sms.quietHours = null;
  }
  return config;
}

let seq = 0;
/** A track event as the API would deliver it. */
export function track(event: string, properties: Record<string, unknown> = {}, userId = 'c-1'): CustomerEvent {
  return {
    messageId: `m-${++seq}-${randomUUID()}`,
    type: 'track',
    event,
    userId,
    timestamp: new Date().toISOString(),
    properties,
  };
}

export function identify(traits: Record<string, unknown>, userId = 'c-1'): CustomerEvent {
  return {
    messageId: `m-${++seq}-${randomUUID()}`,
    type: 'identify',
    event: 'identify',
    userId,
    timestamp: new Date().toISOString(),
    traits,
  };
}

/** Input for starting a journey workflow on its own, as the customer workflow would. */
export function journeyInput<K extends keyof JourneyConfigs>(
  journey: string,
  section: K,
  opts: {
    trigger: CustomerEvent;
    key?: string;
    customerId?: string;
    customer?: Partial<CustomerSnapshot>;
    config?: JourneysConfig;
  },
): JourneyInput<JourneyConfigs[K]> {
  const config = opts.config ?? testConfig();
  return {
    journey,
    customerId: opts.customerId ?? opts.trigger.userId,
    key: opts.key,
    trigger: opts.trigger,
    customer: {
      profile: { timezone: 'UTC' },
      stage: 'prospect',
      orders: 0,
      totalSpent: 0,
      firstSeenAt: new Date().toISOString(),
      ...opts.customer,
    },
    config: config.journeys[section],
    messaging: config.messaging,
  };
}

export interface Sent extends SendRequest {
  /** Workflow time (the test server's clock) when the activity ran. */
  at: Date;
}

/**
 * Activities stubbed at the activity boundary: they record what the workflows asked for, so a
 * test can assert the emails a customer would have received and when.
 */
export class StubActivities {
  sent: Sent[] = [];
  private sentKeys = new Set<string>();
  groups: { customerId: string; add: string[]; remove: string[] }[] = [];
  consent: { customerId: string; subscribed: boolean; reason: string }[] = [];
  backInStock: { customerId: string; productId: string }[] = [];
  /** Each customer's best local hour to send (their habits); absent: too little known. */
  bestHours: Record<string, number> = {};
  /** Each customer's segments as their workflow last recorded them. */
  segments: Record<string, string[]> = {};
  /** Every page of a restock announcement the workflows asked for. */
  announced: RestockPage[] = [];
  carts: Record<string, CartLine[]> = {};
  /** Orders as PostgreSQL would have recorded them, by order id. */
  orders: Record<string, OrderSummary> = {};
  /** Customers' free-form identify traits, by customer id. */
  traits: Record<string, Record<string, string>> = {};
  related: ProductCard[] = [];
  /** The shop's stores, by id (what `storeDetails` reads). */
  stores: Record<string, Store> = {};
  /** Events as PostgreSQL would have stored them (what `lastEventAfter` reads). */
  recorded: { customerId: string; event: string; at: Date }[] = [];
  /** Decides a send's fate before it is "sent"; return undefined to send. */
  policy: (req: SendRequest, at: Date) => SendOutcome | undefined = () => undefined;
  /** The channels each customer may get marketing on (default: email only). */
  channels: Record<string, CustomerChannel[]> = {};
  /** Webhook calls the workflows made, once per step. */
  webhooks: (WebhookRequest & { at: Date })[] = [];
  /** The answer a webhook step gets. */
  webhookAnswer: (req: WebhookRequest) => WebhookOutcome = () => ({ status: 'sent', responseStatus: 200 });

  constructor(
    private readonly env: () => TestWorkflowEnvironment,
    readonly config: JourneysConfig = testConfig(),
  ) {}

  reset(): void {
    this.sent = [];
    this.sentKeys = new Set();
    this.groups = [];
    this.consent = [];
    this.channels = {};
    this.webhooks = [];
    this.webhookAnswer = () => ({ status: 'sent', responseStatus: 200 });
    this.backInStock = [];
    this.segments = {};
    this.bestHours = {};
    this.announced = [];
    this.recorded = [];
    this.policy = () => undefined;
  }

  /** Sends (not holdouts, not suppressed) to one customer, in order. */
  emailsTo(customerId: string): Sent[] {
    return this.sent.filter((s) => s.customerId === customerId && !s.holdout);
  }

  get activities(): JourneyActivities {
    const now = async (): Promise<Date> => new Date((await this.env().currentTimeMs()) as number);
    const waiting = (productId: string, after: string | null, limit: number): string[] =>
      this.backInStock
        .filter((w) => w.productId === productId)
        .map((w) => w.customerId)
        .sort()
        .filter((c) => after === null || c > after)
        .slice(0, limit);
    const activities: JourneyActivities = {
      loadJourneysConfig: async () => this.config,
      bestSendHour: async (customerId) => this.bestHours[customerId] ?? null,
      recordSegments: async (customerId, names) => {
        this.segments[customerId] = names;
      },
      sendSms: (req) => activities.sendEmail({ ...req, channel: 'sms' }),
      callWebhook: async (req) => {
        if (!this.webhooks.some((w) => w.idempotencyKey === req.idempotencyKey))
          this.webhooks.push({ ...req, at: await now() });
        return this.webhookAnswer(req);
      },
      marketingChannels: async (customerId) => this.channels[customerId] ?? ['email'],
      sendEmail: async (req) => {
        const at = await now();
        const decided = this.policy(req, at);
        // As the real activity: on its last chance, a capped message is recorded skipped.
        if (decided?.status === 'capped' && req.skipIfCapped)
          return { status: 'skipped', reason: 'frequency cap full' };
        if (decided) return decided;
        if (this.sentKeys.has(req.idempotencyKey)) return { status: 'sent' };
        this.sentKeys.add(req.idempotencyKey);
        this.sent.push({ ...req, at });
        return { status: req.holdout ? 'holdout' : 'sent' };
      },
      getCart: async (_customerId, cartId) => this.carts[cartId] ?? [],
      getOrder: async (_customerId, orderId) => this.orders[orderId] ?? null,
      profileTrait: async (customerId, name) => this.traits[customerId]?.[name] ?? null,
      relatedProducts: async (_c, _o, limit) => this.related.slice(0, limit),
      storeDetails: async (storeId) => this.stores[storeId] ?? null,
      lastEventAfter: async (customerId, events, after) => {
        const times = this.recorded
          .filter((r) => r.customerId === customerId && events.includes(r.event) && r.at > new Date(after))
          .map((r) => r.at.getTime());
        return times.length > 0 ? new Date(Math.max(...times)).toISOString() : null;
      },
      registerBackInStock: async (customerId, productId) => {
        this.backInStock.push({ customerId, productId });
      },
      removeBackInStock: async (customerId, productId) => {
        this.backInStock = this.backInStock.filter((w) => !(w.customerId === customerId && w.productId === productId));
      },
      waitingForProduct: async (productId, after, limit) => waiting(productId, after, limit),
      // As the real activity: the page's emails through the send stub, then off the list.
      announceRestock: async (page) => {
        this.announced.push(page);
        const customers = waiting(page.productId, page.after, BATCH_PAGE_SIZE);
        let sent = 0;
        for (const customerId of customers) {
          const request = restockRequest(this.config.journeys.backInStock, page.productId, page.restock, customerId);
          if ((await activities.sendEmail(request)).status === 'sent') sent++;
        }
        const told = new Set(customers);
        this.backInStock = this.backInStock.filter((w) => !(w.productId === page.productId && told.has(w.customerId)));
        return { customers: customers.length, last: customers.at(-1) ?? null, sent };
      },
      updateGroups: async (customerId, add, remove) => {
        this.groups.push({ customerId, add, remove });
      },
      setMarketingConsent: async (customerId, subscribed, reason) => {
        this.consent.push({ customerId, subscribed, reason });
      },
      // The real signal, through the test server.
      journeyFinished: (customerWorkflowId, finished) =>
        tellJourneyFinished(this.env().client, customerWorkflowId, finished),
    };
    return activities;
  }
}

/**
 * A worker for the whole suite running `workflowsPath` with `activities`, on its own task queue
 * unless one is given (the API and the ingest path start workflows on TASK_QUEUE).
 */
export function useWorker(
  env: () => TestWorkflowEnvironment,
  opts: { workflowsPath: string; activities: () => JourneyActivities; taskQueue?: string },
): () => string {
  const taskQueue = opts.taskQueue ?? `test-${randomUUID()}`;
  beforeAll(async () => {
    const worker = await Worker.create({
      connection: env().nativeConnection,
      taskQueue,
      workflowsPath: opts.workflowsPath,
      bundlerOptions: { preloadModules: preloadModules(opts.workflowsPath) }, // as in production
      activities: opts.activities(),
    });
    const running = worker.run();
    stopBeforeTeardown(async () => {
      worker.shutdown();
      await running;
    });
  });
  return () => taskQueue;
}

/** The event as it happens now in the workflows' (skipped) time: segment windows count events by their timestamp. */
export async function happeningNow(env: TestWorkflowEnvironment, event: CustomerEvent): Promise<CustomerEvent> {
  return { ...event, timestamp: new Date(await env.currentTimeMs()).toISOString() };
}

/** Starts (or signals) `customer-<customerId>` with its first event, as the API delivers it. */
export function startCustomer(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  customerId: string,
  first: CustomerEvent,
) {
  return env.client.workflow.signalWithStart(customer, {
    workflowId: `customer-${customerId}`,
    taskQueue,
    args: [{ customerId }],
    signal: eventSignal,
    signalArgs: [first],
  });
}

/**
 * The customer's state once `ok` holds for it (polled: the customer takes each event on a worker,
 * later on a busy machine).
 */
export function customerStateWhen(handle: WorkflowHandle, what: string, ok: (s: CustomerState) => boolean) {
  return eventually(async () => {
    const s = await handle.query(customerStateQuery);
    return ok(s) && s;
  }, what);
}

/** The customer's state once it has processed `n` events (in order: so all sent before the n-th). */
export const eventsProcessed = (handle: WorkflowHandle, n: number) =>
  customerStateWhen(handle, `${n} events processed`, (s) => s.eventsProcessed >= n);

/**
 * Ends a test's journeys, so they send nothing during the next tests, and leaves its customer
 * workflow running (idle until its next stage timer). Cancelled, as a workflow task of their own,
 * and awaited until closed: terminating a journey while one of its workflow tasks was in flight
 * put the time-skipping server's count of time locks off balance, and a later test's sleep or
 * `result()` then waited in real time (2 runs in 3 of the customer suite under load).
 */
export async function endJourneysOf(env: TestWorkflowEnvironment, handle: WorkflowHandle): Promise<void> {
  const { running } = await handle.query(customerStateQuery);
  const journeys = Object.keys(running).map((id) => env.client.workflow.getHandle(id));
  await Promise.all(journeys.map((j) => j.cancel().catch(() => undefined))); // finished meanwhile
  // Polled, not `result()`: that would let time run on.
  await eventually(async () => {
    const described = await Promise.all(journeys.map((j) => j.describe()));
    return described.every((d) => d.status.name !== 'RUNNING');
  }, 'the test`s journeys to end');
}

/**
 * The usual journey suite: a time-skipping server, stubbed activities (reset before each test)
 * and a worker running `workflowsPath` with them.
 */
export function useJourneySuite(workflowsPath: string, config?: JourneysConfig) {
  const env = useTimeSkippingEnv();
  const stub = new StubActivities(env, config);
  const taskQueue = useWorker(env, { workflowsPath, activities: () => stub.activities });
  beforeEach(() => stub.reset());
  return { env, stub, taskQueue };
}
