import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { createApp } from '../../src/api/app';
import { backlog } from '../../src/db/dispatch';
import { customerStateQuery, customerWorkflowId } from '../../src/shared/signals';
import { eventually } from './eventually';

// Segment calls as clients send them to the API over HTTP, what was answered, and what the
// customer workflows processed: for the tests that put the ingestion path under faults.

const KEY = 'wk_faults_test';
const AUTH = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;
/** A request that takes this long has hung: a bug, whatever the machine's load. */
const HUNG_MS = 30_000;

/** One Segment call; its messageId is unique in the whole file, its customer says where it goes. */
export interface Call {
  type: 'track' | 'page';
  userId: string;
  messageId: string;
  event?: string;
  name?: string;
  properties?: Record<string, unknown>;
}

/** A request as a client sends it: one call to /v1/<type>, or several to /v1/batch. */
export interface Req {
  path: string;
  body: unknown;
  calls: Call[];
}

export interface Answer {
  req: Req;
  /** 0: no answer within HUNG_MS (or no connection). */
  status: number;
  ms: number;
  retryAfter: string | null;
  body: unknown;
}

let sequence = 0;
/** A call that starts no journey (nothing here is about emails), alternately a track and a page. */
export function call(userId: string): Call {
  const n = ++sequence;
  const messageId = `fault-${process.pid}-${n}`;
  return n % 2 === 0
    ? { type: 'track', userId, messageId, event: 'Button Clicked', properties: { n } }
    : { type: 'page', userId, messageId, name: 'Home', properties: { n } };
}

export const single = (c: Call): Req => {
  const { type, ...body } = c;
  return { path: `/v1/${type}`, body, calls: [c] };
};
export const batch = (calls: Call[]): Req => ({ path: '/v1/batch', body: { batch: calls }, calls });

export async function post(base: string, req: Req): Promise<Answer> {
  const started = performance.now();
  try {
    const res = await fetch(base + req.path, {
      method: 'POST',
      headers: { Authorization: AUTH, 'Content-Type': 'application/json' },
      body: JSON.stringify(req.body),
      signal: AbortSignal.timeout(HUNG_MS),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text, for the failure message
    }
    return {
      req,
      status: res.status,
      ms: performance.now() - started,
      retryAfter: res.headers.get('retry-after'),
      body,
    };
  } catch (err) {
    return { req, status: 0, ms: performance.now() - started, retryAfter: null, body: String(err) };
  }
}

/** Sends `reqs` with `parallel` requests in flight; `onAnswer` is told of each answer as it comes. */
export async function sendAll(
  base: string,
  reqs: Req[],
  parallel: number,
  onAnswer: (a: Answer, answered: number) => void = () => undefined,
): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  const sender = async () => {
    while (next < reqs.length) {
      const answer = await post(base, reqs[next++]);
      answers.push(answer);
      onAnswer(answer, answers.length);
    }
  };
  await Promise.all(Array.from({ length: parallel }, sender));
  return answers;
}

/** Distinct messageIds by customer: what each customer workflow must process, once each. */
export function expectedCounts(reqs: Req[]): Record<string, number> {
  const ids = new Map<string, Set<string>>();
  for (const c of reqs.flatMap((r) => r.calls)) {
    if (!ids.has(c.userId)) ids.set(c.userId, new Set());
    ids.get(c.userId)!.add(c.messageId);
  }
  return Object.fromEntries([...ids].map(([customer, set]) => [customer, set.size]));
}

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
export const latencies = (answers: Answer[]): string => {
  const ms = answers.map((a) => a.ms);
  return `p50 ${percentile(ms, 50).toFixed(0)} ms, p99 ${percentile(ms, 99).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms`;
};
/** The answers that were not `ok`, shortened for a failure message. */
export const unexpected = (answers: Answer[], ok: (a: Answer) => boolean) =>
  answers
    .filter((a) => !ok(a))
    .map((a) => ({ path: a.req.path, status: a.status, ms: Math.round(a.ms), body: a.body }));

/** The API as production serves it (createApp on HTTP), for the suite; errors it logs are kept. */
export function useHttpApi(backends: () => { pool: Pool; temporal: Client }): { url: () => string; logged: unknown[] } {
  let server: Server | undefined;
  const logged: unknown[] = [];
  beforeAll(async () => {
    const app = createApp({
      ...backends(),
      apiKeys: [KEY],
      adminKeys: ['adm_faults_test'],
      signingSecret: 'faults-test-signing-secret',
      log: (err) => logged.push(err),
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
  });
  afterAll(async () => {
    if (!server) return;
    const closed = new Promise((resolve) => server!.close(resolve));
    server.closeAllConnections();
    await closed;
  });
  return {
    url: () => `http://127.0.0.1:${(server!.address() as AddressInfo).port}`,
    logged,
  };
}

/**
 * Waits until every customer's workflow has processed exactly the events sent to it, then returns
 * what each processed; past `seconds`, returns what they processed then (the caller's toEqual shows
 * the difference). A customer that processed more than it was sent never matches.
 */
export async function processedCounts(
  client: () => Client,
  expected: Record<string, number>,
  seconds: number,
): Promise<Record<string, number | undefined>> {
  const actual: Record<string, number | undefined> = {};
  const probe = async () => {
    const customers = Object.keys(expected).filter((c) => actual[c] !== expected[c]);
    // A handful at a time: the worker answers the queries, and it is busy processing.
    for (let i = 0; i < customers.length; i += 20) {
      await Promise.all(
        customers.slice(i, i + 20).map(async (c) => {
          const state = await client()
            .workflow.getHandle(customerWorkflowId(c))
            .query(customerStateQuery)
            .catch(() => undefined);
          actual[c] = state?.eventsProcessed;
        }),
      );
    }
    return Object.keys(expected).every((c) => actual[c] === expected[c]);
  };
  await eventually(probe, 'every customer to have processed its events', seconds).catch(() => undefined);
  return actual;
}

export const pending = async (pool: Pool): Promise<number> => (await backlog(pool)).pending;
