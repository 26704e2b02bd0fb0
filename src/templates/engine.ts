import fs from 'node:fs';
import path from 'node:path';
import { Liquid } from 'liquidjs';
import { registerFilters } from './filters';

/** The two Liquid engines of one locale: HTML-escaping for MJML bodies, plain for subjects and text. */
export interface Engines {
  html: Liquid;
  text: Liquid;
}

/**
 * Engines for the locale chain `chain` (resolved locale first). Partials and layouts are looked up
 * in `_partials/<locale>/` along the chain, then in `_partials/`: `{% include "footer" %}` finds
 * `_partials/de/footer.mjml` for German and `_partials/en/footer.mjml` for everything else.
 *
 * Strict: an undefined variable or filter throws. `lenientIf` still lets a template guard an
 * optional value, `{% if product.url %}` or `{{ customer.first_name | default: "there" }}`, whether
 * the value is null or absent; printing an absent value without a guard throws.
 */
export function createEngines(dir: string, chain: readonly string[], defaultCurrency: string): Engines {
  const partials = [...chain.map((locale) => path.join(dir, '_partials', locale)), path.join(dir, '_partials')].filter(
    (p) => fs.existsSync(p),
  );
  const common = {
    partials,
    layouts: partials,
    relativeReference: false,
    strictVariables: true,
    strictFilters: true,
    lenientIf: true,
    cache: true,
  };
  const html = new Liquid({ ...common, extname: '.mjml', outputEscape: 'escape' });
  const text = new Liquid({ ...common, extname: '.liquid' });
  for (const engine of [html, text]) registerFilters(engine, chain[0]!, defaultCurrency);
  return { html, text };
}
