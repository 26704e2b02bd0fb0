import fs from 'node:fs';
import path from 'node:path';
import { TemplateError } from './errors';

/** One locale's files of a template, as names inside the template's folder. */
export interface LocaleFiles {
  locale: string;
  subject: string;
  body: string;
  /** The hand-written plain-text part; absent: the text is generated from the HTML. */
  text?: string;
}

/** Template names are folder names: letters, digits, dashes, underscores (no paths, no `_partials`). */
const TEMPLATE_NAME = /^[a-z0-9][a-z0-9_-]*$/i;

/** The file names in a template's folder; undefined when there is no such template. */
export async function listTemplate(dir: string, template: string): Promise<Set<string> | undefined> {
  if (!TEMPLATE_NAME.test(template)) return undefined;
  try {
    return new Set(await fs.promises.readdir(path.join(dir, template)));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return undefined;
    throw err;
  }
}

/**
 * The first locale of `chain` the template has both a subject and a body for. A locale with only
 * one of the two is a mistake in the template, not a reason to fall back: it fails loudly.
 */
export function pickLocale(template: string, files: Set<string>, chain: readonly string[]): LocaleFiles {
  for (const locale of chain) {
    const subject = `subject.${locale}.liquid`;
    const body = `body.${locale}.mjml`;
    const text = `text.${locale}.liquid`;
    if (files.has(subject) && files.has(body))
      return { locale, subject, body, text: files.has(text) ? text : undefined };
    if (files.has(subject) || files.has(body) || files.has(text)) {
      throw new TemplateError(`incomplete locale: needs both ${subject} and ${body}`, { template, locale });
    }
  }
  throw new TemplateError(`no files for any of the locales ${chain.join(', ')}`, { template, locale: chain[0] });
}
