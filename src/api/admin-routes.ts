import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { Router } from 'express';
import type { Pool } from 'pg';
import { getProfile } from '../activities/lookups';
import { waitingEvents } from '../db/dispatch';
import { recentRejected } from '../db/rejected';
import { suppress } from '../db/suppression';
import type { CustomerState } from '../shared/customer';
import type { JourneyView } from '../shared/journey';
import { customerStateQuery, customerWorkflowId, journeyStateQuery } from '../shared/signals';
import { isTemporalUnavailable } from '../temporal/errors';
import { journeyStats, journeyStepStats, recipientHistory } from '../stats/journey-stats';
import { ApiError } from './errors';
import { customerParams, journeyParams, limitQuery, statsQuery } from './schemas';
import { parse } from './validate';

export interface AdminRouteDeps {
  pool: Pool;
  temporal: Client;
}

/** How many messages GET /v1/customers/:id shows; the messages endpoint pages further. */
const OVERVIEW_MESSAGES = 20;
/** How many of the customer's undelivered events it lists (it counts them all). */
const OVERVIEW_PENDING = 20;
/** `undefined` instead of WorkflowNotFoundError: the workflow never existed, or is gone. */
async function unlessNotFound<T>(run: () => Promise<T>): Promise<T | undefined> {
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
async function queried<T>(temporal: Client, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await temporal.connection.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => unlessNotFound(run));
  } catch (err) {
    if (isTemporalUnavailable(err)) return undefined;
    throw err;
  }
}

/**
 * The customer workflow's state, or null when there is none to ask: never started, or
 * terminated (as erasure does; a terminated customer is not shown as if it were still there).
 */
async function customerState(temporal: Client, handle: WorkflowHandle): Promise<CustomerState | null> {
  const description = await unlessNotFound(() => handle.describe());
  if (!description || description.status.name === 'TERMINATED') return null;
  return (await queried(temporal, () => handle.query(customerStateQuery))) ?? null;
}

/**
 * A running journey as the admin sees it: its workflow, whether it still runs, and its `state` query
 * (absent while it cannot answer: before its first workflow task, or ended before it had one).
 */
export type JourneyEntry = Partial<JourneyView> & { workflowId: string; status: string };

/**
 * The journeys the customer workflow lists as running, with each one's `state` query. A journey
 * that ended meanwhile (before telling its customer) is shown with its workflow status; one whose
 * history is gone is left out.
 */
async function journeyEntries(temporal: Client, state: CustomerState | null): Promise<JourneyEntry[]> {
  const entries = await Promise.all(
    Object.keys(state?.running ?? {}).map(async (workflowId) => {
      const handle = temporal.workflow.getHandle(workflowId);
      const [description, view] = await Promise.all([
        unlessNotFound(() => handle.describe()),
        queried(temporal, () => handle.query(journeyStateQuery)),
      ]);
      if (!description) return undefined;
      return { workflowId, status: description.status.name, ...view };
    }),
  );
  return entries.filter((e) => e !== undefined);
}

/** Terminates the workflow if it is still running; true if it was. */
async function terminate(temporal: Client, workflowId: string, reason: string): Promise<boolean> {
  const done = await unlessNotFound(() => temporal.workflow.getHandle(workflowId).terminate(reason));
  return done !== undefined;
}

/**
 * Deletes the customer's personal data in one transaction, the suppression of their address
 * included (so a failure leaves everything as it was, and a retry does it all). Messages stay for
 * the statistics, without their subject (which may quote the customer). Returns how many rows it
 * touched.
 */
async function erase(pool: Pool, customerId: string): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // The same lock the send decision takes per customer: no message is decided halfway through.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [customerId]);
    const profile = await getProfile(client, customerId);
    if (profile?.email) await suppress(client, profile.email, 'erased');
    let touched = 0;
    for (const sql of [
      'DELETE FROM customers WHERE id = $1', // subscriptions cascade
      'DELETE FROM events WHERE customer_id = $1',
      'DELETE FROM carts WHERE customer_id = $1', // cart_items cascade
      'DELETE FROM orders WHERE customer_id = $1', // order_items cascade
      'DELETE FROM group_members WHERE customer_id = $1',
      'DELETE FROM back_in_stock_requests WHERE customer_id = $1',
      'UPDATE messages SET subject = NULL WHERE customer_id = $1 AND subject IS NOT NULL',
    ]) {
      touched += (await client.query(sql, [customerId])).rowCount ?? 0;
    }
    await client.query('COMMIT');
    return touched;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Admin endpoints (mounted behind the admin keys): one customer's profile, workflow state, running
 * journeys and messages; erasure of a customer; journey statistics.
 */
export function adminRouter(deps: AdminRouteDeps): Router {
  const router = Router();
  const { pool, temporal } = deps;

  router.get('/v1/customers/:id', async (req, res) => {
    const { id } = parse(customerParams, req.params);
    const [profile, state, pending] = await Promise.all([
      getProfile(pool, id),
      customerState(temporal, temporal.workflow.getHandle(customerWorkflowId(id))),
      waitingEvents(pool, id, OVERVIEW_PENDING),
    ]);
    if (!profile && !state && pending.count === 0) throw new ApiError(404, 'not_found', `No customer ${id}`);
    const [journeys, messages] = await Promise.all([
      journeyEntries(temporal, state),
      recipientHistory(pool, id, OVERVIEW_MESSAGES),
    ]);
    res.json({ profile, state, pending, journeys, messages });
  });

  router.get('/v1/customers/:id/messages', async (req, res) => {
    const { id } = parse(customerParams, req.params);
    const { limit = 100 } = parse(limitQuery, req.query);
    res.json({ messages: await recipientHistory(pool, id, limit) });
  });

  router.get('/v1/rejected-events', async (req, res) => {
    const { limit = 100 } = parse(limitQuery, req.query);
    res.json({ rejected: await recentRejected(pool, limit) });
  });

  router.delete('/v1/customers/:id', async (req, res) => {
    const { id } = parse(customerParams, req.params);
    const workflowId = customerWorkflowId(id);
    const state = await customerState(temporal, temporal.workflow.getHandle(workflowId));
    const reason = 'customer erased';
    // The customer first, so it starts no journey while its journeys are being ended.
    const customerRan = await terminate(temporal, workflowId, reason);
    const journeysRan = await Promise.all(Object.keys(state?.running ?? {}).map((j) => terminate(temporal, j, reason)));
    const touched = await erase(pool, id);
    if (!customerRan && !journeysRan.includes(true) && touched === 0) {
      throw new ApiError(404, 'not_found', `Nothing to erase for customer ${id}`);
    }
    res.status(204).end();
  });

  router.get('/v1/stats/journeys', async (req, res) => {
    const { window } = parse(statsQuery, req.query);
    res.json({ journeys: await journeyStats(pool, { window }) });
  });

  router.get('/v1/stats/journeys/:name', async (req, res) => {
    const { name } = parse(journeyParams, req.params);
    const { window } = parse(statsQuery, req.query);
    const stats = await journeyStepStats(pool, name, { window });
    if (stats.steps.length === 0) throw new ApiError(404, 'not_found', `No messages for journey ${name}`);
    res.json(stats);
  });

  return router;
}
