import fs from 'node:fs';
import path from 'node:path';
import type { Template } from 'liquidjs';
import { createEngines, type Engines } from './engine';
import { TemplateError } from './errors';
import {
  findTemplate,
  journeyTemplateRoots,
  listSmsReplies,
  pickLocale,
  pickSmsFile,
  type LocaleFiles,
  type SmsFile,
  type TemplateFolder,
} from './files';
import { canonicalLocale, localeChain } from './locale';
import { liquidFailure } from './liquid-errors';
import { MjmlInvalid, mjmlToHtml } from './mjml';
import { SMS_REPLIES_FOLDER, SMS_REPLY_KEYWORDS, smsText, type RenderedSms, type SmsReplyKeyword } from './sms';
import { smsEncoding } from './sms-encoding';
import { htmlToText } from './text';

export { TemplateError } from './errors';
export { NoSmsText, type RenderedSms, type SmsReplyKeyword } from './sms';
export { smsEncoding, type SmsEncoding } from './sms-encoding';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /** The locale actually used, after fallback (de-AT → de → the default locale). */
  locale: string;
}

export interface RendererOptions {
  /** Where the template folders are; defaults to this module's folder (src/templates or dist/templates). */
  dir?: string;
  /** The locale every template has, used when neither the locale nor its language has files. */
  defaultLocale: string;
  /** ISO 4217 code for `{{ amount | money }}` without a currency. Default USD, as in Segment's spec. */
  defaultCurrency?: string;
}

/** Counters, for tests and metrics: what the caches saved. */
export interface RendererStats {
  /** Template + locale pairs read and parsed (once each, then cached). */
  compiles: number;
  /** Files and folders the renderer read itself (partials are read and cached by LiquidJS). */
  fileReads: number;
  renders: number;
}

export interface Renderer {
  render(template: string, locale: string | undefined, data: Record<string, unknown>): Promise<RenderedEmail>;
  /**
   * The text message of `template`, from its `sms.<locale>.liquid`, with its encoding and segment
   * count. NoSmsText when the template has none (an email-only template).
   */
  renderSms(template: string, locale: string | undefined, data: Record<string, unknown>): Promise<RenderedSms>;
  /** The answer to an inbound keyword (STOP, START, HELP), from `_sms-replies/<keyword>.<locale>.liquid`. */
  renderSmsReply(
    keyword: SmsReplyKeyword,
    locale: string | undefined,
    data: Record<string, unknown>,
  ): Promise<RenderedSms>;
  readonly stats: Readonly<RendererStats>;
}

/** One template in one locale, parsed. */
interface Compiled {
  /** Its folder's path. */
  folder: string;
  files: LocaleFiles;
  engines: Engines;
  subject: Template[];
  body: Template[];
  text?: Template[];
}

/** One SMS text (a template's or a keyword reply's) in one locale, parsed. */
interface CompiledSms extends SmsFile {
  /** The template, or `_sms-replies` for a reply. */
  folder: string;
  engines: Engines;
  text: Template[];
}

