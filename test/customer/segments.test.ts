import { temporal } from '@temporalio/proto';
import { Segments } from '../../src/shared/search-attributes';
import { journeyStateQuery, journeyWorkflowId } from '../../src/shared/signals';
import {
  customerStateWhen,
  endJourneysOf,
  happeningNow,
  eventsProcessed,
  identify,
  startCustomer as startCustomerOn,
  testConfig,
  track,
  useJourneySuite,
} from '../helpers/journeys';
import type { CustomerEvent } from '../../src/shared/events';
import { eventually } from '../helpers/eventually';

// Segments through the real customer workflow on the time-skipping server: membership in the
// state query, the Segments search attribute and the recorded memberships (PostgreSQL's, stubbed
// here: test/api/segments.test.ts reads the real table), windows that move on with time, and a
// journey that ends when its customer leaves its audience.
describe('segments in the customer workflow', () => {
  const { env, stub, taskQueue } = useJourneySuite(
    require.resolve('../../src/workflows'),
    testConfig({
      customer: { freshnessWindow: '36500 days' },
      segments: {
        'shoe-browsers': { event: 'Product Viewed', where: { category: 'shoes' }, within: '2 hours', atLeast: 1 },
      },
      journeys: {
        browseAbandonment: { audience: { require: ['shoe-browsers'], exitOnLeave: true } },
        // Quiet for these tests: only the journeys they are about.
        welcome: { enabled: false },
        postPurchase: { enabled: false },
        reengagement: { enabled: false },
        loyalty: { enabled: false },
      },
    }),
  );
  const startCustomer = (customerId: string, first: CustomerEvent) =>
    startCustomerOn(env(), taskQueue(), customerId, first);
  const now = (event: CustomerEvent) => happeningNow(env(), event);
  const segmentsAttribute = async (customerId: string) =>
    (await env().client.workflow.getHandle(`customer-${customerId}`).describe()).typedSearchAttributes.get(Segments);

  it('joins a segment on the third order in 180 days, and leaves it when the first falls out of the window', async () => {
    const id = 'seg-orders';
    const order = (n: number) => track('Order Completed', { order_id: `o-${n}`, revenue: 30 }, id);
    const handle = await startCustomer(id, await now(order(1)));
    await handle.signal('event', await now(order(2)));
    const two = await eventsProcessed(handle, 2);
    expect(two.audience?.segments).toEqual([]);
    expect(stub.segments[id]).toBeUndefined(); // nothing to record yet

    await env().sleep('30 days');
    await handle.signal('event', await now(order(3)));
    const three = await eventsProcessed(handle, 3);
    expect(three.audience?.segments).toEqual(['frequent-buyers']);
    await eventually(async () => stub.segments[id]?.includes('frequent-buyers'), 'the membership recorded');
    expect(await segmentsAttribute(id)).toEqual(['frequent-buyers']);

    // 150 more days: the first two orders are 180 days old, and no new one came.
    await env().sleep('151 days');
    const left = await customerStateWhen(handle, 'frequent-buyers left', (s) => s.audience!.segments.length === 0);
    expect(left.orders).toBe(3);
    await eventually(async () => stub.segments[id]?.length === 0, 'the leaving recorded');
    expect((await segmentsAttribute(id)) ?? []).toEqual([]);
    await endJourneysOf(env(), handle);
  });

  it('costs history events only when membership changes', async () => {
    const id = 'seg-cost';
    const handle = await startCustomer(id, identify({ locale: 'de' }, id));
    for (let n = 0; n < 5; n++) await handle.signal('event', track('Page Viewed', { n }, id));
    await eventsProcessed(handle, 6);
    await handle.signal('event', identify({ locale: 'en' }, id));
    await eventsProcessed(handle, 7);
    const { events } = await handle.fetchHistory();
    const { EventType } = temporal.api.enums.v1;
    const segmentUpserts = events!.filter(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES &&
        'Segments' in (e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}),
    );
    const localActivities = events!.filter(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED &&
        e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
    );
    // The configuration's load; joined german-speaking (one record, one upsert), left it (one each);
    // the pages cost nothing.
    expect(localActivities).toHaveLength(3);
    expect(segmentUpserts).toHaveLength(2);
    expect(stub.segments[id]).toEqual([]);
    await endJourneysOf(env(), handle);
  });

  it('ends a journey whose audience the customer leaves, when its audience says so', async () => {
    const id = 'seg-exit';
    const handle = await startCustomer(id, track('Email Confirmed', {}, id));
    await handle.signal('event', await now(track('Product Viewed', { product_id: 'p-1', category: 'shoes' }, id)));
    const workflowId = journeyWorkflowId('browse-abandonment', id);
    await customerStateWhen(handle, 'the journey started', (s) => workflowId in s.running);
    const journey = env().client.workflow.getHandle(workflowId);
    expect((await journey.query(journeyStateQuery)).running).toBe(true);
    // The browse reminder waits 4 hours; the customer stops being a shoe browser after 2.
    const result = await journey.result();
    expect(result).toMatchObject({ outcome: 'exited', reason: 'left segment shoe-browsers', sent: [] });
    expect(stub.emailsTo(id)).toEqual([]);
    await endJourneysOf(env(), handle);
  });

  it('takes a privacy proxy’s open for no sign of the customer: their last activity stays', async () => {
    const id = 'seg-machine';
    const handle = await startCustomer(id, await now(track('Page Viewed', {}, id)));
    const before = (await eventsProcessed(handle, 1)).lastActivityAt;
    await env().sleep('2 days');
    const open = (machine?: string) =>
      track(
        'Email Opened',
        { email_id: '7', campaign_name: 'welcome', step: 'welcome', ...(machine ? { machine } : {}) },
        id,
      );
    await handle.signal('event', await now(open('privacy-proxy')));
    expect((await eventsProcessed(handle, 2)).lastActivityAt).toBe(before);
    await handle.signal('event', await now(open()));
    expect((await eventsProcessed(handle, 3)).lastActivityAt).not.toBe(before);
    await endJourneysOf(env(), handle);
  });

  it('starts no journey for a customer outside its audience', async () => {
    const id = 'seg-outside';
    const handle = await startCustomer(id, track('Email Confirmed', {}, id));
    await handle.signal('event', await now(track('Product Viewed', { product_id: 'p-2', category: 'hats' }, id)));
    const state = await eventsProcessed(handle, 2);
    expect(Object.values(state.running).map((r) => r.journey)).toEqual([]);
    await endJourneysOf(env(), handle);
  });
});
