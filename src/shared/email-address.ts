// One email address, and only one: the rule every place that takes, stores or mails an address
// applies, so no stored value can ever name a second recipient or smuggle in a header.

/** RFC 5321's limit on a whole address (a forward-path of 256 octets, minus the angle brackets). */
export const MAX_EMAIL_LENGTH = 254;

// A dot-atom local part (letters, digits and RFC 5322 atext symbols; dots between atoms only) and a
// domain of DNS labels with at least one dot. No quoted local parts, no comments, no display names,
// no lists, no whitespace: what mailbox providers issue and what SMTP receives unambiguously.
// Non-ASCII (SMTPUTF8) addresses are not accepted: few relays deliver them.
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const ADDRESS = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*@${LABEL}(?:\\.${LABEL})+$`);

/**
 * The address in the one form we store, compare and mail: trimmed and lower-cased (mailbox providers
 * treat local parts case-insensitively, and the suppression list must match however a backend
 * spelt it). Undefined when `raw` is not exactly one valid address.
 */
export function normalizeEmail(raw: string): string | undefined {
  const address = raw.trim().toLowerCase();
  if (address.length > MAX_EMAIL_LENGTH || address.indexOf('@') > 64) return undefined;
  return ADDRESS.test(address) ? address : undefined;
}

/** Why `raw` is refused, for the 400 that names the field. */
export const EMAIL_RULE = 'must be exactly one email address, such as ada@example.com (no name, no list)';
