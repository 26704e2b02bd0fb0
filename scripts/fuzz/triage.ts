import fs from 'node:fs';

// Every 5xx of the run with its cause: each response Schemathesis recorded (requests.har) is
// matched, by time, with what the API logged (its 500s) and what PostgreSQL logged (the errors
// behind most 503s, which the API does not log), then grouped by operation, status and cause, each
// group with its shortest request as a curl command. Schemathesis runs one request at a time
// (JOURNEYS_FUZZ_WORKERS=1), so the times tell the requests apart.

export interface Exchange {
  method: string;
  url: string;
  headers: { name: string; value: string }[];
  body?: string;
  status: number;
  /** When the request was sent and when its response had arrived, in ms since the epoch. */
  sentAt: number;
  doneAt: number;
}

interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    headers: { name: string; value: string }[];
    postData?: { text?: string };
  };
  response: { status: number };
}

/** The exchanges of a HAR file. Schemathesis stamps an entry when the response has arrived. */
export function readHar(file: string): Exchange[] {
  if (!fs.existsSync(file)) return [];
  const har = JSON.parse(fs.readFileSync(file, 'utf8')) as { log: { entries: HarEntry[] } };
  return har.log.entries.map((e) => {
    const doneAt = Date.parse(e.startedDateTime);
    return {
      method: e.request.method,
      url: e.request.url,
      headers: e.request.headers,
      body: e.request.postData?.text,
      status: e.response.status,
      sentAt: doneAt - e.time,
      doneAt,
    };
  });
}

export interface Cause {
  /**
   * The API logs every 500 it answers, with its error; it answers 503 without logging, and
   * PostgreSQL's log holds the error behind it. So a 500 takes the API's line, any other 5xx
   * PostgreSQL's (whose errors can also come from work a request left running after its answer).
   */
  source: 'api' | 'postgres';
  time: number;
  /** One line: the error and where it was thrown, or PostgreSQL's message and detail. */
  text: string;
}

/**
 * Where an error comes from, in a few words: the function of ours that threw it or awaited the
 * library call that did (`checkSize src/api/ingest-routes.ts`), else the library
 * (`body-parser read`, when it fails inside express's middleware chain).
 */
export function origin(stack: string): string | undefined {
  const frames = stack
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('at ') && !/\(?node:/.test(l))
    .map((l) => {
      const m = /^at (async )?(?:(\S+) \()?(?:.*\/)?((?:src|node_modules)\/[^:)]*)/.exec(l);
      return m && { async: Boolean(m[1]), fn: m[2] ?? '<anonymous>', file: m[3] };
    })
    .filter((f) => f !== null);
  const first = frames[0];
  if (!first) return undefined;
  const ours = frames.find((f, i) => f.file.startsWith('src/') && (i === 0 || f.async));
  if (ours) return `${ours.fn} ${ours.file}`;
  const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(first.file)?.[1] ?? first.file;
  return `${pkg} ${first.fn}`;
}

/** The API's logged request failures (pino JSON lines, `msg: "request failed"`). */
export function apiCauses(logFile: string): Cause[] {
  if (!fs.existsSync(logFile)) return [];
  const causes: Cause[] = [];
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { time?: number; msg?: string; err?: { type?: string; message?: string; stack?: string } };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (entry.msg !== 'request failed' || !entry.err || typeof entry.time !== 'number') continue;
    const message = (entry.err.message ?? '').replace(/\s+/g, ' ').slice(0, 160);
    const at = origin(entry.err.stack ?? '');
    causes.push({
      source: 'api',
      time: entry.time,
      text: `API: ${entry.err.type ?? 'Error'}: ${message}${at ? ` (at ${at})` : ''}`,
    });
  }
  return causes;
}

/** PostgreSQL's ERROR lines with their DETAIL, from the server's log (times in UTC). */
export function postgresCauses(logFile: string): Cause[] {
  if (!fs.existsSync(logFile)) return [];
  const causes: Cause[] = [];
  let last: Cause | undefined;
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    const m = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) UTC \[\d+\] (ERROR|DETAIL|STATEMENT):\s+(.*)$/.exec(line);
    if (!m) continue;
    if (m[2] === 'ERROR') {
      last = { source: 'postgres', time: Date.parse(`${m[1].replace(' ', 'T')}Z`), text: `PostgreSQL: ${m[3]}` };
      causes.push(last);
    } else if (m[2] === 'DETAIL' && last) {
      last.text += ` (${m[3]})`;
    } else if (m[2] === 'STATEMENT' && last) {
      last.text += ` in ${m[3].split(/\s+/).slice(0, 3).join(' ')}`;
      last = undefined;
    }
  }
  return causes;
}

