import { Webhook } from 'standardwebhooks';
import type { WebhookOutcome, WebhookRequest } from '../shared/journey';
import { httpLink } from '../shared/http-link';
import { HTTP_CALL_TIMEOUT_MS, WEBHOOK_RESPONSE_LIMIT } from '../shared/sending';
import { claimMessage, markFailed, markSending, markSent, recordResponse, requeue, storedResponse } from '../db/outbox';
import { CLAIM_TTL_MS } from '../db/send-decision';
import type { DeliveryDeps } from './deliver';
import { currentAttempt, whileHeartbeating } from './heartbeat';

export interface WebhookDeps extends DeliveryDeps {
  /** Standard Webhooks secret (whsec_…); undefined: a webhook step is recorded `failed`, saying so. */
  webhookSecret: string | undefined;
  /** Makes the call: the global fetch, or the simulator's, which answers for the shop. */
  fetch?: typeof fetch;
}

/**
 * The webhook step: one call to the shop's own systems, signed as Standard Webhooks specify
 * (webhook-id, webhook-timestamp, webhook-signature), made once per step: the outbox row keyed by
 * the step is claimed before the call, its `webhook-id` is the row's and stays the same on every
 * retry (receivers deduplicate on it), and the answer is kept on the row. A 2xx answer is `sent`;
 * a 4xx is a refusal, `failed` for good; a 5xx, 408, 429 or no answer is retried with backoff.
 */
export function createCallWebhook(deps: WebhookDeps): (req: WebhookRequest) => Promise<WebhookOutcome> {
  return (req) => whileHeartbeating(() => call(deps, req));
}

async function call(deps: WebhookDeps, req: WebhookRequest): Promise<WebhookOutcome> {
  const entry = { ...req, template: req.url, transactional: true, holdout: false, channel: 'webhook' as const };
  const client = await deps.pool.connect();
  let claim;
  try {
    // Not a message to the customer: no consent, cap or quiet hours, only once per step.
    const go = async () => ({ outcome: { status: 'sent' as const }, recipient: req.url });
    claim = await claimMessage(client, entry, go, deps.clock(), currentAttempt(), CLAIM_TTL_MS);
  } finally {
    client.release();
  }
  if (claim.kind === 'busy') throw new Error('another attempt is calling this webhook right now; retrying later');
  if (claim.kind === 'done')
    return answered(claim.outcome.status, claim.outcome.reason, await storedResponse(deps.pool, req.idempotencyKey));

  const { messageId } = claim;
  const fail = async (reason: string, status?: number, body?: unknown): Promise<WebhookOutcome> => {
    await markFailed(deps.pool, messageId, reason);
    if (status !== undefined) await recordResponse(deps.pool, messageId, { status, body });
    return answered('failed', reason, status === undefined ? undefined : { status, body });
  };
  if (!deps.webhookSecret) return fail('no WEBHOOK_SECRET: webhook calls are not signed, so not made');
  if (!httpLink(req.url)) return fail(`not an http(s) URL: ${req.url}`);

  const id = `msg_${messageId}`;
  const now = deps.clock();
  const payload = JSON.stringify({
    type: `${req.journey}.${req.step}`,
    timestamp: now.toISOString(),
    data: { customerId: req.customerId, journey: req.journey, step: req.step, ...req.body },
  });
  const signature = new Webhook(deps.webhookSecret).sign(id, now, payload);
  await markSending(deps.pool, messageId, { header: id }); // a call has no language
  let response: Response;
  try {
    response = await (deps.fetch ?? fetch)(req.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body: payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(HTTP_CALL_TIMEOUT_MS),
    });
  } catch (err) {
    await requeue(deps.pool, messageId);
    throw err; // no answer: retried
  }
  const body = await answerBody(response);
  if (response.status >= 200 && response.status < 300) {
    await recordResponse(deps.pool, messageId, { status: response.status, body });
    await markSent(deps.pool, messageId, deps.clock(), { delivered: true });
    return answered('sent', undefined, { status: response.status, body });
  }
  if (response.status >= 500 || response.status === 408 || response.status === 429) {
    await requeue(deps.pool, messageId);
    throw new Error(`webhook ${req.url} answered ${response.status}; retrying`);
  }
  return fail(`webhook answered ${response.status}`, response.status, body); // refused: no retry changes that
}

/** The answer as JSON when it is JSON and small enough to hand to the journey; null otherwise. */
async function answerBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (!/json/i.test(response.headers.get('content-type') ?? '') || Buffer.byteLength(text) > WEBHOOK_RESPONSE_LIMIT)
    return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function answered(
  status: string,
  reason: string | undefined,
  response: { status: number | null; body: unknown } | undefined,
): WebhookOutcome {
  return {
    status: status === 'sent' ? 'sent' : 'failed',
    ...(reason ? { reason } : {}),
    ...(response?.status != null ? { responseStatus: response.status } : {}),
    ...(response?.body != null ? { response: response.body } : {}),
  };
}
