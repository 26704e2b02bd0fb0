// What every value a request carries must be before any schema looks at it: text PostgreSQL and
// Temporal can store exactly as sent, numbers that survive JSON, and a nesting a person would write.
// Checked on bodies, paths and query strings alike, so no endpoint can forget it.

/** Deeper than this is not an event a backend means to send (and deep enough to exhaust a stack). */
export const MAX_DEPTH = 32;

export interface Issue {
  path: string;
  message: string;
}

const join = (path: string, key: string | number): string => (path === '' ? String(key) : `${path}.${key}`);

function textIssue(text: string): string | undefined {
  // PostgreSQL's text and jsonb cannot hold U+0000; a lone surrogate is not Unicode and would be
  // stored as U+FFFD, so what we kept would not be what was sent.
  if (text.includes('\u0000')) return 'must not contain NUL characters (U+0000)';
  if (!text.isWellFormed()) return 'is not valid Unicode (a lone UTF-16 surrogate)';
  return undefined;
}

/** Every problem found in `value`, each with the dotted path of the field (first few only). */
export function wellFormedIssues(value: unknown, limit = 10): Issue[] {
  const issues: Issue[] = [];
  const visit = (v: unknown, path: string, depth: number): void => {
    if (issues.length >= limit) return;
    if (typeof v === 'string') {
      const message = textIssue(v);
      if (message) issues.push({ path, message });
    } else if (typeof v === 'number') {
      // JSON.parse reads 1e400 as Infinity, which JSON cannot carry on to PostgreSQL or Temporal.
      if (!Number.isFinite(v)) issues.push({ path, message: 'is out of range (not a finite number)' });
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_DEPTH) {
        issues.push({ path, message: `is nested deeper than ${MAX_DEPTH} levels` });
        return;
      }
      for (const [key, child] of Object.entries(v)) {
        const keyMessage = textIssue(key);
        if (keyMessage)
          issues.push({ path: join(path, key.replace(/[^\x20-\x7e]/g, '?')), message: `key ${keyMessage}` });
        else visit(child, join(path, Array.isArray(v) ? Number(key) : key), depth + 1);
      }
    }
  };
  visit(value, '', 0);
  return issues;
}
