import pino, { type Logger } from 'pino';

/**
 * The process logger: JSON lines on stdout (what log collectors expect), level from LOG_LEVEL.
 * The Temporal SDK's own logs go through it too (see worker/runtime.ts), so the workflow and
 * activity lines carry workflowId, runId and workflowType as fields.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level });
}

export type { Logger };
