import fs from 'node:fs';
import path from 'node:path';
import { Liquid } from 'liquidjs';
import { TemplateError } from './errors';
import { liquidFailure } from './liquid-errors';
import { canonicalLocale, localeChain } from './locale';

/** The preference centre's web pages: Liquid files a shop restyles as it restyles its emails. */
export const PAGES_FOLDER = '_preferences';

/** `page`: the choices behind /u/<token>; `done`: what a choice changed; `confirmed`: the double opt-in's thanks. */
export type PageName = 'page' | 'done' | 'confirmed';

export interface RenderedPage {
  html: string;
  /** The locale actually used, after fallback (de-AT → de → the default locale). */
  locale: string;
}

export interface PageRenderer {
  /**
   * `_preferences/<name>.<locale>.liquid` in the first locale of the fallback chain that has it.
   * Every `{{ }}` output is HTML-escaped: the data holds names from the configuration and the database.
   */
  renderPage(name: PageName, locale: string | undefined, data: Record<string, unknown>): Promise<RenderedPage>;
  /** The locale `renderPage` would render the page in: what else the page shows can speak it too. */
  pageLocale(name: PageName, locale: string | undefined): Promise<string>;
}

export interface PageRendererOptions {
  /** Where the template folders are; defaults to this module's folder (src/templates or dist/templates). */
  dir?: string;
  defaultLocale: string;
}

export function createPageRenderer(opts: PageRendererOptions): PageRenderer {
  const folder = path.join(opts.dir ?? __dirname, PAGES_FOLDER);
  const canonical = canonicalLocale(opts.defaultLocale);
  if (!canonical) throw new Error(`defaultLocale: "${opts.defaultLocale}" is not a locale tag`);
  const defaultLocale: string = canonical;
  // Strict as the emails are: a misspelt variable fails loudly instead of leaving a blank on the page.
  const engine = new Liquid({
    root: [folder],
    partials: [folder],
    layouts: [folder],
    extname: '.liquid',
    relativeReference: false,
    outputEscape: 'escape',
    strictVariables: true,
    strictFilters: true,
    lenientIf: true,
    cache: true,
  });
  let listing: Promise<Set<string>> | undefined;
  const files = () => {
    if (!listing) {
      listing = fs.promises.readdir(folder).then((names) => new Set(names));
      listing.catch(() => (listing = undefined)); // a failed read is not cached
    }
    return listing;
  };

  async function pageLocale(name: PageName, locale: string | undefined): Promise<string> {
    const available = await files();
    const chain = localeChain(locale, defaultLocale);
    const picked = chain.find((l) => available.has(`${name}.${l}.liquid`));
    if (picked) return picked;
    throw new TemplateError(`no ${name}.<locale>.liquid for any of the locales ${chain.join(', ')}`, {
      template: PAGES_FOLDER,
      locale: chain[0],
    });
  }

  async function renderPage(name: PageName, locale: string | undefined, data: Record<string, unknown>) {
    const picked = await pageLocale(name, locale);
    const file = `${name}.${picked}.liquid`;
    try {
      const html = String(await engine.renderFile(file, { ...data, locale: picked }));
      return { html, locale: picked };
    } catch (err) {
      throw liquidFailure(err, { template: PAGES_FOLDER, locale: picked, file });
    }
  }

  return { renderPage, pageLocale };
}
