import { Router, type Request, type Response } from 'express';
import type { Pool } from 'pg';
import { getProfile } from '../db/lookups';
import { messageLinks, type LinkSettings } from '../tracking/links';
import type { MessagingConfig } from '../config/schema';
import { templateData } from '../templates/context';
import { TemplateError } from '../templates/errors';
import type { Renderer } from '../templates/renderer';
import { NoSmsText, type RenderedSms } from '../templates/sms';
import { smsEncoding } from '../templates/sms-encoding';
import { ApiError } from './errors';
import { previewQuery, templateParams } from './schemas';
import { parse } from './validate';

/** What the preview needs of a rendered text message: it measures the encoding and segments itself. */
type SmsText = Pick<RenderedSms, 'text' | 'locale'>;

export interface PreviewDeps {
  pool: Pool;
  /** createRenderer's, or any that renders emails and the text of text messages. */
  renderer: Pick<Renderer, 'render'> & {
    renderSms(template: string, locale: string | undefined, data: Record<string, unknown>): Promise<SmsText>;
  };
  links: LinkSettings;
  messaging: () => MessagingConfig;
}

/**
 * GET /v1/templates/:name/preview?customerId=&locale=&data=&channel= : what a customer would get,
 * with their name and language: the email's HTML, or with channel=sms the text message as JSON with
 * its encoding and segment count. A variable the data lacks is a 422 naming it, never a blank preview.
 */
export function previewRouter(deps: PreviewDeps): Router {
  const router = Router();
  router.get('/v1/templates/:name/preview', async (req: Request<{ name: string }>, res) => {
    if (!templateParams.safeParse(req.params).success) throw new ApiError(404, 'not_found', 'No such template');
    const { channel, customerId, locale, data } = parse(previewQuery, req.query);
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
    const preview = {
      template: req.params.name,
      locale: locale ?? profile?.locale ?? messaging.defaultLocale,
      data: templateInput,
    };
    try {
      if (channel === 'sms') await sendSmsPreview(deps.renderer, preview, res);
      else await sendEmailPreview(deps.renderer, preview, res);
    } catch (err) {
      throw previewFailure(err);
    }
  });
  return router;
}

interface Preview {
  template: string;
  locale: string;
  data: Record<string, unknown>;
}

async function sendEmailPreview(renderer: PreviewDeps['renderer'], { template, locale, data }: Preview, res: Response) {
  const email = await renderer.render(template, locale, data);
  res
    .set({ 'X-Subject': encodeURIComponent(email.subject), 'Content-Language': email.locale })
    .type('html')
    .send(email.html);
}

async function sendSmsPreview(renderer: PreviewDeps['renderer'], { template, locale, data }: Preview, res: Response) {
  const sms = await renderer.renderSms(template, locale, data);
  res
    .set('Content-Language', sms.locale)
    .json({ channel: 'sms', locale: sms.locale, text: sms.text, ...smsEncoding(sms.text) });
}

/** A template that cannot render, as the API answer: 404 when there is nothing to render, else 422. */
function previewFailure(err: unknown): unknown {
  if (!(err instanceof TemplateError)) return err;
  if (err instanceof NoSmsText || err.message.endsWith('unknown template')) {
    return new ApiError(404, 'not_found', err.message);
  }
  return new ApiError(422, 'template_error', err.message, {
    template: err.template,
    locale: err.locale,
    ...(err.variable ? { variable: err.variable } : {}),
  });
}
