import fs from 'node:fs';
import path from 'node:path';
import { DateTime, IANAZone } from 'luxon';
import { SimulationInputError, SPAN_EXAMPLES, addSpan, show, tryParseSpan } from './span';
import { readEngagement } from './engagement';

export { SimulationInputError, addSpan, parseSpan, type Span } from './span';

/** The simulated customer, from the --customer file. */
export interface SimCustomer {
  userId: string;
  traits: Record<string, unknown>;
  context?: Record<string, unknown>;
  /** IANA zone the timeline's spans are added in: context.timezone, else traits.timezone, else UTC. */
  zone: string;
}

/** One Segment call of the --events file, at the time it is sent. */
export interface TimelineEntry {
  /** Epoch ms. */
  at: number;
  /** 0-based position in the file; messages name it "event <index + 1>". */
  index: number;
  /** The call as the API receives it: without `at`, with the customer's userId and context filled in. */
  call: Record<string, unknown>;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

const CUSTOMER_FIELDS = ['userId', 'traits', 'context'];
/** Segment's six calls, and the shop's catalogue call (POST /v1/products: a product back in stock). */
export const CATALOGUE_CALL = 'products';
/** The shop's stores call (POST /v1/stores): where its stores are and when they open. */
export const STORES_CALL = 'stores';
/** A call of the shop's (admin key), not the customer's: their workflow takes no event from it. */
export const isShopCall = (call: Record<string, unknown>): boolean =>
  call.type === CATALOGUE_CALL || call.type === STORES_CALL;
const CALL_TYPES = new Set(['identify', 'track', 'page', 'screen', 'group', 'alias', CATALOGUE_CALL, STORES_CALL]);
const ISO_EXAMPLE = '"2030-03-01T10:00:00+09:00"';

export function readCustomerFile(file: string): SimCustomer {
  const fail = (problem: string) => new SimulationInputError(`${path.basename(file)}: ${problem}`);
  const data = readJson(file);
  if (!isObject(data)) throw fail('must be a JSON object like {"userId": "c-1", "traits": {...}, "context": {...}}');
  // A misspelt field would otherwise be ignored without a word, and the simulation quietly wrong.
  const unknown = Object.keys(data).find((key) => !CUSTOMER_FIELDS.includes(key));
  if (unknown !== undefined) throw fail(`unknown field ${show(unknown)}: expected ${CUSTOMER_FIELDS.join(', ')}`);
  const { userId, traits = {}, context } = data;
  if (userId === undefined) throw fail('"userId" is required');
  if (typeof userId !== 'string' || userId === '' || userId.length > 255) {
    throw fail(`"userId" must be a non-empty string of at most 255 characters, got ${show(userId)}`);
  }
  if (!isObject(traits)) throw fail(`"traits" must be an object, got ${show(traits)}`);
  if (context !== undefined && !isObject(context)) throw fail(`"context" must be an object, got ${show(context)}`);
  const [field, value] = context?.timezone != null ? ['context', context.timezone] : ['traits', traits.timezone];
  if (value != null && (typeof value !== 'string' || !IANAZone.isValidZone(value))) {
    throw fail(`"${field}.timezone" must be an IANA time zone such as "Europe/Berlin", got ${show(value)}`);
  }
  return { userId, traits, context, zone: (value as string | null | undefined) ?? 'UTC' };
}

/** The calls of the --events file, in the order they happen (file order for equal times). */
export function readTimelineFile(file: string, customer: SimCustomer, start: number): TimelineEntry[] {
  const name = path.basename(file);
  const data = readJson(file);
  const calls = Array.isArray(data) ? data : isObject(data) && Array.isArray(data.events) ? data.events : undefined;
  if (!calls) throw new SimulationInputError(`${name}: must be a JSON array of Segment calls, or {"events": [...]}`);
  return calls
    .map((raw: unknown, index) => readEntry(raw, index, name, customer, start))
    .sort((a, b) => a.at - b.at || a.index - b.index);
}

function readEntry(raw: unknown, index: number, name: string, customer: SimCustomer, start: number): TimelineEntry {
  const at = isObject(raw) && raw.at !== undefined ? ` (at ${show(raw.at)})` : '';
  const fail = (problem: string) => new SimulationInputError(`${name}, event ${index + 1}${at}: ${problem}`);
  if (!isObject(raw)) throw fail(`must be an object, a Segment call with "at" and "type", got ${show(raw)}`);
  const { at: when, ...call } = raw;
  const ms = readAt(when, customer.zone, start, fail);
  // An open or a click of an email the customer got: not a Segment call (src/simulate/engagement.ts).
  const engagement = readEngagement(call, fail);
  if (engagement) return { at: ms, index, call: engagement };
  if (typeof call.type !== 'string' || !CALL_TYPES.has(call.type)) {
    const got = call.type === undefined ? 'it is missing' : `got ${show(call.type)}`;
    throw fail(`"type" must be one of ${[...CALL_TYPES].join(', ')}: ${got}`);
  }
  if (call.type === 'track' && (typeof call.event !== 'string' || call.event === '')) {
    throw fail(
      `a track call needs "event", a non-empty string${call.event === undefined ? '' : `, got ${show(call.event)}`}`,
    );
  }
  if (call.type === CATALOGUE_CALL) {
    if (!Array.isArray(call.products))
      throw fail('a products call needs "products", a list of the catalogue\'s products');
    return { at: ms, index, call };
  }
  if (call.type === STORES_CALL) {
    if (!Array.isArray(call.stores)) throw fail('a stores call needs "stores", a list of the shop\'s stores');
    return { at: ms, index, call };
  }
  // The rest is left to the API, which validates calls for meaning and whose 400 the simulator reports.
  if (call.userId === undefined && call.anonymousId === undefined) call.userId = customer.userId;
  if (call.context === undefined) {
    if (customer.context) call.context = { ...customer.context };
  } else if (isObject(call.context)) {
    call.context = { ...customer.context, ...call.context };
  }
  return { at: ms, index, call };
}

/** An entry's `at`: a span from `start` in the customer's zone, or an absolute time with an offset. */
function readAt(at: unknown, zone: string, start: number, fail: (problem: string) => Error): number {
  const forms = `a span from the start such as ${SPAN_EXAMPLES}, or an ISO time with an offset such as ${ISO_EXAMPLE}`;
  if (at === undefined) throw fail(`"at" is required: ${forms}`);
  if (typeof at !== 'string') throw fail(`"at" must be a string: ${forms}`);
  const text = at.trim();
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const span = tryParseSpan(text);
    if (!span) throw fail(`"at" must be ${forms}`);
    return addSpan(start, span, zone);
  }
  if (!/T.*(?:z|[+-]\d{2}(?::?\d{2})?)$/i.test(text)) {
    throw fail(
      `an absolute "at" needs a time and an offset or Z, such as ${ISO_EXAMPLE}: without one its zone is ambiguous`,
    );
  }
  const time = DateTime.fromISO(text, { setZone: true });
  if (!time.isValid) {
    throw fail(`"at" is not a valid ISO 8601 time: ${oneLine(time.invalidExplanation ?? String(time.invalidReason))}`);
  }
  if (time.toMillis() < start) {
    throw fail(
      `is before the simulation start, ${DateTime.fromMillis(start, { zone }).toISO({ suppressMilliseconds: true })}`,
    );
  }
  return time.toMillis();
}

