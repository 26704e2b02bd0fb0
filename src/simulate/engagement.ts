import { lastEngagement } from '../db/message-events';
import type { Sandbox } from './sandbox';
import { show, SimulationInputError } from './span';

// Timeline entries that read an email: {"at": "+1 day", "open": "welcome"} fetches the tracking
// pixel of the email sent at step `welcome`, {"click": "welcome"} its first tracked link, both
// through the sandbox's API as a mail client would (the real path: recorded, flagged when a
// machine made it, stored as an event and delivered to the customer's workflow). "userAgent" and
// "ip" play someone else: Apple Mail Privacy Protection is {"userAgent": "Mozilla/5.0", "ip": "17.58.0.1"}.

export type EngagementCall = {
  type: 'open' | 'click';
  /** The step whose email is read. */
  step: string;
  userAgent?: string;
  /** The address the request comes from, as the API sees it (a proxy's X-Forwarded-For). */
  ip?: string;
  /** Set once fetched: why the API took it for a machine's, if it did. */
  machine?: string | null;
};

/** A person reading mail on a phone: what an open or click sends unless the entry says otherwise. */
const PERSON_USER_AGENT =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
const FIELDS = ['open', 'click', 'userAgent', 'ip'];

export const isEngagement = (call: Record<string, unknown>): boolean => call.type === 'open' || call.type === 'click';

/** The entry as an open or click (without its "at"), or undefined when it is a Segment call. */
export function readEngagement(
  raw: Record<string, unknown>,
  fail: (problem: string) => Error,
): EngagementCall | undefined {
  if (raw.open === undefined && raw.click === undefined) return undefined;
  if (raw.open !== undefined && raw.click !== undefined)
    throw fail('an entry either "open"s or "click"s an email, not both');
  const unknown = Object.keys(raw).find((key) => !FIELDS.includes(key));
  if (unknown !== undefined)
    throw fail(`unknown field ${show(unknown)} in an open or click: expected ${FIELDS.join(', ')}`);
  const type = raw.open !== undefined ? 'open' : 'click';
  const step = raw[type];
  if (typeof step !== 'string' || step === '') {
    throw fail(`"${type}" must be the step whose email is read, such as "welcome", got ${show(step)}`);
  }
  for (const field of ['userAgent', 'ip'] as const) {
    if (raw[field] !== undefined && typeof raw[field] !== 'string') {
      throw fail(`"${field}" must be a string, got ${show(raw[field])}`);
    }
  }
  const { userAgent, ip } = raw as { userAgent?: string; ip?: string };
  return { type, step, ...(userAgent === undefined ? {} : { userAgent }), ...(ip === undefined ? {} : { ip }) };
}

/** "opened welcome", with the machine the API took it for. */
export function describeEngagement(call: Record<string, unknown>): string {
  const { type, step, machine } = call as EngagementCall;
  return `${type === 'open' ? 'opened' : 'clicked'} ${step}${machine ? ` (${machine}: not counted)` : ''}`;
}

/**
 * Reads the email the customer got at the entry's step as a mail client does: fetches its pixel
 * or its first tracked link from the sandbox's API, and notes on the entry whether the API took
 * it for a machine's.
 */
export async function engage(sandbox: Sandbox, customerId: string, call: EngagementCall, where: string): Promise<void> {
  const attempt = [...sandbox.capture.attempts].reverse().find((a) => a.step === call.step && a.email);
  if (!attempt?.email) throw new SimulationInputError(`${where}: no email of step "${call.step}" was sent before it`);
  const pattern =
    call.type === 'open' ? /https?:\/\/[^"'\s]+(\/t\/o\/[^"'\s]+\.gif)/ : /https?:\/\/[^"'\s]+(\/t\/c\/[^"'\s]+)/;
  const path = pattern.exec(attempt.email.html)?.[1];
  if (!path) throw new SimulationInputError(`${where}: the email of step "${call.step}" has no tracked ${call.type}`);
  const response = await fetch(`${sandbox.apiUrl}${path}`, {
    redirect: 'manual',
    headers: { 'user-agent': call.userAgent ?? PERSON_USER_AGENT, ...(call.ip ? { 'x-forwarded-for': call.ip } : {}) },
  });
  if (response.status !== 200 && response.status !== 302) {
    throw new Error(`${where}: the API answered ${response.status} to the ${call.type} of "${call.step}"`);
  }
  call.machine = (await lastEngagement(sandbox.pool, customerId, call.step, `${call.type}ed`))?.machine ?? null;
}
