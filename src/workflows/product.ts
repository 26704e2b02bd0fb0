import {
  allHandlersFinished,
  patched,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { Events, type CustomerEvent } from '../shared/events';
import { eventSignal, journeyWorkflowId, legacyJourneyWorkflowId, productEventSignal } from '../shared/signals';
import { RecentIds } from './customer/recent-ids';
import type { RestockPageResult } from '../shared/back-in-stock';
import { BATCH_PAGE_SIZE } from '../shared/sending';
import { activities, announcing, olderPatch } from './dsl/activities';
import { backInStockJourney } from '../journeys/back-in-stock/journey';

export interface ProductInput {
  productId: string;
  /** Carried over by continue-as-new: restocks not yet told to everyone, oldest first... */
  pending?: CustomerEvent[];
  /** ...and the last customer (in id order) the first of them has already reached. */
  resumeAfter?: string;
  recentIds?: string[];
}

/** Waiting customers fetched, and signalled, at a time before BATCH_ANNOUNCEMENTS (fixed: runs replay with it). */
const PAGE_SIZE = 100;
/**
 * Continue as new well before 50k events: a page adds six events since BATCH_ANNOUNCEMENTS (250
 * pages a run), about two per customer before it.
 */
const HISTORY_LIMIT = 1500;
/** Restock messageIds remembered for dedupe (a retried API call sends the same one again). */
const DEDUPE_WINDOW = 100;

/**
 * One product's events (`product-<productId>`), signalled-with-start by the API.
 * On a restock it tells every customer waiting for the product, page by page from the waiting
 * list's index (it never scans all customers): one activity a page decides, renders and sends the
 * page's back-in-stock emails and takes the page off the list. No workflow per customer.
 *
 * It ends once it has nothing left to do rather than idling for ever: the next restock's
 * signalWithStart starts it again, and nothing needs remembering between restocks, since each
 * customer gets one email on the first restock and then leaves the waiting list. (An open
 * workflow per product ever restocked would only crowd the Web UI's running list.)
 */
export async function product(input: ProductInput): Promise<void> {
  const { productId } = input;
  const queue = [...(input.pending ?? [])];
  let after: string | null = input.resumeAfter ?? null;
  const recent = new RecentIds(input.recentIds ?? [], DEDUPE_WINDOW);
  setHandler(productEventSignal, (event) => {
    if (event.event !== Events.ProductRestocked || !recent.add(event.messageId)) return;
    // The journeys match on product_id: make sure it is there, whatever the API routed on.
    queue.push({ ...event, properties: { ...event.properties, product_id: productId } });
  });
  const historyIsLong = (): boolean =>
    workflowInfo().historyLength > HISTORY_LIMIT || workflowInfo().continueAsNewSuggested;

  while (queue.length > 0) {
    if (historyIsLong()) {
      await condition(allHandlersFinished);
      const resumeAfter = after ?? undefined; // where the first pending restock has got to
      return continueAsNew<typeof product>({ productId, pending: queue, resumeAfter, recentIds: recent.toArray() });
    }
    const next = patched(BATCH_ANNOUNCEMENTS)
      ? nextPage(await announcing.announceRestock({ productId, restock: queue[0], after }))
      : await tellJourneys(productId, queue[0], after);
    if (next !== null) {
      after = next;
    } else {
      queue.shift(); // everyone waiting has been told of this restock
      after = null;
    }
  }
  await condition(allHandlersFinished);
}

/**
 * Since this patch, the product workflow sends each page of the waiting list its emails through one
 * activity; before it, it signalled each waiting customer's back-in-stock journey, which sent.
 */
const BATCH_ANNOUNCEMENTS = 'batch-announcements';

/** Where the next page starts; null when this one was the list's last. */
const nextPage = (page: RestockPageResult): string | null => (page.customers === BATCH_PAGE_SIZE ? page.last : null);

/** Runs from before BATCH_ANNOUNCEMENTS: a page of the list, each customer's journey told; the next page's start. */
async function tellJourneys(productId: string, restock: CustomerEvent, after: string | null): Promise<string | null> {
  const page = await activities.waitingForProduct(productId, after, PAGE_SIZE);
  await Promise.all(page.map((customerId) => tell(customerId, productId, restock)));
  return page.length === PAGE_SIZE ? page[page.length - 1] : null;
}

async function tell(customerId: string, productId: string, restock: CustomerEvent): Promise<void> {
  const signal = (workflowId: string) => getExternalWorkflowHandle(workflowId).signal(eventSignal, restock);
  const journey = backInStockJourney.name;
  const legacy = () => signal(legacyJourneyWorkflowId(journey, customerId, productId));
  // A journey started before ids were made injective answers to its old id.
  const told = olderPatch('injective-journey-ids')
    ? signal(journeyWorkflowId(journey, customerId, productId)).catch(legacy)
    : legacy();
  // Its journey already ended (told, expired) or was terminated by hand: nobody left to tell, and
  // nobody should stay on the list for the next restock.
  await told.catch(() => activities.removeBackInStock(customerId, productId));
}
