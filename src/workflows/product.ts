import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { Events, type CustomerEvent } from '../shared/events';
import { eventSignal, journeyWorkflowId, legacyJourneyWorkflowId, productEventSignal } from '../shared/signals';
import { RecentIds } from './customer/recent-ids';
import { activities, olderPatch } from './dsl/activities';
import { backInStockJourney } from './journeys/back-in-stock';

export interface ProductInput {
  productId: string;
  /** Carried over by continue-as-new: restocks not yet told to everyone, oldest first... */
  pending?: CustomerEvent[];
  /** ...and the last customer (in id order) the first of them has already reached. */
  resumeAfter?: string;
  recentIds?: string[];
}

/** Waiting customers fetched, and signalled, at a time. */
const PAGE_SIZE = 100;
/** Each page adds about two history events per customer: continue as new well before 50k. */
const HISTORY_LIMIT = 1500;
/** Restock messageIds remembered for dedupe (a retried API call sends the same one again). */
const DEDUPE_WINDOW = 100;

/**
 * One product's events (`product-<productId>`), signalled-with-start by the API.
 * On a restock it tells every customer waiting for the product (the back-in-stock journeys),
 * page by page from the waiting list's index: it never scans all customers.
 *
 * It ends once it has nothing left to do rather than idling for ever: the next restock's
 * signalWithStart starts it again, and nothing needs remembering between restocks, since each
 * journey sends one email on the first restock and then leaves the waiting list. (An open
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
    const page = await activities.waitingForProduct(productId, after, PAGE_SIZE);
    await Promise.all(page.map((customerId) => tell(customerId, productId, queue[0])));
    if (page.length === PAGE_SIZE) {
      after = page[page.length - 1];
    } else {
      queue.shift(); // everyone waiting has been told of this restock
      after = null;
    }
  }
  await condition(allHandlersFinished);
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
