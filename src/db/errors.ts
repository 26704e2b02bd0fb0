/** Socket and PostgreSQL codes that say the database cannot be reached, not that a query was wrong. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P03']);

/**
 * Whether `err` means PostgreSQL is down or unreachable (class 08 connection exceptions, admin
 * shutdown, cannot connect now, a dropped socket). Anything else, a constraint or a value out of
 * range, is the query's fault: retrying it later would fail the same way.
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  const code = String((err as { code?: unknown })?.code ?? '');
  const message = (err as Error)?.message ?? '';
  return UNREACHABLE.has(code) || code.startsWith('08') || /Connection terminated|trying to connect/.test(message);
}
