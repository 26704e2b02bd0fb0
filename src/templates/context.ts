// What every template receives besides the journey's own data (see README.md). The send activity
// builds it with `templateData` so the names and the null-for-unknown rule hold for every message.

export interface TemplateCustomer {
  first_name: string | null;
  last_name: string | null;
  /** The address the message goes to: an email's address (null in a text), a text's number (null in an email). */
  email: string | null;
  phone: string | null;
  /** The profile's locale tag as stored (e.g. "de-AT"), or null. */
  locale: string | null;
}

export interface TemplateLinks {
  /** One-click unsubscribe from marketing email (signed, no login). */
  unsubscribe: string;
  /** The email preference centre. */
  preferences: string;
  /** Links a template needs beyond these, e.g. `confirm`, `pause`, `fewer` (see README.md). */
  [name: string]: string;
}

export interface TemplateBrand {
  name: string;
  /** Postal address, required in the footer of commercial email (CAN-SPAM, UWG). */
  address: string;
  /** The shop's base URL, no trailing slash: templates append paths to it. */
  website: string;
}

export interface TemplateGlobals {
  customer: Partial<TemplateCustomer>;
  links: TemplateLinks;
  brand: TemplateBrand;
}

/** Top-level names the templates own; a journey's data must not use them. */
export const RESERVED_NAMES = ['customer', 'links', 'brand', 'message'] as const;

/**
 * The data a template renders with: the journey's `data` plus `customer`, `links` and `brand`.
 * Optional customer fields that are unknown are null, never absent, so templates can tell
 * "unknown" (null: guard it) from a misspelt name (absent: a TemplateError).
 */
export function templateData(globals: TemplateGlobals, data: Record<string, unknown> = {}): Record<string, unknown> {
  const clash = RESERVED_NAMES.filter((name) => name in data);
  if (clash.length > 0) throw new Error(`journey data uses reserved template names: ${clash.join(', ')}`);
  const { first_name = null, last_name = null, locale = null, email = null, phone = null } = globals.customer;
  return {
    ...data,
    customer: { first_name, last_name, email, phone, locale },
    links: { ...globals.links },
    brand: { ...globals.brand },
  };
}
