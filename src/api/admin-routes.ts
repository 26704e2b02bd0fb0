import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { Pool } from 'pg';
import { getProfile } from '../db/lookups';
import { waitingEvents } from '../db/dispatch';
import { eraseCustomer } from '../db/erasure';
import { customerLocation } from '../db/locations';
import { recentRejected } from '../db/rejected';
import { customerSegments } from '../db/segments';
import type { CustomerState } from '../shared/customer';
import type { JourneyView } from '../shared/journey';
import { customerWorkflowId, journeyStateQuery } from '../shared/signals';
import { customerState, endCustomer, queried, unlessNotFound } from '../temporal/customer-workflows';
import { journeysReport, journeyStepStats, recipientHistory } from '../db/stats/journey-stats';
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
    const [journeys, messages, location, segments] = await Promise.all([
      journeyEntries(temporal, state),
      recipientHistory(pool, id, OVERVIEW_MESSAGES),
      customerLocation(pool, id),
      customerSegments(pool, id),
    ]);
    res.json({ profile, state, pending, journeys, messages, location, segments });
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
    const ended = await endCustomer(temporal, id, 'customer erased');
    const touched = await eraseCustomer(pool, id);
    if (!ended && touched === 0) {
      throw new ApiError(404, 'not_found', `Nothing to erase for customer ${id}`);
    }
    res.status(204).end();
  });

  router.get('/v1/stats/journeys', async (req, res) => {
    const { window } = parse(statsQuery, req.query);
    res.json(await journeysReport(pool, { window }));
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
