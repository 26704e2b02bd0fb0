import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { backlog } from '../db/dispatch';
import { ping } from '../db/pool';

export interface HealthDeps {
  pool: Pool;
  temporal: Client;
  /** The oldest waiting event may be this old (seconds) before the delivery counts as behind. */
  backlogThresholdSeconds?: number;
}

export const DEFAULT_BACKLOG_THRESHOLD_SECONDS = 60;

/**
 * /healthz: the process is alive. /readyz: whether it accepts events, which needs PostgreSQL only
 * (503 without it), and whether what it accepted is delivered promptly: Temporal reachable, and
 * the oldest undelivered event younger than the threshold. A delivery that is behind leaves the
 * API ready (it still accepts, and nothing waiting is lost) but says so: `ok` false, and why.
 */
export function healthRouter(deps: HealthDeps): Router {
  const router = Router();
  const threshold = deps.backlogThresholdSeconds ?? DEFAULT_BACKLOG_THRESHOLD_SECONDS;
  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  router.get('/readyz', async (_req, res) => {
    const check = async (probe: () => Promise<string | undefined>): Promise<string> => {
      try {
        return (await probe()) ?? 'ok';
      } catch (err) {
        return `unreachable: ${(err as Error).message}`;
      }
    };
    const [postgres, temporal, waiting] = await Promise.all([
      check(() => withTimeout(ping(deps.pool), 2000).then(() => undefined)),
      check(async () => {
        await deps.temporal.connection.withDeadline(Date.now() + 2000, () =>
          deps.temporal.workflowService.getSystemInfo({}),
        );
        return undefined;
      }),
      check(async () => {
        const { pending, oldestAgeSeconds } = await withTimeout(backlog(deps.pool), 2000);
        if (oldestAgeSeconds <= threshold) return undefined;
        return `behind: ${pending} events waiting, the oldest for ${Math.round(oldestAgeSeconds)} s (more than ${threshold} s)`;
      }),
    ]);
    const accepting = postgres === 'ok';
    if (!accepting) res.status(503).set('Retry-After', '5');
    res.json({
      ok: accepting && temporal === 'ok' && waiting === 'ok',
      accepting,
      checks: { postgres, temporal, backlog: accepting ? waiting : postgres },
    });
  });
  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);
}