function readJson(file: string): unknown {
  const name = path.basename(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''); // editors on Windows save a BOM
  } catch (err) {
    throw new SimulationInputError(`${name}: cannot read it: ${readProblem(err)}`);
  }
  if (text.trim() === '') throw new SimulationInputError(`${name}: is empty, not JSON`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SimulationInputError(`${name}: not JSON: ${jsonProblem(text, err)}`);
  }
}

function readProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return oneLine(err instanceof Error ? err.message : String(err));
}

/** The parser's message with a line and column, which Node 20 gives only as an offset, or not at all. */
function jsonProblem(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const atOffset = /^(.*?) in JSON at position (\d+)/s.exec(message);
  if (atOffset) return `${atOffset[1]} ${lineAndColumn(text, Number(atOffset[2]))}`;
  // "Unexpected token ']', "<the source>" is not valid JSON": the source, not where in it.
  const token = /^(Unexpected token '.+?'), .* is not valid JSON$/s.exec(message);
  if (token) return `${token[1]} ${lineAndColumn(text, firstBadOffset(text))}`;
  return oneLine(message);
}

/** Where the parser met an unexpected token: the shortest prefix that fails on one ends with it. */
function firstBadOffset(text: string): number {
  const failsOnToken = (prefix: string) => {
    try {
      JSON.parse(prefix);
      return false;
    } catch (err) {
      return err instanceof Error && err.message.startsWith('Unexpected token');
    }
  };
  let [low, high] = [1, text.length];
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (failsOnToken(text.slice(0, middle))) high = middle;
    else low = middle + 1;
  }
  return low - 1;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `(line ${line}, column ${offset - before.lastIndexOf('\n')})`;
}
