import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import {
  SimulationInputError,
  addSpan,
  parseSpan,
  readCustomerFile,
  readTimelineFile,
  type SimCustomer,
} from '../../src/simulate/inputs';

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journeys-sim-inputs-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes `content` (JSON unless a string) to a temp file and returns its path. */
function write(name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

/** The message of the SimulationInputError `fn` throws, checked to be one line. */
function inputError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SimulationInputError);
    const { message } = err as Error;
    expect(message).not.toMatch(/[\r\n]/);
    return message;
  }
  throw new Error('expected a SimulationInputError');
}

const iso = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true });

describe('parseSpan', () => {
  test.each([
    ['s', 'seconds'],
    ['sec', 'seconds'],
    ['secs', 'seconds'],
    ['second', 'seconds'],
    ['seconds', 'seconds'],
    ['m', 'minutes'],
    ['min', 'minutes'],
    ['mins', 'minutes'],
    ['minute', 'minutes'],
    ['minutes', 'minutes'],
    ['h', 'hours'],
    ['hr', 'hours'],
    ['hrs', 'hours'],
    ['hour', 'hours'],
    ['hours', 'hours'],
    ['d', 'days'],
    ['day', 'days'],
    ['days', 'days'],
    ['w', 'weeks'],
    ['week', 'weeks'],
    ['weeks', 'weeks'],
    ['mo', 'months'],
    ['month', 'months'],
    ['months', 'months'],
    ['y', 'years'],
    ['yr', 'years'],
    ['yrs', 'years'],
    ['year', 'years'],
    ['years', 'years'],
  ])('unit "%s" is %s', (unit, key) => {
    expect(parseSpan(`2${unit}`)).toEqual({ [key]: 2 });
    expect(parseSpan(`+2 ${unit}`)).toEqual({ [key]: 2 });
  });

  test('parts follow each other, with or without spaces', () => {
    expect(parseSpan('1 day 2h')).toEqual({ days: 1, hours: 2 });
    expect(parseSpan('+1d 12h')).toEqual({ days: 1, hours: 12 });
    expect(parseSpan('1y2mo3w4d5h6m7s')).toEqual({
      years: 1,
      months: 2,
      weeks: 3,
      days: 4,
      hours: 5,
      minutes: 6,
      seconds: 7,
    });
    expect(parseSpan('1h 30m 1h')).toEqual({ hours: 2, minutes: 30 });
  });

  test('decimals, case and surrounding spaces', () => {
    expect(parseSpan('1.5h')).toEqual({ hours: 1.5 });
    expect(parseSpan('.5 days')).toEqual({ days: 0.5 });
    expect(parseSpan('  +3 DAYS ')).toEqual({ days: 3 });
    expect(parseSpan('1 Year')).toEqual({ years: 1 });
    expect(parseSpan('10M')).toEqual({ minutes: 10 }); // "m" is minutes whatever its case; months are "mo"
  });

  test('"0" and "+0" are zero', () => {
    expect(parseSpan('0')).toEqual({});
    expect(parseSpan('+0')).toEqual({});
    expect(parseSpan('+0h')).toEqual({ hours: 0 });
  });

  test('anything else is not a span', () => {
    expect(inputError(() => parseSpan('+2 fortnights'))).toBe(
      '"+2 fortnights" is not a span: use e.g. "+2h", "+3 days", "1 year"',
    );
    for (const text of ['', '+', '1', 'd', '-1d', '1e3s', '1 day and 2h', '1,5h', '1 constructor', '1 d2', '++1d']) {
      expect(inputError(() => parseSpan(text))).toBe(
        `${JSON.stringify(text)} is not a span: use e.g. "+2h", "+3 days", "1 year"`,
      );
    }
    expect(inputError(() => parseSpan('1 day\nlater'))).toContain('"1 day\\nlater" is not a span');
  });
});

