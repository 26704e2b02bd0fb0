import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

// The preference centre names the addresses it is about, but anyone holding a forwarded email
// can open it: enough for the customer to recognise their own address, not enough to learn it.

/** ada.lovelace@example.com → a***@example.com */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** +4915112345678 → +49 *** ** 78: the country code and the last two digits. */
export function maskPhone(phone: string): string {
  const lastTwo = phone.replace(/\D/g, '').slice(-2);
  const country = parsePhoneNumberFromString(phone)?.countryCallingCode;
  return `${country ? `+${country} ` : ''}*** ** ${lastTwo}`;
}
