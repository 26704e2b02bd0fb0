import { configSchema } from '../../src/config/schema';
import type { CustomerState } from '../../src/shared/customer';
import {
  applyToAudience,
  newAudienceState,
  nextSegmentChangeAt,
  segmentsAt,
  TALLY_LIMIT,
  type SegmentDefinitions,
} from '../../src/shared/segments';
import { applyEvent, newCustomerState } from '../../src/workflows/customer/lifecycle';
import type { CustomerEvent } from '../../src/shared/events';

let seq = 0;
const track = (event: string, properties: Record<string, unknown> = {}): CustomerEvent => ({
  messageId: `m-${++seq}`,
  type: 'track',
  event,
  userId: 'c-seg',
  timestamp: '',
  properties,
});
const identify = (traits: Record<string, unknown>): CustomerEvent => ({
  ...track('identify'),
  type: 'identify',
  traits,
});

const H = 3600_000;
const D = 24 * H;
const T0 = Date.parse('2030-01-07T09:00:00Z');

/** A customer the customer workflow keeps, and a way to feed it events at given times. */
function customer(defs: SegmentDefinitions) {
  const state: CustomerState = {
    ...newCustomerState('c-seg', new Date(T0).toISOString()),
    audience: newAudienceState(),
  };
  const at = (ms: number, event: ReturnType<typeof track>) => {
    const e = { ...event, timestamp: event.timestamp || new Date(ms).toISOString() }; // a late one says when it happened
    applyEvent(state, e, e.timestamp);
    applyToAudience(state, e, defs, ms);
  };
  return { state, at, segments: (now: number) => segmentsAt(defs, state, state.audience!, now) };
}

describe('segment conditions', () => {
  it('sums a property in a window, and counts only events whose properties match `where`', () => {
    const defs: SegmentDefinitions = {
      'big-spenders': { event: 'Order Completed', within: '30 days', sum: 'revenue', atLeast: 100 },
      'shoe-fans': { event: 'Product Viewed', where: { category: 'shoes' }, within: '7 days', atLeast: 2 },
    };
    const c = customer(defs);
    c.at(T0, track('Order Completed', { order_id: 'a', revenue: 60 }));
    c.at(T0 + H, track('Product Viewed', { category: 'shoes' }));
    c.at(T0 + 2 * H, track('Product Viewed', { category: 'hats' }));
    expect(c.segments(T0 + 2 * H)).toEqual([]);
    c.at(T0 + 3 * H, track('Order Completed', { order_id: 'b', revenue: 40 }));
    c.at(T0 + 4 * H, track('Product Viewed', { category: 'shoes' }));
    expect(c.segments(T0 + 4 * H)).toEqual(['big-spenders', 'shoe-fans']);
    // The first view leaves its week at T0 + 7d + 1h, the first order its month at T0 + 30d.
    expect(nextSegmentChangeAt(defs, c.state, c.state.audience!, T0 + 4 * H)).toBe(T0 + 7 * D + H);
    expect(nextSegmentChangeAt(defs, c.state, c.state.audience!, T0 + 8 * D)).toBe(T0 + 30 * D);
  });

  it('turns an atMost condition true as events leave the window, and combines with all, any and not', () => {
    const defs: SegmentDefinitions = {
      calm: { all: [{ event: 'Page Viewed', within: '1 day', atMost: 1 }, { not: { stage: ['lapsed'] } }] },
      reachable: { any: [{ trait: 'locale', exists: true }, { group: 'vip' }] },
    };
    const c = customer(defs);
    c.at(T0, track('Page Viewed'));
    c.at(T0 + H, track('Page Viewed'));
    expect(c.segments(T0 + H)).toEqual([]);
    expect(nextSegmentChangeAt(defs, c.state, c.state.audience!, T0 + H)).toBe(T0 + D);
    expect(c.segments(T0 + D)).toEqual(['calm']);
    c.at(T0 + D, identify({ locale: 'fr' }));
    expect(c.segments(T0 + D)).toEqual(['calm', 'reachable']);
    c.at(T0 + D, identify({ locale: null }));
    expect(c.segments(T0 + D)).toEqual(['calm']);
  });

  it('keeps a busy customer’s state small, and places a late event where it happened', () => {
    const defs: SegmentDefinitions = { browsing: { event: 'Page Viewed', within: '365 days', atLeast: 1 } };
    const c = customer(defs);
    for (let i = 0; i < TALLY_LIMIT + 100; i++) c.at(T0 + i * 1000, track('Page Viewed'));
    const [tally] = Object.values(c.state.audience!.tallies);
    expect(tally).toHaveLength(TALLY_LIMIT);
    const late = T0 + 300_500; // between two views already kept
    c.at(T0 + D, { ...track('Page Viewed'), timestamp: new Date(late).toISOString() });
    const times = Object.values(c.state.audience!.tallies)[0].map(([t]) => t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times).toContain(late);
    expect(times).toHaveLength(TALLY_LIMIT);
  });

  it('refuses, in the configuration, a segment without bounds, a bad window and an audience naming no segment', () => {
    const parse = (config: object) => configSchema.safeParse(config);
    const noBounds = parse({ segments: { x: { event: 'Order Completed', within: '7 days' } } });
    expect(noBounds.success).toBe(false);
    const badWindow = parse({ segments: { x: { event: 'Order Completed', within: 'soon', atLeast: 1 } } });
    expect(JSON.stringify(badWindow.error?.issues)).toContain('expected a duration');
    const unknown = parse({ journeys: { loyalty: { audience: { require: ['whales'] } } } });
    expect(unknown.error?.issues[0]).toMatchObject({
      path: ['journeys', 'loyalty', 'audience', 'require', 0],
      message: expect.stringContaining('"whales" is not a segment'),
    });
    const badName = parse({ segments: { 'Top Spenders': { metric: 'orders', atLeast: 1 } } });
    expect(JSON.stringify(badName.error?.issues)).toContain('expected a segment name');
  });
});
