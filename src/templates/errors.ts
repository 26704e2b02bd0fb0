/** Where a template failed, and why: always names the template and the locale it was rendering. */
export interface TemplateErrorDetails {
  template: string;
  /** The locale being rendered (the one resolved, or the one asked for when none resolved). */
  locale?: string;
  /** For a variable the data lacks: its path, e.g. `order.total`. */
  variable?: string;
  /** The template file (or partial) that failed, when known. */
  file?: string;
  cause?: unknown;
}

/**
 * A template could not be rendered: unknown template, missing variable, unknown filter, invalid
 * MJML. Permanent: rendering the same template with the same data fails the same way again.
 */
export class TemplateError extends Error {
  readonly template: string;
  readonly locale: string | undefined;
  readonly variable: string | undefined;
  readonly file: string | undefined;

  constructor(message: string, details: TemplateErrorDetails) {
    const where = `template "${details.template}"${details.locale ? ` (${details.locale})` : ''}`;
    super(`${where}: ${message}`, { cause: details.cause });
    this.name = 'TemplateError';
    this.template = details.template;
    this.locale = details.locale;
    this.variable = details.variable;
    this.file = details.file;
  }
}
