import { Router } from 'express';
import type { Pool } from 'pg';
import type { Client } from '@temporalio/client';
import { UnknownRelatedProducts, upsertProducts, type Restocked } from '../db/catalog';
import { announceRestock } from '../temporal/restock';
import { ApiError } from './errors';
import { productsSchema } from './schemas';
import { parse } from './validate';

/**
 * POST /v1/products (admin): the catalogue journeys draw suggestions from. A product that comes
 * back in stock is announced to the customers waiting for it (back-in-stock journeys).
 */
export function catalogRouter(deps: { pool: Pool; temporal: Client; deliveryTimeoutMs?: number }): Router {
  const router = Router();
  router.post('/v1/products', async (req, res) => {
    const { products } = parse(productsSchema, req.body);
    const ids = products.map((p) => p.id);
    const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (repeated.length > 0) {
      throw new ApiError(400, 'invalid_request', `Product ${repeated[0]} appears more than once`, {
        ids: [...new Set(repeated)],
      });
    }
    const announce = async (restocked: Restocked[]) => {
      for (const p of restocked) await announceRestock(deps.temporal, p, deps.deliveryTimeoutMs);
    };
    try {
      res.json({ success: true, products: await upsertProducts(deps.pool, products, announce) });
    } catch (err) {
      if (err instanceof UnknownRelatedProducts) {
        throw new ApiError(400, 'invalid_request', err.message, { ids: err.ids });
      }
      throw err;
    }
  });
  return router;
}
