import { applyEvent, newCustomerState } from '../../src/workflows/customer/lifecycle';
import { track } from '../helpers/journeys';

// The consent the customer workflow keeps (its `state` query, the welcome series' exit) is email
// marketing's: leaving one topic, or texts, leaves it as it was.
describe("the customer workflow's email consent", () => {
  const now = '2026-12-04T10:00:00Z';
  const after = (...events: ReturnType<typeof track>[]) => {
    const state = newCustomerState('c-1', now);
    applyEvent(state, track('Email Confirmed'), now);
    for (const e of events) applyEvent(state, e, now);
    return state.consent;
  };

  it.each([
    ['an unsubscribe that names nothing (one-click, older events)', {}, 'unsubscribed'],
    ['email marketing', { channel: 'email', topic: 'marketing' }, 'unsubscribed'],
    ['every channel', { channel: 'all' }, 'unsubscribed'],
    ['one email topic', { channel: 'email', topic: 'offers' }, 'subscribed'],
    ['texts (STOP)', { channel: 'sms', topic: 'marketing' }, 'subscribed'],
  ])('after leaving %s: %s', (_what, properties, consent) => {
    expect(after(track('Unsubscribed', properties))).toBe(consent);
  });

  it('comes back with a resubscribe to email marketing, not with one to a topic', () => {
    const left = track('Unsubscribed');
    expect(
      after(left, track('Email Preference Updated', { preference: 'subscribed', channel: 'email', topic: 'offers' })),
    ).toBe('unsubscribed');
    expect(after(left, track('Email Preference Updated', { preference: 'subscribed' }))).toBe('subscribed');
  });
});
