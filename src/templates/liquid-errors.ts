import path from 'node:path';
import { LiquidError } from 'liquidjs';
import { TemplateError } from './errors';

/**
 * A LiquidJS error as a TemplateError: an undefined variable names the variable; anything else
 * keeps LiquidJS's message with its line and column. The LiquidJS error stays as `cause` (its
 * message shows the offending lines, also when they are in a partial).
 */
export function liquidFailure(err: unknown, where: { template: string; locale: string; file: string }): TemplateError {
  if (err instanceof TemplateError) return err;
  const variable = undefinedVariable(err);
  const tokenFile = LiquidError.is(err) ? err.token?.file : undefined;
  const file = tokenFile ? path.basename(tokenFile) : where.file;
  const message = variable
    ? `missing variable "${variable}" while rendering ${file}: the data has no such value` +
      ' (optional values need a guard: {% if x %} or {{ x | default: ... }})'
    : `${file}: ${err instanceof Error ? err.message : String(err)}`;
  return new TemplateError(message, { ...where, file, variable, cause: err });
}

/** The variable's path when `err` (or an error it wraps) is LiquidJS's undefined-variable error. */
function undefinedVariable(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 10; depth++) {
    const name = (e as { variableName?: unknown }).variableName;
    if (typeof name === 'string') return name;
    e = (e as { originalError?: unknown }).originalError;
  }
  return undefined;
}
