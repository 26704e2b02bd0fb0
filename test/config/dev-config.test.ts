import fs from 'node:fs';
import path from 'node:path';
import { msToNumber } from '@temporalio/common/lib/time';
import { loadConfig } from '../../src/config/load';
import type { JourneyConfigs } from '../../src/config/schema';

// config/dev.json is what `npm start` (and so `npm run demo`) runs with: a newcomer must see
// journeys send and finish within two minutes. These tests fail if days creep back in.

const DEV_CONFIG = path.join(__dirname, '..', '..', 'config', 'dev.json');
const seconds = (duration: string): number => msToNumber(duration as never) / 1000;

/**
 * Each shipped journey's first wait before it sends something, or why it has none. A journey added
 * since (npm run new:journey) is held to a plainer rule below: every wait in its dev section at
 * most 60 s.
 */
const firstDelay: { [K in keyof JourneyConfigs]?: (c: JourneyConfigs[K]) => string | { none: string } } = {
  // The confirmation goes out at once; the reminder is the first wait.
  welcome: (c) => c.confirmReminderAfter,
  abandonedCart: (c) => c.firstReminderAfter,
  // The order confirmation goes out at once; the cross-sell is the first wait.
  postPurchase: (c) => c.crossSellAfter,
  loyalty: (c) => c.sendAfter,
  leadNurture: (c) => c.emails[0].after,
  browseAbandonment: (c) => c.remindAfter,
  backInStock: () => ({ none: 'sends on a restock, not after a delay' }),
  birthday: () => ({ none: 'sends at a local time on the birthday' }),
  anniversary: () => ({ none: 'sends at a local time on the anniversary' }),
  reengagement: () => ({ none: 'silence is measured in minutes on purpose: see the next test' }),
  // Once per 10 minutes, so a developer sees it again within a session; a closed store waited for up to an hour.
  nearbyStore: () => ({ none: 'sends when a customer is seen near an open store, not after a delay' }),
};

/** Every duration string in a configuration section, with its path. */
function durations(node: unknown, at: string): [string, string][] {
  if (typeof node === 'string') {
    try {
      return msToNumber(node as never) > 0 ? [[at, node]] : [];
    } catch {
      return []; // a template name, not a duration
    }
  }
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) => durations(value, `${at}.${key}`));
}

/**
 * Every setting in `raw` (the file) that the loaded configuration does not hold with the same value:
 * the schema drops a key it does not know, so a misspelt one would silently leave its default
 * (days, not seconds) in place. "//" keys are comments.
 */
function settingsNotTaken(raw: unknown, loaded: unknown, at = ''): string[] {
  if (raw === null || typeof raw !== 'object') return raw === loaded ? [] : [at];
  if (loaded === null || typeof loaded !== 'object') return [at];
  return Object.entries(raw)
    .filter(([key]) => key !== '//')
    .flatMap(([key, value]) => settingsNotTaken(value, (loaded as Record<string, unknown>)[key], `${at}.${key}`));
}

describe('config/dev.json', () => {
  const config = loadConfig(DEV_CONFIG, {});

  it('is taken whole: every setting in it is one the schema knows, with its value', () => {
    const raw: unknown = JSON.parse(fs.readFileSync(DEV_CONFIG, 'utf8'));
    expect(settingsNotTaken(raw, config)).toEqual([]);
  });

  const cases = (Object.keys(config.journeys) as (keyof JourneyConfigs)[]).map((name) => {
    const rule = firstDelay[name] as ((c: unknown) => string | { none: string }) | undefined;
    if (!rule)
      return {
        name,
        delays: durations(config.journeys[name], name).map(([, d]) => d),
        title: 'every wait at most 60 s',
      };
    const delay = rule(config.journeys[name]);
    return typeof delay === 'string'
      ? { name, delays: [delay], title: `first email after ${delay}, at most 60 s` }
      : { name, delays: [], title: `no first delay: ${delay.none}` };
  });

  it.each(cases)('$name: $title', ({ name, delays }) => {
    expect(config.journeys[name].enabled).toBe(true);
    for (const delay of delays) expect({ delay, seconds: seconds(delay) <= 60 }).toEqual({ delay, seconds: true });
  });

  it('re-engages after minutes: visible in a session, yet long after the short journeys have finished', () => {
    // A sunset unsubscribes the customer from marketing, so it must not cut the demo's journeys short.
    const { silenceAfter, winBackAfter, sunsetAfter } = config.journeys.reengagement;
    expect(seconds(silenceAfter)).toBeGreaterThanOrEqual(5 * 60);
    expect(seconds(silenceAfter) + seconds(winBackAfter) + seconds(sunsetAfter)).toBeLessThanOrEqual(30 * 60);
  });

  it('has no journey timing longer than an hour', () => {
    const tooLong = durations(config.journeys, 'journeys').filter(([, d]) => seconds(d) > 60 * 60);
    expect(tooLong).toEqual([]);
  });

  it('holds no demo mail back: no quiet hours, a frequency cap a demo never reaches', () => {
    expect(config.messaging.quietHours).toBeNull();
    // A demo customer gets a dozen or so marketing emails in a few minutes, well inside any window.
    expect(config.messaging.frequencyCap.max).toBeGreaterThanOrEqual(50);
  });
});
