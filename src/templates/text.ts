import { compile, type HtmlToTextOptions } from 'html-to-text';

const options: HtmlToTextOptions = {
  wordwrap: 78,
  selectors: [
    // MJML's preview text (mj-preview) is a hidden div: inbox preview only, not part of the text.
    { selector: '[style*="display:none"]', format: 'skip' },
    // Pictures, and links around them (mj-image css-class="text-skip"): nothing to read in text.
    { selector: 'img', format: 'skip' },
    { selector: '.text-skip', format: 'skip' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
  ],
};

// Compiled once: `convert` compiles the selectors again on every call, a fifth of a render's time.
const convert = compile(options);

/** The plain-text part of an email, from its HTML: text, links as `label [url]`, no images. */
export function htmlToText(html: string): string {
  return convert(html).trim();
}
