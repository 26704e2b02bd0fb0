import { Router } from 'express';
import type { Pool } from 'pg';
import { deleteStore, getStore, listStores, upsertStores } from '../db/stores';
import { ApiError } from './errors';
import { storeParams, storesQuery, storesSchema } from './schemas';
import { parse } from './validate';

/** The page GET /v1/stores answers without a `limit`. */
const DEFAULT_PAGE = 100;

/**
 * The shop's stores (admin): where they are and when they are open, for the nearby-store journey.
 * POST /v1/stores creates or replaces them (`{ stores: [...] }`, as POST /v1/products takes
 * products); GET lists them a page at a time or answers one; DELETE removes one.
 */
export function storeRouter(deps: { pool: Pool }): Router {
  const router = Router();
  const { pool } = deps;

  router.post('/v1/stores', async (req, res) => {
    const { stores } = parse(storesSchema, req.body);
    const ids = stores.map((s) => s.id);
    const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (repeated.length > 0) {
      throw new ApiError(400, 'invalid_request', `Store ${repeated[0]} appears more than once`, {
        ids: [...new Set(repeated)],
      });
    }
    res.json({ success: true, stores: await upsertStores(pool, stores) });
  });

  router.get('/v1/stores', async (req, res) => {
    const { limit = DEFAULT_PAGE, after } = parse(storesQuery, req.query);
    const stores = await listStores(pool, limit, after);
    res.json({ stores, ...(stores.length === limit ? { next: stores[stores.length - 1].id } : {}) });
  });

  router.get('/v1/stores/:id', async (req, res) => {
    const { id } = parse(storeParams, req.params);
    const store = await getStore(pool, id);
    if (!store) throw new ApiError(404, 'not_found', `No store ${id}`);
    res.json(store);
  });

  router.delete('/v1/stores/:id', async (req, res) => {
    const { id } = parse(storeParams, req.params);
    if (!(await deleteStore(pool, id))) throw new ApiError(404, 'not_found', `No store ${id}`);
    res.status(204).end();
  });

  return router;
}
