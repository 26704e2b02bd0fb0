import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

// One phone number, in the one form we store, compare and text: E.164 (+4915112345678), the form
// SMS providers take. Every place that takes, stores or texts a number applies this rule.

/**
 * The number in E.164, or undefined when `raw` is not one valid number with its country code
 * (`+49 151 1234 5678`, `+44 (0)20 7946 0958`, `00 49 151...` are; `0151 1234 5678` is not: which
 * country's 0151?). A fixed line passes: the provider refuses it at the first text, and the
 * number is then suppressed, as a bounced address is.
 */
export function normalizePhone(raw: string): string | undefined {
  const text = raw.trim().replace(/^00/, '+');
  if (!text.startsWith('+') || text.length > 40) return undefined;
  const number = parsePhoneNumberFromString(text);
  return number?.isValid() ? number.number : undefined;
}

/** Why `raw` is refused, for the 400 that names the field. */
export const PHONE_RULE = 'must be a phone number with its country code, such as +4915112345678';