export function createRenderer(opts: RendererOptions): Renderer {
  const dir = opts.dir ?? path.join(__dirname);
  // Template folders: the shared ones here, then each journey's own (src/journeys/<name>/templates).
  const roots = opts.dir ? [dir] : [dir, ...journeyTemplateRoots(path.join(__dirname, '..', 'journeys'))];
  const canonical = canonicalLocale(opts.defaultLocale);
  if (!canonical) throw new Error(`defaultLocale: "${opts.defaultLocale}" is not a locale tag`);
  const defaultLocale: string = canonical;
  const defaultCurrency = opts.defaultCurrency ?? 'USD';
  const stats: RendererStats = { compiles: 0, fileReads: 0, renders: 0 };
  // Promises, so concurrent first renders share one read; a failure is not cached.
  const listings = new Map<string, Promise<TemplateFolder | undefined>>();
  const compiled = new Map<string, Promise<Compiled>>();
  const engines = new Map<string, Engines>();
  // SMS texts by folder and file: `_sms-replies/stop.de.liquid` cannot clash with a template's, as
  // template names have no leading `_`; the replies' listing has its own map for the same reason.
  const compiledSms = new Map<string, Promise<CompiledSms>>();
  const replyListing = new Map<string, Promise<Set<string> | undefined>>();

  function cached<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
    let hit = cache.get(key);
    if (!hit) {
      hit = load();
      cache.set(key, hit);
      hit.catch(() => cache.delete(key));
    }
    return hit;
  }

  function enginesFor(locale: string): Engines {
    let e = engines.get(locale);
    if (!e) engines.set(locale, (e = createEngines(dir, localeChain(locale, defaultLocale), defaultCurrency)));
    return e;
  }

  async function read(folder: string, file: string): Promise<string> {
    stats.fileReads++;
    return fs.promises.readFile(path.join(folder, file), 'utf8');
  }

  async function compile(template: string, folder: string, files: LocaleFiles): Promise<Compiled> {
    stats.compiles++;
    const { locale } = files;
    const e = enginesFor(locale);
    const parse = async (engine: Engines['html'], file: string) => {
      const source = await read(folder, file);
      try {
        return engine.parse(source, path.join(folder, file));
      } catch (err) {
        throw liquidFailure(err, { template, locale, file });
      }
    };
    return {
      folder,
      files,
      engines: e,
      subject: await parse(e.text, files.subject),
      body: await parse(e.html, files.body),
      text: files.text ? await parse(e.text, files.text) : undefined,
    };
  }

  async function templateFiles(template: string, locale: string | undefined): Promise<TemplateFolder> {
    const listing = await cached(listings, template, () => {
      stats.fileReads++;
      return findTemplate(roots, template);
    });
    if (!listing) throw new TemplateError('unknown template', { template, locale });
    return listing;
  }

  async function load(template: string, locale: string | undefined): Promise<Compiled> {
    const { folder, files: listing } = await templateFiles(template, locale);
    const files = pickLocale(template, listing, localeChain(locale, defaultLocale));
    return cached(compiled, `${template}/${files.locale}`, () => compile(template, folder, files));
  }

  async function render(template: string, locale: string | undefined, data: Record<string, unknown>) {
    stats.renders++;
    const c = await load(template, locale);
    const where = { template, locale: c.files.locale };
    const message = { template, locale: c.files.locale };
    const liquid = async (engine: Engines['html'], tpl: Template[], scope: object, file: string) => {
      try {
        return String(await engine.render(tpl, scope));
      } catch (err) {
        throw liquidFailure(err, { ...where, file });
      }
    };

    const subject = (await liquid(c.engines.text, c.subject, { ...data, message }, c.files.subject))
      .replace(/\s+/g, ' ')
      .trim();
    if (!subject) throw new TemplateError('the subject rendered empty', { ...where, file: c.files.subject });

    const scope = { ...data, message: { ...message, subject } };
    const mjml = await liquid(c.engines.html, c.body, scope, c.files.body);
    let html: string;
    try {
      html = await mjmlToHtml(mjml, path.join(c.folder, c.files.body));
    } catch (err) {
      const reason = err instanceof MjmlInvalid ? err.message : `MJML failed: ${String(err)}`;
      throw new TemplateError(reason, { ...where, file: c.files.body, cause: err });
    }

    const text = c.text ? (await liquid(c.engines.text, c.text, scope, c.files.text!)).trim() : htmlToText(html);
    return { subject, html, text, locale: c.files.locale };
  }

  async function compileSms(folder: string, at: string, picked: SmsFile): Promise<CompiledSms> {
    stats.compiles++;
    const e = enginesFor(picked.locale);
    const source = await read(at, picked.file);
    try {
      return { ...picked, folder, engines: e, text: e.text.parse(source, path.join(at, picked.file)) };
    } catch (err) {
      throw liquidFailure(err, { template: folder, locale: picked.locale, file: picked.file });
    }
  }

  /** The folder's SMS text for `locale` (`part`: the file's first name, `sms` or a reply's keyword), compiled once. */
  async function loadSms(folder: string, at: string, files: Set<string>, locale: string | undefined, part?: string) {
    const picked = pickSmsFile(folder, files, localeChain(locale, defaultLocale), part);
    return cached(compiledSms, `${folder}/${picked.file}`, () => compileSms(folder, at, picked));
  }

  /** With the text engine: a text message is plain text, so a `&` in a name stays `&`. */
  async function renderCompiledSms(c: CompiledSms, data: Record<string, unknown>): Promise<RenderedSms> {
    stats.renders++;
    const where = { template: c.folder, locale: c.locale, file: c.file };
    let rendered: string;
    try {
      rendered = String(
        await c.engines.text.render(c.text, { ...data, message: { template: c.folder, locale: c.locale } }),
      );
    } catch (err) {
      throw liquidFailure(err, where);
    }
    const text = smsText(rendered);
    if (!text) throw new TemplateError(`the SMS text rendered empty (${c.file})`, where);
    return { text, locale: c.locale, ...smsEncoding(text) };
  }

  async function renderSms(template: string, locale: string | undefined, data: Record<string, unknown>) {
    const { folder, files } = await templateFiles(template, locale);
    return renderCompiledSms(await loadSms(template, folder, files, locale), data);
  }

  async function renderSmsReply(keyword: SmsReplyKeyword, locale: string | undefined, data: Record<string, unknown>) {
    // The keyword becomes a file name: only the ones we answer.
    if (!SMS_REPLY_KEYWORDS.includes(keyword)) {
      throw new TemplateError(`no reply for the keyword ${JSON.stringify(keyword)}`, { template: SMS_REPLIES_FOLDER });
    }
    const listing = await cached(replyListing, SMS_REPLIES_FOLDER, () => {
      stats.fileReads++;
      return listSmsReplies(dir);
    });
    if (!listing) throw new TemplateError('no SMS replies folder', { template: SMS_REPLIES_FOLDER, locale });
    return renderCompiledSms(
      await loadSms(SMS_REPLIES_FOLDER, path.join(dir, SMS_REPLIES_FOLDER), listing, locale, keyword),
      data,
    );
  }

  return { render, renderSms, renderSmsReply, stats };
}
