import ipaddr from 'ipaddr.js';

// Opens and clicks that no person made. An email's pixel and links are fetched by machines too:
// Apple Mail Privacy Protection (MPP) loads every image of a message it receives, opened or not,
// and mail security gateways follow every link on delivery to check where it leads. Counted as
// engagement, they would tell a journey that a customer read a welcome they never saw. They are
// recorded and forwarded all the same, flagged with the reason; the statistics and the journeys'
// engagement waits leave them out unless asked to count them (README, "Engagement").
//
// What this rests on (public write-ups; no provider documents its fetches formally):
// - MPP's prefetch sends the bare User-Agent `Mozilla/5.0` and nothing else (spamresource.com,
//   "Let's track Apple MPP opens", 2022-02; ClickDimensions, "Introduction to Adjusted Opens": a
//   non-human open is UA `Mozilla/5.0` from an address on Apple's list; SendGrid flags the same
//   opens as `sg_machine_open`). Apple's own network is 17.0.0.0/8 (Apple's Applebot page,
//   support.apple.com/en-us/HT204683). MPP also egresses through iCloud Private Relay's ranges on
//   CDNs (Akamai, Cloudflare), which people's own browsing shares: those are not listed here, so a
//   prefetch from there counts as a person's open. A click is never taken for MPP: Apple proxies
//   images, not links, and a person clicking behind Private Relay comes from the same addresses.
// - Security gateways (Microsoft Defender for Office 365 Safe Links, Proofpoint URL Defense,
//   Mimecast URL Protect, Barracuda Link Protection, Cisco Secure Email) follow links within
//   seconds of delivery, some naming themselves in the User-Agent, some sending none; HEAD
//   requests and HTTP libraries are never a person's browser (live-direct-marketing.online, "Bot
//   clicks from security scanners: a field guide"; MetaCompliance: a click seconds after delivery
//   is a scanner's, minutes later a person's).

/** Why an open or a click is taken for a machine's. */
export type MachineReason = 'privacy-proxy' | 'scanner';

/** An open or click this soon after the message was sent is a gateway's check, not a person's. */
export const SCANNER_WINDOW_MS = 10_000;

/** The bare User-Agent of Apple's MPP prefetch. */
const MPP_USER_AGENT = 'Mozilla/5.0';
/** Apple's own address range, where its MPP prefetches come from. */
const APPLE_RANGES = [ipaddr.IPv4.parseCIDR('17.0.0.0/8')];

/**
 * User-Agents of security gateways, link checkers and HTTP libraries. Kept short and specific:
 * a person's browser or mail client (Outlook's "Microsoft Office", Gmail's GoogleImageProxy,
 * which loads images when the person opens the mail) must never match.
 */
const SCANNER_USER_AGENTS =
  /barracuda|proofpoint|urldefense|mimecast|safelinks|ironport|cisco secure email|fortimail|fortiguard|sophos|trend ?micro|python-requests|python-urllib|aiohttp|go-http-client|curl\/|wget\/|okhttp|apache-httpclient|java\/|libwww-perl|node-fetch|axios\/|headlesschrome|phantomjs/i;

export interface Engagement {
  kind: 'open' | 'click';
  /** As the request sent it; absent when it sent none. */
  userAgent?: string;
  /** The client's address as express sees it (req.ip). */
  ip?: string;
  method: string;
  /** Milliseconds from the message's hand-off to this request; absent when the message has no sent time. */
  sinceSent?: number;
}

/** Undefined for a person's open or click; otherwise why a machine made it. */
export function machineEngagement(e: Engagement): MachineReason | undefined {
  const userAgent = e.userAgent?.trim() ?? '';
  if (e.kind === 'open' && userAgent === MPP_USER_AGENT && inRanges(e.ip, APPLE_RANGES)) return 'privacy-proxy';
  // Every browser and mail client names itself; a gateway checking a link often does not.
  if (e.method === 'HEAD' || userAgent === '' || SCANNER_USER_AGENTS.test(userAgent)) return 'scanner';
  // Before the send by a skewed clock is as near to it as just after.
  if (e.sinceSent !== undefined && e.sinceSent < SCANNER_WINDOW_MS) return 'scanner';
  return undefined;
}

function inRanges(ip: string | undefined, ranges: [ipaddr.IPv4, number][]): boolean {
  if (!ip || !ipaddr.isValid(ip)) return false;
  // IPv4 arrives as ::ffff:17.1.2.3 on a dual-stack socket: process() unwraps it.
  const address = ipaddr.process(ip);
  return address instanceof ipaddr.IPv4 && ranges.some((range) => address.match(range));
}
