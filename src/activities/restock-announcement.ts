import { ApplicationFailure } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { dropExpiredWishes, leaveWaitingList, waitingForProduct } from '../db/waiting-list';
import {
  BACK_IN_STOCK,
  productDetails,
  restockMessageKey,
  type RestockPage,
  type RestockPageResult,
} from '../shared/back-in-stock';
import type { JourneyConfigs } from '../config/schema';
import type { CustomerEvent } from '../shared/events';
import type { SendOutcome, SendRequest } from '../shared/journey';
import { BATCH_PAGE_SIZE, BATCH_PARALLEL_SENDS } from '../shared/sending';
import { pickVariant } from '../shared/split';
import { sendMessage, type EmailDeps } from './email';
import { whileHeartbeating } from './heartbeat';

/**
 * Tells one page of a product's waiting list that it is back: each customer's back-in-stock email
 * is decided, rendered and sent as a journey's would be (consent, suppression, its own outbox row
 * keyed by restock and customer, so a page sent again sends no one twice), BATCH_PARALLEL_SENDS at
 * a time over the pooled SMTP connections. Then the page leaves the list. No workflow per customer.
 */
export function createAnnounceRestock(deps: EmailDeps): (page: RestockPage) => Promise<RestockPageResult> {
  return (page) => whileHeartbeating(() => announce(deps, page));
}

async function announce(deps: EmailDeps, { productId, restock, after }: RestockPage): Promise<RestockPageResult> {
  const journey = deps.config().journeys.backInStock;
  if (after === null) {
    const expired = new Date(deps.clock().getTime() - msToNumber(journey.expireAfter));
    await dropExpiredWishes(deps.pool, productId, expired);
  }
  const customers = await waitingForProduct(deps.pool, productId, after, BATCH_PAGE_SIZE);
  const outcomes = await settleAll(customers, (customerId) =>
    sendMessage(deps, restockRequest(journey, productId, restock, customerId)),
  );
  // A send that failed for now fails the page, once every other send of it has finished: the retry
  // finds their rows sent, and two attempts never hold one message at once. A permanent failure
  // (a 5xx reply, a broken template) is recorded on its row and fails no one else.
  const transient = outcomes.find((o) => o.status === 'rejected' && !isNonRetryable(o.reason));
  if (transient) throw (transient as PromiseRejectedResult).reason;
  await leaveWaitingList(deps.pool, productId, customers);
  return {
    customers: customers.length,
    last: customers.at(-1) ?? null,
    sent: outcomes.filter((o) => o.status === 'fulfilled' && o.value.status === 'sent').length,
  };
}

/** The back-in-stock email one customer on the list gets for this restock. */
export function restockRequest(
  journey: JourneyConfigs['backInStock'],
  productId: string,
  restock: CustomerEvent,
  customerId: string,
): SendRequest {
  const variant = pickVariant(journey.variants, BACK_IN_STOCK, customerId);
  return {
    idempotencyKey: restockMessageKey(productId, restock, customerId),
    customerId,
    journey: BACK_IN_STOCK,
    step: BACK_IN_STOCK,
    template: journey.templates.backInStock,
    variant,
    // They asked for this one email: a requested notification, not marketing (see the journey).
    transactional: true,
    holdout: false,
    data: { productId, ...productDetails(restock), ...(variant ? { variant } : {}) },
  };
}

const isNonRetryable = (err: unknown): boolean => err instanceof ApplicationFailure && err.nonRetryable === true;

/** `work` for each item, BATCH_PARALLEL_SENDS at a time; every outcome, in order. */
async function settleAll<T>(
  items: T[],
  work: (item: T) => Promise<SendOutcome>,
): Promise<PromiseSettledResult<SendOutcome>[]> {
  const results: PromiseSettledResult<SendOutcome>[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) {
      results[i] = await work(items[i]).then(
        (value) => ({ status: 'fulfilled', value }),
        (reason: unknown) => ({ status: 'rejected', reason }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_PARALLEL_SENDS, items.length) }, lane));
  return results;
}
