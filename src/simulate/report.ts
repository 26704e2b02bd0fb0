import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { Attempt } from './capture';
import type { TimelineEntry } from './inputs';
import type { JourneyRun } from './journey-runs';
import type { SegmentChange } from './segment-changes';
import { describeCall, type SimulationResult } from './run';

interface Row {
  at: number;
  /** Rows at the same time keep this order: the event, a journey's start, its sends, its end. */
  order: number;
  kind: string;
  what: string;
  template?: string;
  outcome?: string;
}

/**
 * The customer's timeline as a table: for every event, journey start and end, and message attempt,
 * the customer's local time and UTC, the channel, the journey and step, the template, the subject
 * and what became of it (and why). Deterministic for a given input: golden timelines compare it.
 */
export function formatTimeline(
  result: Pick<SimulationResult, 'attempts' | 'journeys' | 'events' | 'until'> &
    Partial<Pick<SimulationResult, 'segments'>>,
  zone: string,
): string[] {
  const rows = [
    ...result.events.map((e) => eventRow(e)),
    ...(result.segments ?? []).flatMap(segmentRows),
    ...result.journeys.flatMap((j) => journeyRows(j, zone, result.until)),
    ...result.attempts.map((a) => attemptRow(a, zone)),
  ].sort((a, b) => a.at - b.at || a.order - b.order);
  const table = [
    [`Local time (${zone})`, 'UTC', 'Channel', 'Journey / step', 'Template', 'Outcome'],
    ...rows.map((r) => [local(r.at, zone), utc(r.at), r.kind, r.what, r.template ?? '', r.outcome ?? '']),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((cells) => cells[i].length)));
  return table.map((cells) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
}

/** After the event that made it: "joined best-customers", "left frequent-buyers". */
const segmentRows = (c: SegmentChange): Row[] => [
  ...c.joined.map((s) => ({ at: c.at, order: 0.5, kind: 'segment', what: `joined ${s}` })),
  ...c.left.map((s) => ({ at: c.at, order: 0.5, kind: 'segment', what: `left ${s}` })),
];

const eventRow = (e: TimelineEntry): Row => ({
  at: e.at,
  order: 0,
  kind: 'event',
  what: e.index < 0 ? `${describeCall(e.call)} (customer file)` : describeCall(e.call),
});

function journeyRows(j: JourneyRun, zone: string, until: number): Row[] {
  const rows: Row[] = [{ at: j.startedAt, order: 1, kind: 'journey', what: j.journey, outcome: 'started' }];
  for (const hold of j.holds) {
    rows.push({
      at: hold.at,
      order: 2,
      kind: 'held',
      what: `${j.journey} / ${hold.step}`,
      outcome: `${hold.why} until ${local(hold.until, zone)}`,
    });
  }
  if (j.ended) {
    const { outcome, reason } = j.ended.result;
    rows.push({
      at: j.ended.at,
      order: 4,
      kind: 'journey',
      what: j.journey,
      outcome: `${outcome}${reason ? ` (${outcome === 'converted' ? 'goal reached: ' : ''}${reason})` : ''}`,
    });
  }
  if (j.failed)
    rows.push({ at: j.failed.at, order: 4, kind: 'journey', what: j.journey, outcome: `FAILED: ${j.failed.message}` });
  if (j.running) {
    const wakes = j.running.nextWakeAt ? `, until ${local(Date.parse(j.running.nextWakeAt), zone)}` : '';
    rows.push({
      at: until,
      order: 4,
      kind: 'journey',
      what: j.journey,
      outcome: `still running: ${j.running.step}${wakes}`,
    });
  }
  return rows;
}

function attemptRow(a: Attempt, zone: string): Row {
  const subject = a.email ? `"${a.email.subject}" ` : '';
  return {
    at: a.at,
    order: 3,
    kind: a.channel,
    what: `${a.journey} / ${a.step}`,
    template: a.template ?? (a.webhook ? a.webhook.url : undefined),
    outcome: subject + outcomeOf(a, zone),
  };
}

function outcomeOf(a: Attempt, zone: string): string {
  switch (a.status) {
    case 'sent':
      if (a.batch) return 'sent (announced to the waiting list)';
      return a.transactional && a.channel !== 'webhook' ? 'sent (transactional)' : 'sent';
    case 'capped':
      return `held: frequency cap full until ${a.retryAt ? local(Date.parse(a.retryAt), zone) : '?'}`;
    case 'holdout':
      return 'held out (control group): not sent';
    default:
      return `${a.status}${a.reason ? `: ${a.reason}` : ''}`;
  }
}

const local = (ms: number, zone: string): string => DateTime.fromMillis(ms, { zone }).toFormat('ccc yyyy-LL-dd HH:mm');
const utc = (ms: number): string => DateTime.fromMillis(ms, { zone: 'UTC' }).toFormat('yyyy-LL-dd HH:mm');

/**
 * Writes every message that went out to `dir`: an email as .eml (what the inbox receives), .html
 * and .txt; a text as .txt; a webhook call's body as .json. Returns the files, in send order.
 */
export function writeMessages(attempts: Attempt[], dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  let n = 0;
  for (const a of attempts) {
    if (!a.email && !a.sms && !a.webhook) continue;
    const base = path.join(dir, `${String(++n).padStart(2, '0')}-${a.journey}-${a.step}`.replace(/[^\w.-]+/g, '-'));
    const write = (ext: string, content: string | Buffer): void => {
      fs.writeFileSync(`${base}.${ext}`, content);
      files.push(`${base}.${ext}`);
    };
    if (a.email) {
      write('eml', a.email.eml);
      write('html', a.email.html);
      write('txt', a.email.text);
    }
    if (a.sms) write('sms.txt', `To: ${a.sms.to}\n\n${a.sms.body}\n`);
    if (a.webhook) write('json', `${JSON.stringify(JSON.parse(a.webhook.body), null, 2)}\n`);
  }
  return files;
}
