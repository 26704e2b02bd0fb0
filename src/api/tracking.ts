import { Router, type Request, type Response } from 'express';
import type { Pool } from 'pg';
import { Events, type CustomerEvent } from '../shared/events';
import { verifyToken } from '../tracking/tokens';
import { sendError } from './errors';
import { formBody } from './form-body';
import { findMessage, recordMessageEvent, type TrackedMessage } from '../db/message-events';
import {
  defaultPreferenceCentre,
  preferenceCentre,
  type PreferenceCentreSettings,
  type Suggestion,
} from './preference-centre';
import { preferenceEvent } from './preference-events';
import { readPreferenceForm } from './preference-form';
import { emailEvent, engagementEvent } from './tracking-events';
import { machineEngagement } from '../tracking/machine-engagement';

export interface TrackingDeps {
  pool: Pool;
  signingSecret: string;
  /** Stores the event; the dispatcher delivers it to the customer's workflow afterwards. */
  accept: (event: CustomerEvent) => Promise<unknown>;
  /** The preference centre's pages, brand and topics; absent, the built-in pages and the default configuration's. */
  preferences?: PreferenceCentreSettings;
  /** Now, for opens and clicks (the simulator's is simulated time); absent, the system clock. */
  clock?: () => Date;
}

const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const SUGGESTIONS: Suggestion[] = ['unsubscribe', 'pause', 'fewer'];

/**
 * A page about one customer: never cached or framed (its buttons must not be clicked through
 * another site's page), and its URL, which carries the token, is not sent on as a Referer.
 */
function sendPage(res: Response, html: string): void {
  res
    .set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' })
    .type('html')
    .send(html);
}

/**
 * Our own links inside emails: opens (/t/o/<token>.gif), clicks (/t/c/<token>), the double
 * opt-in (/c/<token>) and the preference centre (/u/<token>, RFC 8058 one-click by POST), whose
 * pages speak the email's language. A token that does not verify answers 404, and a click never
 * redirects anywhere we did not sign.
 */
export function trackingRouter(deps: TrackingDeps): Router {
  const router = Router();
  const settings = deps.preferences ?? defaultPreferenceCentre();
  const centre = preferenceCentre({ pool: deps.pool, ...settings });
  const message = async (token: string, needsUrl = false): Promise<[TrackedMessage, string?] | undefined> => {
    const payload = verifyToken(token, deps.signingSecret);
    if (!payload || (needsUrl && !payload.u)) return undefined;
    const m = await findMessage(deps.pool, payload.m);
    return m && [m, payload.u];
  };
  const clock = deps.clock ?? (() => new Date());
  /** Whether a machine made this open or click, and why (undefined: a person). */
  const machine = (req: Request, kind: 'open' | 'click', m: TrackedMessage, now: Date) =>
    machineEngagement({
      kind,
      userAgent: req.get('user-agent'),
      ip: req.ip,
      method: req.method,
      sinceSent: m.sentAt ? now.getTime() - m.sentAt.getTime() : undefined,
    });
  const notFound = (res: Response): void => {
    res.status(404).json({ error: { code: 'not_found', message: 'Unknown link' } });
  };

  router.get('/t/o/:token.gif', async (req: Request<{ token: string }>, res) => {
    const found = await message(req.params.token);
    if (!found) return notFound(res);
    const [m] = found;
    const now = clock();
    const why = machine(req, 'open', m, now);
    await recordMessageEvent(deps.pool, m.id, 'opened', undefined, { machine: why, at: now });
    await deps.accept(engagementEvent(Events.EmailOpened, m, now, why));
    res.set({ 'Content-Type': 'image/gif', 'Cache-Control': 'no-store, max-age=0' }).send(PIXEL);
  });

  router.get('/t/c/:token', async (req: Request<{ token: string }>, res) => {
    const found = await message(req.params.token, true);
    if (!found) return notFound(res);
    const [m, url] = found;
    const now = clock();
    const why = machine(req, 'click', m, now);
    await recordMessageEvent(deps.pool, m.id, 'clicked', url, { machine: why, at: now });
    await deps.accept(engagementEvent(Events.EmailLinkClicked, m, now, why, url));
    res.redirect(302, url!);
  });

  // Double opt-in: the link in the confirmation email. Confirming twice is harmless.
  router.get('/c/:token', async (req: Request<{ token: string }>, res) => {
    const found = await message(req.params.token);
    if (!found) return notFound(res);
    await deps.accept(emailEvent(Events.EmailConfirmed, found[0]));
    sendPage(res, await centre.confirmed(found[0]));
  });

  // The preference centre. A GET never changes anything: mail scanners follow links.
  router.get('/u/:token', async (req: Request<{ token: string }>, res) => {
    const found = await message(req.params.token);
    const suggested = SUGGESTIONS.find((a) => a === req.query.action);
    const page = found && (await centre.choices(found[0], `/u/${req.params.token}`, suggested));
    if (!page) return notFound(res);
    sendPage(res, page);
  });

  // One change from the page's forms, or RFC 8058's one-click (List-Unsubscribe=One-Click).
  router.post('/u/:token', formBody, async (req: Request<{ token: string }>, res) => {
    const found = await message(req.params.token);
    if (!found) return notFound(res);
    const topics = settings.messaging().topics.map((t) => t.id);
    const form = readPreferenceForm(req.body, topics);
    if (!form.ok) return sendError(res, form.error);
    const [m] = found;
    const change = form.data;
    // Counted for the email's statistics (its unsubscribe rate), whichever channel or topic was left.
    if (change.action === 'unsubscribe') await recordMessageEvent(deps.pool, m.id, 'unsubscribed');
    await deps.accept(preferenceEvent(change, m));
    sendPage(res, await centre.done(m, change, `/u/${req.params.token}`));
  });

  return router;
}
