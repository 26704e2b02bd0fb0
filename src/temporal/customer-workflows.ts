import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { CustomerState } from '../shared/customer';
import type { JourneyFinished } from '../shared/journey';
import { customerStateQuery, customerWorkflowId, journeyFinishedSignal } from '../shared/signals';
import { isTemporalUnavailable } from './errors';

// What the admin views, erasure and identity merge ask of a customer's workflows.

/** `undefined` instead of WorkflowNotFoundError: the workflow never existed, or is gone. */
export async function unlessNotFound<T>(run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** How long a `state` query may take: a workflow whose worker is down never answers. */
const QUERY_TIMEOUT_MS = 5000;

/**
 * A workflow's answer to a query, or `undefined` when it cannot answer now: gone; not through its
 * first workflow task (FAILED_PRECONDITION: just started, or its task failing); or no worker
 * running it (no answer in time, though Temporal answered the describe before it).
 */
export async function queried<T>(temporal: Client, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await temporal.connection.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => unlessNotFound(run));
  } catch (err) {
    // Our own deadline may end the call as CANCELLED (gRPC 1) rather than DEADLINE_EXCEEDED.
    const cancelled = [err, (err as { cause?: unknown }).cause].some((e) => (e as { code?: number })?.code === 1);
    if (isTemporalUnavailable(err) || cancelled) return undefined;
    throw err;
  }
}

/**
 * The customer workflow's state, or null when there is none to ask: never started, or
 * terminated (as erasure does; a terminated customer is not shown as if it were still there).
 */
export async function customerState(temporal: Client, handle: WorkflowHandle): Promise<CustomerState | null> {
  const description = await unlessNotFound(() => handle.describe());
  if (!description || description.status.name === 'TERMINATED') return null;
  return (await queried(temporal, () => handle.query(customerStateQuery))) ?? null;
}

/** Terminates the workflow if it is still running; true if it was. */
async function terminate(temporal: Client, workflowId: string, reason: string): Promise<boolean> {
  const done = await unlessNotFound(() => temporal.workflow.getHandle(workflowId).terminate(reason));
  return done !== undefined;
}

/**
 * Ends a customer's workflows: the customer's first, so it starts no journey meanwhile, then each
 * journey it lists as running. True if any of them was still running.
 */
export async function endCustomer(temporal: Client, customerId: string, reason: string): Promise<boolean> {
  const workflowId = customerWorkflowId(customerId);
  const state = await customerState(temporal, temporal.workflow.getHandle(workflowId));
  const customerRan = await terminate(temporal, workflowId, reason);
  const journeysRan = await Promise.all(Object.keys(state?.running ?? {}).map((j) => terminate(temporal, j, reason)));
  return customerRan || journeysRan.includes(true);
}

/** Tells a customer workflow that one of its journeys has finished; nobody to tell once it is erased. */
export async function tellJourneyFinished(
  temporal: Client,
  customerWorkflowId: string,
  finished: JourneyFinished,
): Promise<void> {
  await unlessNotFound(() => temporal.workflow.getHandle(customerWorkflowId).signal(journeyFinishedSignal, finished));
}
