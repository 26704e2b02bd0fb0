import { machineEngagement, SCANNER_WINDOW_MS, type Engagement } from '../../src/tracking/machine-engagement';

const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const OUTLOOK_DESKTOP =
  'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro) Mozilla/5.0 (Windows NT 10.0; Win64; x64)';
const GMAIL_IMAGE_PROXY = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';
const HOUR = 3600_000;

const open = (over: Partial<Engagement> = {}): Engagement => ({
  kind: 'open',
  userAgent: IPHONE_SAFARI,
  ip: '203.0.113.7',
  method: 'GET',
  sinceSent: HOUR,
  ...over,
});
const click = (over: Partial<Engagement> = {}): Engagement => ({ ...open(over), kind: 'click', ...over });

describe('machine engagement', () => {
  it("takes a person's open or click in a browser or mail client, an hour after the send, for a person's", () => {
    for (const userAgent of [IPHONE_SAFARI, OUTLOOK_DESKTOP, GMAIL_IMAGE_PROXY]) {
      expect(machineEngagement(open({ userAgent }))).toBeUndefined();
      expect(machineEngagement(click({ userAgent }))).toBeUndefined();
    }
  });

  it("flags Apple Mail Privacy Protection's prefetch: the bare Mozilla/5.0 from Apple's 17.0.0.0/8", () => {
    expect(machineEngagement(open({ userAgent: 'Mozilla/5.0', ip: '17.58.100.1' }))).toBe('privacy-proxy');
    // As express reports an IPv4 client on a dual-stack socket.
    expect(machineEngagement(open({ userAgent: 'Mozilla/5.0', ip: '::ffff:17.58.100.1' }))).toBe('privacy-proxy');
    // Days after the send too: the prefetch comes when the phone fetches the mail.
    expect(machineEngagement(open({ userAgent: 'Mozilla/5.0', ip: '17.1.2.3', sinceSent: 72 * HOUR }))).toBe(
      'privacy-proxy',
    );
    // Outside Apple's range, or with a full User-Agent from it (a person at Apple), it is a person's open.
    expect(machineEngagement(open({ userAgent: 'Mozilla/5.0', ip: '18.0.0.1' }))).toBeUndefined();
    expect(machineEngagement(open({ ip: '17.58.100.1' }))).toBeUndefined();
    expect(machineEngagement(open({ userAgent: 'Mozilla/5.0', ip: 'not-an-address' }))).toBeUndefined();
  });

  it('never takes a click for the privacy proxy: Apple proxies images, not links', () => {
    expect(machineEngagement(click({ userAgent: 'Mozilla/5.0', ip: '17.58.100.1' }))).toBeUndefined();
  });

  it('flags security gateways and HTTP libraries by User-Agent, a missing User-Agent, and HEAD requests', () => {
    for (const userAgent of [
      'Barracuda Sentinel (EE)',
      'Mozilla/5.0 (compatible; Proofpoint URL Defense)',
      'Mimecast URL Protect',
      'Microsoft SafeLinks',
      'python-requests/2.31.0',
      'Go-http-client/1.1',
      'curl/8.5.0',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36',
    ]) {
      expect({ userAgent, reason: machineEngagement(click({ userAgent })) }).toEqual({ userAgent, reason: 'scanner' });
      expect({ userAgent, reason: machineEngagement(open({ userAgent })) }).toEqual({ userAgent, reason: 'scanner' });
    }
    expect(machineEngagement(click({ userAgent: undefined }))).toBe('scanner');
    expect(machineEngagement(click({ userAgent: '  ' }))).toBe('scanner');
    expect(machineEngagement(click({ method: 'HEAD' }))).toBe('scanner');
  });

  it(`flags any open or click within ${SCANNER_WINDOW_MS / 1000} s of the send, whatever it says it is`, () => {
    expect(machineEngagement(click({ sinceSent: 2_000 }))).toBe('scanner');
    expect(machineEngagement(open({ sinceSent: SCANNER_WINDOW_MS - 1 }))).toBe('scanner');
    expect(machineEngagement(click({ sinceSent: -500 }))).toBe('scanner'); // clocks a little apart
    expect(machineEngagement(click({ sinceSent: SCANNER_WINDOW_MS }))).toBeUndefined();
    // A message with no sent time (never handed off) has no window.
    expect(machineEngagement(click({ sinceSent: undefined }))).toBeUndefined();
  });
});