describe('addSpan', () => {
  const berlin = (text: string) => DateTime.fromISO(text, { zone: 'Europe/Berlin' }).toMillis();

  test('+1 day across the spring DST change keeps 09:00 local', () => {
    const saturday = berlin('2030-03-30T09:00');
    const sunday = addSpan(saturday, parseSpan('+1 day'), 'Europe/Berlin');
    expect(iso(sunday, 'Europe/Berlin')).toBe('2030-03-31T09:00:00+02:00');
    expect(sunday - saturday).toBe(23 * 3600_000);
    // Hours are hours: 24 of them land at 10:00 local.
    expect(iso(addSpan(saturday, parseSpan('24h'), 'Europe/Berlin'), 'Europe/Berlin')).toBe(
      '2030-03-31T10:00:00+02:00',
    );
  });

  test('calendar units in the zone', () => {
    const start = berlin('2030-01-31T09:00');
    expect(iso(addSpan(start, parseSpan('1 month'), 'Europe/Berlin'), 'Europe/Berlin')).toBe(
      '2030-02-28T09:00:00+01:00',
    );
    expect(iso(addSpan(start, parseSpan('1 year 1 week'), 'Europe/Berlin'), 'Europe/Berlin')).toBe(
      '2031-02-07T09:00:00+01:00',
    );
    expect(addSpan(start, parseSpan('0'), 'Europe/Berlin')).toBe(start);
  });
});

