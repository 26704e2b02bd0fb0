import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';

/** /healthz: the process is alive. /readyz: it can reach PostgreSQL and Temporal (2 s each). */
export function healthRouter(deps: { pool: Pool; temporal: Client }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  router.get('/readyz', async (_req, res) => {
    const check = async (probe: () => Promise<unknown>): Promise<string> => {
      try {
        await probe();
        return 'ok';
      } catch (err) {
        return `unreachable: ${(err as Error).message}`;
      }
    };
    const [postgres, temporal] = await Promise.all([
      check(() => withTimeout(deps.pool.query('SELECT 1'), 2000)),
      check(() =>
        deps.temporal.connection.withDeadline(Date.now() + 2000, () => deps.temporal.workflowService.getSystemInfo({})),
      ),
    ]);
    const ok = postgres === 'ok' && temporal === 'ok';
    if (!ok) res.status(503).set('Retry-After', '5');
    res.json({ ok, checks: { postgres, temporal } });
  });
  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);
}
