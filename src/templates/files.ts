import fs from 'node:fs';
import path from 'node:path';
import { TemplateError } from './errors';
import { NoSmsText, SMS_REPLIES_FOLDER } from './sms';

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
  return listFolder(path.join(dir, template));
}

/** A template's folder and the names of its files. */
export interface TemplateFolder {
  folder: string;
  files: Set<string>;
}

/** The template's folder in the first of `roots` that has it; undefined when none does. */
export async function findTemplate(roots: readonly string[], template: string): Promise<TemplateFolder | undefined> {
  for (const root of roots) {
    const files = await listTemplate(root, template);
    if (files) return { folder: path.join(root, template), files };
  }
  return undefined;
}

/** Each journey's own templates folder (`<journeysDir>/<name>/templates`), in name order. */
export function journeyTemplateRoots(journeysDir: string): string[] {
  if (!fs.existsSync(journeysDir)) return [];
  return fs
    .readdirSync(journeysDir)
    .sort()
    .map((name) => path.join(journeysDir, name, 'templates'))
    .filter((folder) => fs.existsSync(folder));
}

/** The file names of the SMS keyword replies (`_sms-replies/`); undefined when there is no such folder. */
export async function listSmsReplies(dir: string): Promise<Set<string> | undefined> {
  return listFolder(path.join(dir, SMS_REPLIES_FOLDER));
}

async function listFolder(folder: string): Promise<Set<string> | undefined> {
  try {
    return new Set(await fs.promises.readdir(folder));
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

/** One locale's SMS text: `sms.<locale>.liquid` of a template, `<keyword>.<locale>.liquid` of a reply. */
export interface SmsFile {
  locale: string;
  file: string;
}

/**
 * The first locale of `chain` with a `<part>.<locale>.liquid` file (`part`: `sms` for a template,
 * the keyword for a reply). A folder with no such file in any locale has no SMS text (NoSmsText:
 * an email-only template); one with files only for other locales is incomplete, like an email
 * template without the default locale.
 */
export function pickSmsFile(template: string, files: Set<string>, chain: readonly string[], part = 'sms'): SmsFile {
  for (const locale of chain) {
    const file = `${part}.${locale}.liquid`;
    if (files.has(file)) return { locale, file };
  }
  const prefix = `${part}.`;
  if (![...files].some((f) => f.startsWith(prefix) && f.endsWith('.liquid'))) throw new NoSmsText({ template });
  throw new TemplateError(`no ${part}.<locale>.liquid for any of the locales ${chain.join(', ')}`, {
    template,
    locale: chain[0],
  });
}