describe('readCustomerFile', () => {
  test('reads a customer, its zone from context.timezone', () => {
    const file = write('customer.json', {
      userId: 'c-tokyo',
      traits: { email: 'aiko@example.com', first_name: 'Aiko', sms_opt_in: false, timezone: 'Europe/Paris' },
      context: { timezone: 'Asia/Tokyo', locale: 'ja-JP' },
    });
    expect(readCustomerFile(file)).toEqual({
      userId: 'c-tokyo',
      traits: { email: 'aiko@example.com', first_name: 'Aiko', sms_opt_in: false, timezone: 'Europe/Paris' },
      context: { timezone: 'Asia/Tokyo', locale: 'ja-JP' },
      zone: 'Asia/Tokyo',
    });
  });

  test('the zone falls back to traits.timezone, then UTC; traits default to {}', () => {
    const fromTraits = write('traits-zone.json', { userId: 'c-1', traits: { timezone: 'America/New_York' } });
    expect(readCustomerFile(fromTraits)).toEqual({
      userId: 'c-1',
      traits: { timezone: 'America/New_York' },
      context: undefined,
      zone: 'America/New_York',
    });
    const bare = write('bare.json', { userId: 'c-2' });
    expect(readCustomerFile(bare)).toEqual({ userId: 'c-2', traits: {}, context: undefined, zone: 'UTC' });
  });

  test('userId is required, a non-empty string of at most 255 characters', () => {
    expect(inputError(() => readCustomerFile(write('no-user.json', { traits: {} })))).toBe(
      'no-user.json: "userId" is required',
    );
    expect(inputError(() => readCustomerFile(write('empty-user.json', { userId: '' })))).toBe(
      'empty-user.json: "userId" must be a non-empty string of at most 255 characters, got ""',
    );
    expect(inputError(() => readCustomerFile(write('num-user.json', { userId: 42 })))).toBe(
      'num-user.json: "userId" must be a non-empty string of at most 255 characters, got 42',
    );
    expect(inputError(() => readCustomerFile(write('long-user.json', { userId: 'x'.repeat(256) })))).toMatch(
      /^long-user\.json: "userId" must be a non-empty string of at most 255 characters, got "x+\.\.\.$/,
    );
    expect(readCustomerFile(write('max-user.json', { userId: 'x'.repeat(255) })).userId).toHaveLength(255);
  });

  test('a time zone must be a real IANA zone', () => {
    const bad = write('bad-zone.json', { userId: 'c-1', context: { timezone: 'Mars/Olympus' } });
    expect(inputError(() => readCustomerFile(bad))).toBe(
      'bad-zone.json: "context.timezone" must be an IANA time zone such as "Europe/Berlin", got "Mars/Olympus"',
    );
    const badTraits = write('bad-traits-zone.json', { userId: 'c-1', traits: { timezone: 'CEST' } });
    expect(inputError(() => readCustomerFile(badTraits))).toBe(
      'bad-traits-zone.json: "traits.timezone" must be an IANA time zone such as "Europe/Berlin", got "CEST"',
    );
    const notString = write('num-zone.json', { userId: 'c-1', context: { timezone: 9 } });
    expect(inputError(() => readCustomerFile(notString))).toContain('"context.timezone" must be an IANA time zone');
  });

  test('wrong shapes', () => {
    expect(inputError(() => readCustomerFile(write('array.json', [{ userId: 'c-1' }])))).toBe(
      'array.json: must be a JSON object like {"userId": "c-1", "traits": {...}, "context": {...}}',
    );
    expect(inputError(() => readCustomerFile(write('typo.json', { userId: 'c-1', trait: {} })))).toBe(
      'typo.json: unknown field "trait": expected userId, traits, context',
    );
    expect(inputError(() => readCustomerFile(write('traits-array.json', { userId: 'c-1', traits: [] })))).toBe(
      'traits-array.json: "traits" must be an object, got []',
    );
    expect(inputError(() => readCustomerFile(write('context-string.json', { userId: 'c-1', context: 'x' })))).toBe(
      'context-string.json: "context" must be an object, got "x"',
    );
  });

  test('a missing file, an empty one, and one that is not JSON', () => {
    expect(inputError(() => readCustomerFile(path.join(dir, 'nowhere', 'customer.json')))).toBe(
      'customer.json: cannot read it: no such file',
    );
    expect(inputError(() => readCustomerFile(dir))).toBe(`${path.basename(dir)}: cannot read it: it is a directory`);
    expect(inputError(() => readCustomerFile(write('blank.json', ' \n')))).toBe('blank.json: is empty, not JSON');
    // A message with a position gets a line and column instead.
    const trailing = write('trailing.json', '{\n  "userId": "c-1",\n}\n');
    expect(inputError(() => readCustomerFile(trailing))).toBe(
      'trailing.json: not JSON: Expected double-quoted property name (line 3, column 1)',
    );
    // One without a position (it quotes the source, newlines and all) gets them too.
    const token = write('token.json', '{\n  "userId": "c-1",\n  "traits": {"vip": yes}\n}\n');
    expect(inputError(() => readCustomerFile(token))).toBe(
      "token.json: not JSON: Unexpected token 'y' (line 3, column 21)",
    );
    expect(inputError(() => readCustomerFile(write('cut.json', '{"userId": "c-1"')))).toBe(
      "cut.json: not JSON: Expected ',' or '}' after property value (line 1, column 17)",
    );
    expect(inputError(() => readCustomerFile(write('open.json', '{"userId":')))).toBe(
      'open.json: not JSON: Unexpected end of JSON input',
    );
  });

  test('a byte-order mark is not an error', () => {
    expect(readCustomerFile(write('bom.json', '\uFEFF{"userId": "c-bom"}')).userId).toBe('c-bom');
  });
});

