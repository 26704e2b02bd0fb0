import addressparser from 'nodemailer/lib/addressparser';
import { normalizeEmail } from '../shared/email-address';

export interface Sender {
  name: string;
  /** The bare address: the SMTP envelope's MAIL FROM, and the domain of every Message-ID. */
  address: string;
  domain: string;
}

/** The configured From (`Shop <hello@shop.example>`) as one mailbox; undefined unless it is exactly one. */
export function senderAddress(from: string): Sender | undefined {
  const parsed = addressparser(from, { flatten: true });
  if (parsed.length !== 1) return undefined;
  const address = normalizeEmail(parsed[0].address ?? '');
  if (!address) return undefined;
  return { name: parsed[0].name, address, domain: address.slice(address.indexOf('@') + 1) };
}
