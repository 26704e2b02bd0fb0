import { Router } from 'express';
import type { Pool } from 'pg';
import { segmentMembers, segmentSizes } from '../db/segments';
import type { SegmentDefinitions } from '../shared/segments';
import { ApiError } from './errors';
import { pageQuery, segmentParams } from './schemas';
import { parse } from './validate';

export interface SegmentRouteDeps {
  pool: Pool;
  /** The segments as the configuration defines them (the shipped ones with the configuration's over them). */
  segments: () => SegmentDefinitions;
}

/**
 * Admin: the segments with their conditions and sizes, and a segment's members, a page at a time
 * in customer id order (memberships as the customer workflows recorded them in PostgreSQL).
 */
export function segmentRouter(deps: SegmentRouteDeps): Router {
  const router = Router();

  router.get('/v1/segments', async (_req, res) => {
    const sizes = await segmentSizes(deps.pool);
    const segments = Object.entries(deps.segments()).map(([name, condition]) => ({
      name,
      condition,
      members: sizes[name] ?? 0,
    }));
    res.json({ segments });
  });

  router.get('/v1/segments/:name/customers', async (req, res) => {
    const { name } = parse(segmentParams, req.params);
    const { limit = 100, after } = parse(pageQuery, req.query);
    if (!Object.hasOwn(deps.segments(), name)) throw new ApiError(404, 'not_found', `No segment ${name}`);
    // One more than asked: whether a next page exists, so the last page says so (next: null).
    const page = await segmentMembers(deps.pool, name, limit + 1, after);
    const customers = page.slice(0, limit);
    const next = page.length > limit ? customers[customers.length - 1].customerId : null;
    res.json({ segment: name, customers, next });
  });

  return router;
}