describe('readTimelineFile', () => {
  const tokyo: SimCustomer = {
    userId: 'c-tokyo',
    traits: { email: 'aiko@example.com' },
    context: { timezone: 'Asia/Tokyo', locale: 'ja-JP' },
    zone: 'Asia/Tokyo',
  };
  const START = Date.parse('2030-03-01T09:00:00+09:00');
  const read = (name: string, content: unknown, customer = tokyo) =>
    readTimelineFile(write(name, content), customer, START);

  test('relative and absolute times, the example from the brief', () => {
    const entries = read('timeline.json', [
      { at: '+0', type: 'track', event: 'Product Added', properties: { cart_id: 'cart-1', product_id: 'p-1' } },
      { at: '+3 days', type: 'identify', traits: { birthday: '1990-03-14' } },
      { at: '2030-03-01T10:00:00+09:00', type: 'track', event: 'Order Completed', properties: { order_id: 'o-1' } },
    ]);
    expect(entries.map((e) => [iso(e.at, 'Asia/Tokyo'), e.index])).toEqual([
      ['2030-03-01T09:00:00+09:00', 0],
      ['2030-03-01T10:00:00+09:00', 2],
      ['2030-03-04T09:00:00+09:00', 1],
    ]);
    expect(entries[0].call).toEqual({
      type: 'track',
      event: 'Product Added',
      properties: { cart_id: 'cart-1', product_id: 'p-1' },
      userId: 'c-tokyo',
      context: { timezone: 'Asia/Tokyo', locale: 'ja-JP' },
    });
    expect(entries[0].call).not.toHaveProperty('at');
  });

  test('spans are added on the customer zone calendar', () => {
    const berliner: SimCustomer = { userId: 'c-b', traits: {}, zone: 'Europe/Berlin' };
    const start = DateTime.fromISO('2030-03-30T09:00', { zone: 'Europe/Berlin' }).toMillis();
    const [entry] = readTimelineFile(write('dst.json', [{ at: '+1 day', type: 'page' }]), berliner, start);
    expect(iso(entry.at, 'Europe/Berlin')).toBe('2030-03-31T09:00:00+02:00');
    expect(entry.call).toEqual({ type: 'page', userId: 'c-b' }); // no context in the customer file, none added
  });

  test('an absolute time with Z, or at the very start, is fine', () => {
    const entries = read('zulu.json', [
      { at: '2030-03-05T00:00:00Z', type: 'track', event: 'Later' },
      { at: '2030-03-01T00:00:00Z', type: 'track', event: 'At the start' },
    ]);
    expect(entries.map((e) => [e.at, e.call.event])).toEqual([
      [START, 'At the start'],
      [Date.parse('2030-03-05T00:00:00Z'), 'Later'],
    ]);
  });

  test('an absolute time without an offset is ambiguous', () => {
    const file = [
      { at: '+0', type: 'page' },
      { at: '2030-03-01T10:00:00', type: 'page' },
    ];
    expect(inputError(() => read('no-offset.json', file))).toBe(
      'no-offset.json, event 2 (at "2030-03-01T10:00:00"): an absolute "at" needs a time and an offset or Z, ' +
        'such as "2030-03-01T10:00:00+09:00": without one its zone is ambiguous',
    );
    expect(inputError(() => read('date-only.json', [{ at: '2030-03-02', type: 'page' }]))).toContain(
      'needs a time and an offset',
    );
    expect(inputError(() => read('bad-date.json', [{ at: '2030-02-30T10:00:00Z', type: 'page' }]))).toMatch(
      /^bad-date\.json, event 1 \(at "2030-02-30T10:00:00Z"\): "at" is not a valid ISO 8601 time: /,
    );
  });

  test('an absolute time before the start is an error naming the entry', () => {
    const file = [
      { at: '+1h', type: 'page' },
      { at: '2030-03-01T08:59:59+09:00', type: 'page' },
    ];
    expect(inputError(() => read('early.json', file))).toBe(
      'early.json, event 2 (at "2030-03-01T08:59:59+09:00"): is before the simulation start, 2030-03-01T09:00:00+09:00',
    );
  });

  test('a bad "at", a missing one, or not a string', () => {
    const forms =
      'a span from the start such as "+2h", "+3 days", "1 year", or an ISO time with an offset such as "2030-03-01T10:00:00+09:00"';
    const calls = [
      { at: '+0', type: 'page' },
      { at: '+1h', type: 'page' },
      { at: '+2 fortnights', type: 'page' },
    ];
    expect(inputError(() => read('timeline.json', calls))).toBe(
      `timeline.json, event 3 (at "+2 fortnights"): "at" must be ${forms}`,
    );
    expect(inputError(() => read('no-at.json', [{ type: 'page' }]))).toBe(
      `no-at.json, event 1: "at" is required: ${forms}`,
    );
    expect(inputError(() => read('num-at.json', [{ at: 0, type: 'page' }]))).toBe(
      `num-at.json, event 1 (at 0): "at" must be a string: ${forms}`,
    );
  });

  test('sorted by time, equal times in file order', () => {
    const entries = read('ties.json', [
      { at: '+2h', type: 'track', event: 'c' },
      { at: '+1h', type: 'track', event: 'a' },
      { at: '+2h', type: 'track', event: 'd' },
      { at: '2030-03-01T10:00:00+09:00', type: 'track', event: 'b' }, // the same instant as "+1h"
      { at: '+0', type: 'track', event: 'start' },
      { at: '60 min', type: 'track', event: 'b2' },
    ]);
    expect(entries.map((e) => `${e.call.event}@${e.index}`)).toEqual(['start@4', 'a@1', 'b@3', 'b2@5', 'c@0', 'd@2']);
  });

  test('userId and context are filled in from the customer, and merged', () => {
    const entries = read('fill.json', [
      { at: '+0', type: 'identify', traits: { plan: 'pro' } },
      { at: '+1s', type: 'track', event: 'Viewed', anonymousId: 'anon-1' },
      { at: '+2s', type: 'alias', userId: 'c-other', previousId: 'anon-1' },
      { at: '+3s', type: 'page', context: { locale: 'en-GB', page: { path: '/' } } },
      { at: '+4s', type: 'page', context: 'not an object' },
    ]);
    expect(entries.map((e) => e.call)).toEqual([
      { type: 'identify', traits: { plan: 'pro' }, userId: 'c-tokyo', context: tokyo.context },
      { type: 'track', event: 'Viewed', anonymousId: 'anon-1', context: tokyo.context },
      { type: 'alias', userId: 'c-other', previousId: 'anon-1', context: tokyo.context },
      {
        type: 'page',
        userId: 'c-tokyo',
        context: { timezone: 'Asia/Tokyo', locale: 'en-GB', page: { path: '/' } },
      },
      { type: 'page', userId: 'c-tokyo', context: 'not an object' }, // left for the API to refuse
    ]);
    expect(entries[0].call.context).not.toBe(tokyo.context); // a copy each: the simulator may change one
  });

  test('properties and traits are passed through untouched', () => {
    const odd = { at: '+0', type: 'track', event: 'Order Completed', properties: { revenue: 'lots' }, extra: [1] };
    const [entry] = read('odd.json', [odd]);
    expect(entry.call).toEqual({
      type: 'track',
      event: 'Order Completed',
      properties: { revenue: 'lots' },
      extra: [1],
      userId: 'c-tokyo',
      context: tokyo.context,
    });
  });

  test('the file may be {"events": [...]}', () => {
    const entries = read('wrapped.json', { events: [{ at: '+1d', type: 'screen', name: 'Home' }] });
    expect(entries).toEqual([
      {
        at: Date.parse('2030-03-02T09:00:00+09:00'),
        index: 0,
        call: { type: 'screen', name: 'Home', userId: 'c-tokyo', context: tokyo.context },
      },
    ]);
    expect(read('empty.json', [])).toEqual([]);
  });

  test('a file of another shape', () => {
    const message = 'must be a JSON array of Segment calls, or {"events": [...]}';
    expect(inputError(() => read('object.json', { event: [] }))).toBe(`object.json: ${message}`);
    expect(inputError(() => read('string.json', '"+1d"'))).toBe(`string.json: ${message}`);
    expect(inputError(() => read('comma.json', '[\n  {"at": "+0", "type": "page"},\n]\n'))).toBe(
      "comma.json: not JSON: Unexpected token ']' (line 3, column 1)",
    );
  });

  test('type is required and must be a Segment call type, or the catalogue call', () => {
    const types = 'identify, track, page, screen, group, alias, products, stores';
    expect(
      inputError(() =>
        read('type.json', [
          { at: '+0', type: 'page' },
          { at: '+1d', type: 'purchase' },
        ]),
      ),
    ).toBe(`type.json, event 2 (at "+1d"): "type" must be one of ${types}: got "purchase"`);
    expect(inputError(() => read('no-type.json', [{ at: '+0', event: 'Product Added' }]))).toBe(
      `no-type.json, event 1 (at "+0"): "type" must be one of ${types}: it is missing`,
    );
    expect(inputError(() => read('entry.json', [{ at: '+0', type: 'page' }, 'track']))).toBe(
      'entry.json, event 2: must be an object, a Segment call with "at" and "type", got "track"',
    );
  });

  test('a track call needs an event', () => {
    expect(inputError(() => read('track.json', [{ at: '+2h', type: 'track', properties: {} }]))).toBe(
      'track.json, event 1 (at "+2h"): a track call needs "event", a non-empty string',
    );
    expect(inputError(() => read('track-empty.json', [{ at: '+2h', type: 'track', event: '' }]))).toBe(
      'track-empty.json, event 1 (at "+2h"): a track call needs "event", a non-empty string, got ""',
    );
  });

  test('the catalogue call is the shop’s: its products as they are, no customer or context added', () => {
    const products = [{ id: 'kettle', name: 'Kettle', inStock: true }];
    const [entry] = read('catalogue.json', [{ at: '+1d', type: 'products', products }]);
    expect(entry.call).toEqual({ type: 'products', products });
    expect(inputError(() => read('no-products.json', [{ at: '+0', type: 'products' }]))).toBe(
      'no-products.json, event 1 (at "+0"): a products call needs "products", a list of the catalogue\'s products',
    );
  });

  test('the stores call is the shop’s: its stores as they are, no customer or context added', () => {
    const stores = [{ id: 'mitte', name: 'Mitte', latitude: 52.52, longitude: 13.4 }];
    const [entry] = read('stores.json', [{ at: '+0', type: 'stores', stores }]);
    expect(entry.call).toEqual({ type: 'stores', stores });
    expect(inputError(() => read('no-stores.json', [{ at: '+0', type: 'stores' }]))).toBe(
      'no-stores.json, event 1 (at "+0"): a stores call needs "stores", a list of the shop\'s stores',
    );
  });
  test('an open or a click of the email a step sent, optionally as someone else (Apple Mail Privacy Protection)', () => {
    const entries = read('engagement.json', [
      { at: '+1 day', open: 'welcome' },
      { at: '+2 days', click: 'welcome', userAgent: 'Mozilla/5.0', ip: '17.58.63.1' },
    ]);
    expect(entries.map((e) => e.call)).toEqual([
      { type: 'open', step: 'welcome' },
      { type: 'click', step: 'welcome', userAgent: 'Mozilla/5.0', ip: '17.58.63.1' },
    ]);
    expect(inputError(() => read('both.json', [{ at: '+0', open: 'welcome', click: 'welcome' }]))).toBe(
      'both.json, event 1 (at "+0"): an entry either "open"s or "click"s an email, not both',
    );
    expect(inputError(() => read('no-step.json', [{ at: '+0', open: '' }]))).toBe(
      'no-step.json, event 1 (at "+0"): "open" must be the step whose email is read, such as "welcome", got ""',
    );
    expect(inputError(() => read('typo.json', [{ at: '+0', click: 'welcome', userAgnet: 'curl/8' }]))).toBe(
      'typo.json, event 1 (at "+0"): unknown field "userAgnet" in an open or click: expected open, click, userAgent, ip',
    );
    expect(inputError(() => read('ua.json', [{ at: '+0', open: 'welcome', userAgent: 5 }]))).toBe(
      'ua.json, event 1 (at "+0"): "userAgent" must be a string, got 5',
    );
  });
});
