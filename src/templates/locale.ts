/**
 * The locales to try for `requested`, most specific first, ending with the default locale's:
 * de-AT → [de-AT, de, en]; zh-Hant-TW → [zh-Hant-TW, zh-Hant, zh, en]; undefined → [en].
 * Tags are canonicalised (de_at → de-AT); anything that is not a locale tag is ignored.
 */
export function localeChain(requested: string | undefined, defaultLocale: string): string[] {
  const chain = [...subtags(requested), ...subtags(defaultLocale)];
  return [...new Set(chain)];
}

/** A tag and its shorter prefixes: de-AT → [de-AT, de]. */
function subtags(locale: string | undefined): string[] {
  const canonical = canonicalLocale(locale);
  if (!canonical) return [];
  const parts = canonical.split('-');
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('-'));
}

/** de_at → de-AT, en-US-u-ca-gregory → en-US; undefined for anything that is not a locale tag. */
export function canonicalLocale(locale: string | undefined): string | undefined {
  if (!locale?.trim()) return undefined;
  try {
    return new Intl.Locale(locale.trim().replace(/_/g, '-')).baseName;
  } catch {
    return undefined;
  }
}
