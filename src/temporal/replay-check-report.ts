import type { ReplayCheckReport, ReplayProgress } from './replay-check';

/** Lines of each error shown: the SDK's nondeterminism message names the command and event in its first. */
const ERROR_LINES = 4;
const ERROR_LINE_CHARS = 300;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * What a failed replay says, without the SDK's wrapping: its message reads "Replay failed with a
 * nondeterminism error. This means ... Details: Workflow activation completion failed: Failure {
 * failure: Some(Failure { message: "[TMPRL1100] Nondeterminism error: UpsertWorkflowSearchAttributesMachine
 * does not handle HistoryEvent(id: 5, ActivityTaskScheduled)", ...". The quoted message names the
 * command and the event; anything else is shown as it is.
 */
export function replayErrorSummary(message: string): string {
  const inner = /Failure \{ message: "((?:[^"\\]|\\.)*)"/.exec(message)?.[1];
  if (!inner) return message;
  return inner.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** The first lines of an error message, each cut short, indented under its workflow. */
export function trimmedMessage(message: string, indent = '    '): string {
  const lines = message
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
  const shown = lines
    .slice(0, ERROR_LINES)
    .map((l) => (l.length > ERROR_LINE_CHARS ? `${l.slice(0, ERROR_LINE_CHARS)}…` : l));
  if (lines.length > ERROR_LINES) shown.push(`(${plural(lines.length - ERROR_LINES, 'more line')})`);
  return shown.map((l) => `${indent}${l}`).join('\n');
}

/** The check's outcome, for stdout: how many replayed fine, and each workflow that would break. */
export function formatReport(report: ReplayCheckReport): string {
  const out: string[] = [];
  out.push(
    `Replayed ${plural(report.checked, 'workflow')} of namespace "${report.namespace}" against the current code`,
  );
  out.push(`(query: ${report.query}).`);
  if (report.matching !== undefined && report.matching > report.limit) {
    out.push(
      `Only the first ${report.limit} of ${report.matching} matching workflows were checked: raise --limit to check them all.`,
    );
  }
  if (report.gone.length > 0) {
    out.push(`${plural(report.gone.length, 'workflow')} closed and deleted before its history was read: not checked.`);
  }
  if (report.notYetRun.length > 0) {
    out.push(
      `${plural(report.notYetRun.length, 'workflow')} had not completed a workflow task yet (nothing recorded to replay): not checked.`,
    );
  }
  out.push('');
  out.push(`${report.fine} replayed fine.`);
  out.push(`${report.wouldBreak.length} would break${report.wouldBreak.length > 0 ? ':' : '.'}`);
  for (const b of report.wouldBreak) {
    out.push('');
    out.push(`  ${b.workflowId}  (type ${b.workflowType}, run ${b.runId})`);
    out.push(trimmedMessage(replayErrorSummary(b.message)));
  }
  if (report.wouldBreak.length > 0) {
    const byType = new Map<string, number>();
    for (const b of report.wouldBreak) byType.set(b.workflowType, (byType.get(b.workflowType) ?? 0) + 1);
    const counts = [...byType].sort(([a], [b]) => a.localeCompare(b)).map(([type, n]) => `${type} ${n}`);
    out.push('');
    out.push(`Would break, by workflow type: ${counts.join(', ')}.`);
  }
  return out.join('\n');
}

/** One progress line, for stderr. */
export function formatProgress(p: ReplayProgress): string {
  const of = p.total === undefined ? '' : ` of ${p.total}`;
  return `replay: ${p.downloaded}${of} histories downloaded, ${p.replayed} replayed, ${p.wouldBreak} would break`;
}
