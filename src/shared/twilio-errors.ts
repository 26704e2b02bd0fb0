/**
 * Twilio's error codes that say a number will never take a text from us, whether the API refused
 * the text or a delivery report said so (https://www.twilio.com/docs/api/errors): not a valid
 * number (21211, 21217), not reachable by text (21214, 21614), unsubscribed from this sender at the
 * carrier (21610), unknown destination (30005), a landline or unreachable carrier (30006).
 * The number is suppressed, as a hard-bounced address is.
 */
const NUMBER_GONE = new Set([21211, 21214, 21217, 21610, 21614, 30005, 30006]);

export const numberGone = (code: number | undefined): boolean => code !== undefined && NUMBER_GONE.has(code);
