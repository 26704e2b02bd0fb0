import type { Queryable } from './queryable';

/** A call refused for what it contains, as the admin inspection shows it. */
export interface RejectedEvent {
  endpoint: string;
  /** Its index in the batch; absent for a single call. */
  index?: number;
  code: string;
  message: string;
  details?: unknown;
  /** The call as it was sent. */
  payload: unknown;
}

/** Beyond this, a payload is kept cut (its JSON text no longer parses): enough to see what was wrong. */
const MAX_PAYLOAD_CHARS = 64 * 1024;

/**
 * How long a refused call is kept. Older ones are removed as new ones are kept, so the table is
 * bounded by what clients get wrong in that time, with no job to run.
 */
export const REJECTED_RETENTION_DAYS = 7;

/** Keeps refused calls for inspection, and drops those past the retention, in one statement. */
export async function storeRejected(db: Queryable, rejected: RejectedEvent[]): Promise<void> {
  if (rejected.length === 0) return;
  const rows = rejected.map((r) => ({
    endpoint: r.endpoint,
    position: r.index ?? null,
    code: r.code,
    message: r.message.toWellFormed().replaceAll('\0', '\\u0000'),
    // As JSON text: a NUL or a lone surrogate, refused for that, is kept escaped.
    details: r.details === undefined ? null : JSON.stringify(r.details),
    payload: jsonText(r.payload).slice(0, MAX_PAYLOAD_CHARS),
  }));
  await db.query(
    `WITH expired AS (DELETE FROM rejected_events WHERE received_at < now() - make_interval(days => $2))
     INSERT INTO rejected_events (endpoint, position, code, message, details, payload)
     SELECT endpoint, position, code, message, details, payload
     FROM jsonb_to_recordset($1::jsonb) AS r (endpoint text, position int, code text, message text, details text, payload text)`,
    [JSON.stringify(rows), REJECTED_RETENTION_DAYS],
  );
}

/** The most recent refused calls, newest first. */
export async function recentRejected(
  db: Queryable,
  limit: number,
): Promise<(RejectedEvent & { id: number; receivedAt: string })[]> {
  const { rows } = await db.query<{
    id: string;
    received_at: Date;
    endpoint: string;
    position: number | null;
    code: string;
    message: string;
    details: string | null;
    payload: string;
  }>(
    `SELECT id, received_at, endpoint, position, code, message, details, payload
     FROM rejected_events ORDER BY received_at DESC, id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    receivedAt: r.received_at.toISOString(),
    endpoint: r.endpoint,
    ...(r.position === null ? {} : { index: r.position }),
    code: r.code,
    message: r.message,
    ...(r.details === null ? {} : { details: parsedOrText(r.details) }),
    payload: parsedOrText(r.payload),
  }));
}

/** The payload as JSON text; one nested too deep to write out (refused for that) as a note. */
function jsonText(payload: unknown): string {
  try {
    return JSON.stringify(payload) ?? 'null';
  } catch {
    return JSON.stringify('(nested too deeply to keep)');
  }
}

function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // cut at MAX_PAYLOAD_CHARS
  }
}
