import { Router, type Request } from 'express';
import type { Pool } from 'pg';
import { getProfile } from '../db/lookups';
import { messageLinks, type LinkSettings } from '../activities/links';
import type { Renderer } from '../activities/email';
import type { MessagingConfig } from '../config/schema';
import { templateData } from '../templates/context';
import { TemplateError } from '../templates/errors';
import { ApiError } from './errors';
import { previewQuery, templateParams } from './schemas';
import { parse } from './validate';

export interface PreviewDeps {
  pool: Pool;
  renderer: Renderer;
  links: LinkSettings;
  messaging: () => MessagingConfig;
}

/**
 * GET /v1/templates/:name/preview?customerId=&locale=&data= : the HTML a customer would get, with
 * their name and language. A variable the data lacks is a 422 naming it, never a blank preview.
 */
export function previewRouter(deps: PreviewDeps): Router {
  const router = Router();
  router.get('/v1/templates/:name/preview', async (req: Request<{ name: string }>, res) => {
    if (!templateParams.safeParse(req.params).success) throw new ApiError(404, 'not_found', 'No such template');
    const { customerId, locale, data } = parse(previewQuery, req.query);
    const profile = customerId ? await getProfile(deps.pool, customerId) : null;
    if (customerId && !profile) throw new ApiError(404, 'not_found', `No customer ${customerId}`);
    const messaging = deps.messaging();
    const globals = {
      customer: {
        first_name: profile?.firstName ?? 'Ada',
        last_name: profile?.lastName ?? null,
        email: profile?.email ?? 'preview@example.invalid',
        locale: profile?.locale ?? null,
      },
      links: { ...messageLinks(0, deps.links) },
      brand: messaging.brand,
    };
    let templateInput: Record<string, unknown>;
    try {
      templateInput = templateData(globals, data);
    } catch (err) {
      throw new ApiError(400, 'invalid_request', (err as Error).message);
    }
    try {
      const email = await deps.renderer.render(
        req.params.name,
        locale ?? profile?.locale ?? messaging.defaultLocale,
        templateInput,
      );
      res
        .set({ 'X-Subject': encodeURIComponent(email.subject), 'Content-Language': email.locale })
        .type('html')
        .send(email.html);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      if (err.message.endsWith('unknown template')) throw new ApiError(404, 'not_found', err.message);
      throw new ApiError(422, 'template_error', err.message, {
        template: err.template,
        locale: err.locale,
        ...(err.variable ? { variable: err.variable } : {}),
      });
    }
  });
  return router;
}
