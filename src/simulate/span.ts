import { DateTime } from 'luxon';

/** A problem with what the user gave the simulator, said in one line that names the file and the field. */
export class SimulationInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationInputError';
  }
}

/** `value` as JSON, cut short so that a message stays one readable line. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export type SpanUnit = 'years' | 'months' | 'weeks' | 'days' | 'hours' | 'minutes' | 'seconds';
/** A luxon DurationLikeObject restricted to the units a span can name; `{}` is zero. */
export type Span = Partial<Record<SpanUnit, number>>;

const UNITS = new Map<string, SpanUnit>();
for (const [unit, names] of [
  ['seconds', 's sec secs second seconds'],
  ['minutes', 'm min mins minute minutes'],
  ['hours', 'h hr hrs hour hours'],
  ['days', 'd day days'],
  ['weeks', 'w week weeks'],
  ['months', 'mo month months'],
  ['years', 'y yr yrs year years'],
] as const) {
  for (const name of names.split(' ')) UNITS.set(name, unit);
}

export const SPAN_EXAMPLES = '"+2h", "+3 days", "1 year"';

// One part: a number then its unit, spaces allowed around both ("1d2h" and "1 day 2 h" alike).
const PART = /\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)\s*/iy;

/** The span `text` names, or undefined when it names none. */
export function tryParseSpan(text: string): Span | undefined {
  const body = text.trim().replace(/^\+\s*/, '');
  if (body === '0') return {};
  if (body === '') return undefined;
  const span: Span = {};
  PART.lastIndex = 0;
  while (PART.lastIndex < body.length) {
    const match = PART.exec(body);
    const unit = match && UNITS.get(match[2].toLowerCase());
    if (!match || !unit) return undefined;
    span[unit] = (span[unit] ?? 0) + Number(match[1]); // "1h 30m 1h" adds up, as one would read it
  }
  return span;
}

export function parseSpan(text: string): Span {
  const span = tryParseSpan(text);
  if (!span) throw new SimulationInputError(`${show(text)} is not a span: use e.g. ${SPAN_EXAMPLES}`);
  return span;
}

/** `ms` plus `span` on the calendar of `zone`: "+1 day" across a DST change keeps the local hour. */
export function addSpan(ms: number, span: Span, zone: string): number {
  const result = DateTime.fromMillis(ms, { zone }).plus(span).toMillis();
  if (!Number.isFinite(result)) throw new SimulationInputError(`cannot add a span in the time zone "${zone}"`);
  return result;
}
