import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { escapeUTF8 as escape } from 'entities';
import express from 'express';
import { Webhook } from 'standardwebhooks';
import { listenOnLoopback } from './listen';
import { STAND_IN_TABLE_STYLE } from './stand-in-style';

export interface WebhookReceiverSettings {
  port: number;
  /** Standard Webhooks secret, `whsec_` + base64 */
  secret: string;
  /** Answers a verified call; undefined (or no `respond`) gives the default demo answer. */
  respond?: (call: IncomingWebhook) => WebhookAnswer | undefined;
  log?: (line: string) => void;
}

export interface WebhookAnswer {
  status: number;
  body?: unknown;
}

export interface ReceivedWebhook {
  /** The `webhook-id` header: the same on every retry of one message. */
  id: string;
  /** The `webhook-timestamp` header (seconds since the epoch). */
  timestamp: string;
  path: string;
  /** The JSON sent (the raw text when it is not JSON). */
  body: unknown;
  verified: boolean;
  /** Why verification failed, or why `respond` failed. */
  error?: string;
  /** A verified call whose id came verified before: a retry. */
  duplicate: boolean;
  answeredStatus: number;
  receivedAt: string;
}

/** A call as `respond` sees it: before it is answered. */
export type IncomingWebhook = Omit<ReceivedWebhook, 'answeredStatus'>;

export interface WebhookReceiver {
  url: string;
  /** Newest first. */
  calls(): ReceivedWebhook[];
  stop(): Promise<void>;
}

/**
 * A partner's endpoint for our webhook steps, on loopback: every POST under /hooks/ is verified
 * as Standard Webhooks signs it, answered (a coupon under /coupons, a receipt elsewhere) and
 * kept to inspect at /api/calls and on a web page. Logs one line per call.
 */
export async function startWebhookReceiver(settings: WebhookReceiverSettings): Promise<WebhookReceiver> {
  const log = settings.log ?? (() => {});
  const verifier = new Webhook(settings.secret);
  const received: ReceivedWebhook[] = [];
  const verifiedIds = new Set<string>();

  const app = express();
  app.disable('x-powered-by');

  // Raw bytes: a signature covers the body exactly as sent.
  app.post('/hooks/*path', express.raw({ type: () => true, limit: '1mb' }), (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const headers = {
      'webhook-id': req.get('webhook-id') ?? '',
      'webhook-timestamp': req.get('webhook-timestamp') ?? '',
      'webhook-signature': req.get('webhook-signature') ?? '',
    };
    const incoming: IncomingWebhook = {
      id: headers['webhook-id'],
      timestamp: headers['webhook-timestamp'],
      path: req.path,
      body: parsed(raw.toString('utf8')),
      verified: false,
      duplicate: false,
      receivedAt: new Date().toISOString(),
    };
    const failure = verificationFailure(verifier, raw, headers);
    let answer: WebhookAnswer;
    if (failure) {
      incoming.error = failure;
      answer = { status: 401, body: { error: `Webhook signature not verified: ${failure}` } };
    } else {
      incoming.verified = true;
      incoming.duplicate = verifiedIds.has(incoming.id);
      verifiedIds.add(incoming.id);
      answer = answerFor(incoming);
    }
    const call: ReceivedWebhook = { ...incoming, answeredStatus: answer.status };
    received.push(call);
    const verdict = call.verified ? 'verified' : `not verified (${call.error})`;
    log(`[webhook] POST ${call.path}: ${verdict}${call.duplicate ? ', duplicate' : ''}, ${answer.status}`);
    if (answer.body === undefined) res.status(answer.status).end();
    else res.status(answer.status).json(answer.body);
  });

  /** The test's or demo's answer; a `respond` that throws answers 500, as a broken partner would. */
  function answerFor(call: IncomingWebhook): WebhookAnswer {
    try {
      return settings.respond?.(call) ?? defaultAnswer(call);
    } catch (err) {
      call.error = `respond failed: ${err instanceof Error ? err.message : String(err)}`;
      return { status: 500, body: { error: 'The receiver failed' } };
    }
  }

  const newestFirst = () => received.map((c) => ({ ...c })).reverse();
  app.get('/api/calls', (_req, res) => {
    res.json(newestFirst());
  });
  app.get('/', (_req, res) => {
    res.type('html').send(renderCalls(newestFirst()));
  });

  const server = await listenOnLoopback(app, settings.port);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: newestFirst,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Why the call is not signed by our secret (bad signature, missing header, stale timestamp), if it is not. */
function verificationFailure(verifier: Webhook, raw: Buffer, headers: Record<string, string>): string | undefined {
  try {
    verifier.verify(raw, headers);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The demo partner: issues a coupon under /coupons, the same one for every retry of a message. */
function defaultAnswer(call: IncomingWebhook): WebhookAnswer {
  if (call.path.endsWith('/coupons')) return { status: 201, body: { code: couponCode(call.id), percentOff: 10 } };
  return { status: 200, body: { received: true } };
}

const COUPON_LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ'; // no I or O, which read as 1 and 0

function couponCode(webhookId: string): string {
  const digest = crypto.createHash('sha256').update(webhookId).digest();
  const letters = [...digest.subarray(0, 6)].map((byte) => COUPON_LETTERS[byte % COUPON_LETTERS.length]);
  return `SAVE-${letters.join('')}`;
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function renderCalls(calls: ReceivedWebhook[]): string {
  const rows = calls
    .map(
      (call) => `<tr>
  <td><time datetime="${escape(call.receivedAt)}">${escape(call.receivedAt.replace('T', ' ').slice(0, 19))}</time></td>
  <td>${escape(call.path)}</td>
  <td class="${call.verified ? 'ok' : 'bad'}"${call.error ? ` title="${escape(call.error)}"` : ''}>${call.verified ? '✓' : '✗'}</td>
  <td>${call.duplicate ? 'duplicate' : ''}</td>
  <td>${call.answeredStatus}</td>
  <td><pre>${escape(JSON.stringify(call.body, null, 2) ?? '')}</pre></td>
</tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="3">
<title>Webhook calls</title>
<style>
${STAND_IN_TABLE_STYLE}
  pre { margin: 0; white-space: pre-wrap; }
  .ok { color: #1b7f3b; }
  .bad { color: #b00020; }
</style>
</head>
<body>
<h1>Webhook calls</h1>
<table>
<thead><tr><th>Time (UTC)</th><th>Path</th><th>Verified</th><th></th><th>Answered</th><th>Body</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="6">No calls yet.</td></tr>'}
</tbody>
</table>
</body>
</html>
`;
}
