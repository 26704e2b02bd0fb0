import { Router, type Request, type Response } from 'express';
import type { Pool } from 'pg';
import { Events, type CustomerEvent } from '../shared/events';
import { verifyToken } from '../tracking/tokens';
import { formBody } from './form-body';
import { findMessage, recordMessageEvent, type TrackedMessage } from '../db/message-events';
import { emailEvent } from './tracking-events';
import { choicePage, confirmedPage, donePage, type PreferenceAction } from './unsubscribe-page';

export interface TrackingDeps {
  pool: Pool;
  signingSecret: string;
  /** Stores the event; the dispatcher delivers it to the customer's workflow afterwards. */
  accept: (event: CustomerEvent) => Promise<unknown>;
}

const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const ACTIONS: PreferenceAction[] = ['unsubscribe', 'pause', 'fewer'];

/**
 * Our own links inside emails: opens (/t/o/<token>.gif), clicks (/t/c/<token>) and the
 * unsubscribe page (/u/<token>, RFC 8058 one-click by POST). A token that does not verify
 * answers 404, and a click never redirects anywhere we did not sign.
 */
export function trackingRouter(deps: TrackingDeps): Router {
  const router = Router();
  const message = async (token: string, needsUrl = false): Promise<[TrackedMessage, string?] | undefined> => {
    const payload = verifyToken(token, deps.signingSecret);
    if (!payload || (needsUrl && !payload.u)) return undefined;
    const m = await findMessage(deps.pool, payload.m);
    return m && [m, payload.u];
  };
  const notFound = (res: Response): void => {
    res.status(404).json({ error: { code: 'not_found', message: 'Unknown link' } });
  };

  router.get('/t/o/:token.gif', async (req: Request<{ token: string }>, res) => {
    const found = await message(req.params.token);
    if (!found) return notFound(res);
    await recordMessageEvent(deps.pool, found[0].id, 'opened');
    await deps.accept(emailEvent(Events.EmailOpened, found[0]));
    res.set({ 'Content-Type': 'image/gif', 'Cache-Control': 'no-store, max-age=0' }).send(PIXEL);
  });

  router.get('/t/c/:token', async (req: Request<{ token: string }>, res) => {
    const found = await message(req.params.token, true);
    if (!found) return notFound(res);
    const [m, url] = found;
    await recordMessageEvent(deps.pool, m.id, 'clicked', url);
    await deps.accept(emailEvent(Events.EmailLinkClicked, m, { url }, url));
    res.redirect(302, url!);
  });

  // Double opt-in: the link in the confirmation email. Confirming twice is harmless.
  router.get('/c/:token', async (req: Request<{ token: string }>, res) => {
    const found = await message(req.params.token);
    if (!found) return notFound(res);
    await deps.accept(emailEvent(Events.EmailConfirmed, found[0]));
    res.type('html').send(confirmedPage());
  });

  router.get('/u/:token', async (req: Request<{ token: string }>, res) => {
    if (!(await message(req.params.token))) return notFound(res);
    const suggested = ACTIONS.find((a) => a === req.query.action);
    res.type('html').send(choicePage(`/u/${req.params.token}`, suggested));
  });

  router.post('/u/:token', formBody, async (req: Request<{ token: string }>, res) => {
    const found = await message(req.params.token);
    if (!found) return notFound(res);
    const body = (req.body ?? {}) as Record<string, string>;
    // RFC 8058: a mail client's one-click POST carries List-Unsubscribe=One-Click.
    const action = body['List-Unsubscribe'] === 'One-Click' ? 'unsubscribe' : ACTIONS.find((a) => a === body.action);
    if (!action) {
      res
        .status(400)
        .json({ error: { code: 'bad_request', message: 'action must be one of unsubscribe, pause, fewer' } });
      return;
    }
    const [m] = found;
    if (action === 'unsubscribe') {
      await recordMessageEvent(deps.pool, m.id, 'unsubscribed');
      await deps.accept(emailEvent(Events.Unsubscribed, m));
    } else {
      await deps.accept(emailEvent(Events.PreferenceUpdated, m, { preference: action }, action));
    }
    res.type('html').send(donePage(action));
  });

  return router;
}
