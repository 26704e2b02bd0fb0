import { TemplateError, type TemplateErrorDetails } from './errors';
import type { SmsEncoding } from './sms-encoding';

/** A text message, rendered: its text, the locale used, and what it costs to send. */
export interface RenderedSms extends SmsEncoding {
  text: string;
  /** The locale actually used, after fallback (de-AT → de → the default locale). */
  locale: string;
}

/** The inbound keywords answered with a text of their own, `_sms-replies/<keyword>.<locale>.liquid`. */
export const SMS_REPLY_KEYWORDS = ['stop', 'start', 'help'] as const;
export type SmsReplyKeyword = (typeof SMS_REPLY_KEYWORDS)[number];

/** The folder of the keyword replies: its leading underscore keeps it from being rendered as a template. */
export const SMS_REPLIES_FOLDER = '_sms-replies';

/**
 * The template has no SMS text in any locale: an email-only template, which is not a broken one
 * (the preview answers 404 for it, where a broken template is a 422).
 */
export class NoSmsText extends TemplateError {
  constructor(details: Omit<TemplateErrorDetails, 'locale'>) {
    super('has no SMS text (no sms.<locale>.liquid file)', details);
    this.name = 'NoSmsText';
  }
}

/**
 * Rendered Liquid as the text of a message: trimmed, no spaces at line ends, at most one blank line
 * in a row, since every character is paid for. No-break spaces (which Intl puts in "238,95 €")
 * become plain ones: GSM-7 has none, and one would make the whole text UCS-2, at 70 to a segment.
 */
export function smsText(rendered: string): string {
  return rendered
    .replace(/\r\n?/g, '\n')
    .replace(/[\u00a0\u202f]/g, ' ')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