/** OpenAPI path templates as matchers, so `/v1/customers/x%2Fy` reads as `/v1/customers/{id}`. */
export function operationNamer(paths: string[]): (method: string, url: string) => string {
  const matchers = paths.map((p) => ({
    path: p,
    re: new RegExp(`^${p.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  return (method, url) => {
    const pathname = new URL(url).pathname;
    return `${method} ${matchers.find((m) => m.re.test(pathname))?.path ?? pathname}`;
  };
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const SKIPPED_HEADERS = new Set([
  'user-agent',
  'accept-encoding',
  'accept',
  'connection',
  'content-length',
  'x-schemathesis-testcaseid',
]);

/** The exchange's request as a curl command; `base` is the API's base URL as a shell word, e.g. "$API". */
export function curl(x: Exchange, base: string): string {
  const url = new URL(x.url);
  const parts = ['curl', '-X', x.method];
  for (const h of x.headers)
    if (!SKIPPED_HEADERS.has(h.name.toLowerCase())) parts.push('-H', quote(`${h.name}: ${h.value}`));
  if (x.body !== undefined && x.body !== '') parts.push('--data-binary', quote(x.body));
  parts.push(`${base}${quote(`${url.pathname}${url.search}`)}`);
  return parts.join(' ');
}

export interface FailureGroup {
  operation: string;
  status: number;
  cause: string;
  count: number;
  /** The group's shortest request. */
  example: Exchange;
}

/** How far `time` is from the request's time on the wire (0: while it was on the wire). */
function distance(x: Exchange, time: number): number {
  if (time < x.sentAt) return x.sentAt - time;
  if (time > x.doneAt) return time - x.doneAt;
  return 0;
}

/** Every 5xx exchange, grouped by operation, status and the cause logged while it ran. */
export function triage(
  exchanges: Exchange[],
  causes: Cause[],
  name: (method: string, url: string) => string,
  slackMs = 10,
): FailureGroup[] {
  const failed = exchanges.filter((x) => x.status >= 500);
  const byExchange = new Map<Exchange, string[]>();
  for (const cause of causes) {
    let best: Exchange | undefined;
    for (const x of failed) {
      if ((x.status === 500) !== (cause.source === 'api')) continue;
      if (!best || distance(x, cause.time) < distance(best, cause.time)) best = x;
    }
    if (best && distance(best, cause.time) <= slackMs)
      byExchange.set(best, [...(byExchange.get(best) ?? []), cause.text]);
  }
  const groups = new Map<string, FailureGroup>();
  for (const x of failed) {
    const cause = [...new Set(byExchange.get(x) ?? ['nothing logged'])].sort().join('; ');
    const operation = name(x.method, x.url);
    const key = `${operation}\n${x.status}\n${cause}`;
    const size = (e: Exchange) => curl(e, '').length;
    const known = groups.get(key);
    if (!known) groups.set(key, { operation, status: x.status, cause, count: 1, example: x });
    else {
      known.count++;
      if (size(x) < size(known.example)) known.example = x;
    }
  }
  return [...groups.values()].sort(
    (a, b) => a.operation.localeCompare(b.operation) || a.status - b.status || b.count - a.count,
  );
}

export function formatTriage(groups: FailureGroup[], base: string, maxCurl = 600): string {
  if (groups.length === 0) return 'No request got a 5xx.';
  const total = groups.reduce((n, g) => n + g.count, 0);
  const lines = [`${total} requests got a 5xx, in ${groups.length} groups (operation, status, cause):`];
  for (const g of groups) {
    const command = curl(g.example, base);
    lines.push(
      '',
      `${g.operation} -> ${g.status} (${g.count}x)`,
      `  cause: ${g.cause}`,
      `  e.g.:  ${command.length > maxCurl ? `${command.slice(0, maxCurl)}... (${command.length} characters)` : command}`,
    );
  }
  return lines.join('\n');
}
