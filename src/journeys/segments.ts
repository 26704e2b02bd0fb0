import { Events } from '../shared/events';
import type { SegmentDefinitions } from '../shared/segments';

/**
 * The shop's segments, next to the journeys that use them: journeys enter, skip or leave by them
 * (`audience` in each journey's configuration). The configuration's `segments` section overrides
 * any of them by name and adds more; README "Segments" shows the conditions.
 */
export const segments: SegmentDefinitions = {
  /** Top spenders and frequent buyers: the loyalty journey's audience. */
  'best-customers': {
    any: [
      { metric: 'orders', atLeast: 5 },
      { metric: 'totalSpent', atLeast: 500 },
    ],
  },
  /** Three orders or more in half a year. */
  'frequent-buyers': { event: Events.OrderCompleted, within: '180 days', atLeast: 3 },
  /** Looked at shoes this week. */
  'shoe-browsers': { event: Events.ProductViewed, where: { category: 'shoes' }, within: '7 days', atLeast: 1 },
  /** Reads German. */
  'german-speaking': { trait: 'locale', in: ['de', 'de-DE', 'de-AT', 'de-CH'] },
  /** Put in the group `vip` by the shop's backend (Segment's group call). */
  vip: { group: 'vip' },
};
