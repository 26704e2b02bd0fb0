/** `url` if it is an absolute http(s) URL, else null: nothing else may become a link or an image in an email. */
export function httpLink(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}
