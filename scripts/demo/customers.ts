import { DateTime } from 'luxon';
import type { Random } from './random';

// The demo's customers: realistic names in English and German (the templates' two locales),
// addresses on example.test, time zones around the world, birthdays for some (today, for a few).

/** What a customer does in the demo; the stream turns it into events. */
export type Persona =
  | 'buyer' // looks, buys; some come back for a second order
  | 'cart-abandoner' // fills a cart and leaves
  | 'browser' // looks at products, puts nothing in a cart
  | 'lead' // leaves an address for the guide; some buy later
  | 'waiter' // asks to hear when a sold-out product is back
  | 'cart-emptier' // fills a cart and empties it again
  | 'newsletter'; // signs up, nothing else

const PERSONAS: [Persona, number][] = [
  ['buyer', 30],
  ['cart-abandoner', 22],
  ['browser', 13],
  ['lead', 15],
  ['waiter', 10],
  ['cart-emptier', 5],
  ['newsletter', 5],
];

export interface DemoCustomer {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  locale: 'en' | 'de';
  timezone: string;
  /** YYYY-MM-DD; absent for customers who never told us. */
  birthday?: string;
  birthdayToday: boolean;
  persona: Persona;
  /** Whether they click the link in the double opt-in email. */
  confirms: boolean;
  /** A mobile number (every third customer), and whether they agreed to texts (half of those). */
  phone?: string;
  smsOptIn: boolean;
}

const words = (...lines: string[]): string[] => lines.join(' ').split(' ');

const NAMES = {
  en: {
    first: words(
      'Olivia Liam Emma Noah Ava James Sophia Lucas Mia Ethan Grace Jack Chloe Oliver Ruby Henry',
      'Zoe Samuel Isla Daniel Priya Kenji Amara Mateo',
    ),
    last: words(
      'Smith Johnson Brown Taylor Wilson Davies Evans Thomas Walker Harris Clarke Lewis Robinson',
      "Wright Martin Nguyen Patel Kim Garcia O'Brien Murphy Cooper",
    ),
    zones: [
      ['America/New_York', 25],
      ['America/Los_Angeles', 20],
      ['Europe/London', 15],
      ['Australia/Sydney', 12],
      ['America/Chicago', 10],
      ['Asia/Tokyo', 10],
      ['UTC', 8],
    ] as [string, number][],
  },
  de: {
    first: words(
      'Lukas Anna Leon Lena Finn Marie Jonas Sophie Paul Laura Felix Hannah Elias Emilia Ben Lea',
      'Maximilian Johanna Jürgen Björn Özlem Mehmet',
    ),
    last: words(
      'Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch',
      'Bauer Richter Klein Wolf Schröder Neumann Zimmermann Krüger',
    ),
    zones: [
      ['Europe/Berlin', 70],
      ['Europe/Vienna', 15],
      ['Europe/Zurich', 15],
    ] as [string, number][],
  },
};

/**
 * Zones around the clock: a customer whose birthday is today moves to one where today's
 * `sendAt` is still ahead if their own is past it, so the birthday offer goes out today.
 */
const AROUND_THE_CLOCK = words(
  'Pacific/Honolulu America/Anchorage America/Los_Angeles America/Denver America/Chicago',
  'America/New_York America/Sao_Paulo Atlantic/Azores UTC Europe/London Europe/Berlin',
  'Europe/Athens Asia/Dubai Asia/Kolkata Asia/Bangkok Asia/Tokyo Australia/Sydney',
  'Pacific/Auckland',
);

export interface CustomerOptions {
  count: number;
  /** Prefix of every customer id, from the seed: another seed, other customers. */
  idPrefix: string;
  /** The birthday journey's local send time ("HH:MM"). */
  birthdaySendAt: string;
  now?: Date;
}

export function makeCustomers(rng: Random, options: CustomerOptions): DemoCustomer[] {
  const taken = new Set<string>();
  const width = String(options.count).length < 3 ? 3 : String(options.count).length;
  // Every persona at least once (when there are enough customers), then as the weights say.
  const personas = rng.shuffle(PERSONAS.map(([p]) => p));
  const customers = Array.from({ length: options.count }, (_, i): DemoCustomer => {
    const locale = rng.chance(0.35) ? 'de' : 'en';
    const names = NAMES[locale];
    const firstName = rng.pick(names.first);
    const lastName = rng.pick(names.last);
    const persona = personas[i] ?? rng.weighted(PERSONAS);
    return {
      id: `${options.idPrefix}-${String(i + 1).padStart(width, '0')}`,
      firstName,
      lastName,
      email: uniqueAddress(rng, firstName, lastName, taken),
      locale,
      timezone: rng.weighted(names.zones),
      birthday: rng.chance(0.5) ? birthdayIn(rng, rng.int(1, 12), rng.int(1, 28)) : undefined,
      birthdayToday: false,
      persona,
      confirms: rng.chance(0.7),
      // Not drawn from rng, so a seed's customers are otherwise those it always made.
      ...(i % 3 === 0 ? { phone: mobileNumber(locale, i) } : {}),
      smsOptIn: i % 6 === 0,
    };
  });
  const now = options.now ?? new Date();
  const todays = Math.max(1, Math.round(options.count / 10));
  for (const c of rng.sample(customers, todays)) giveBirthdayToday(rng, c, options.birthdaySendAt, now);
  return customers;
}

/** A valid mobile number of the customer's country (Germany, or the UK for English speakers). */
function mobileNumber(locale: 'en' | 'de', i: number): string {
  return locale === 'de' ? `+49151${String(10_000_000 + i)}` : `+447911${String(100_000 + i)}`;
}

function uniqueAddress(rng: Random, first: string, last: string, taken: Set<string>): string {
  const [f, l] = [ascii(first), ascii(last)];
  const local = rng.pick([`${f}.${l}`, `${f}${l}`, `${f[0]}.${l}`, `${f}_${l}`, `${l}.${f}`]);
  let address = `${local}@example.test`;
  for (let n = 2; taken.has(address); n++) address = `${local}${n}@example.test`;
  taken.add(address);
  return address;
}

/** "Jürgen O'Brien" -> "juergen", "obrien": what people do with their names in addresses. */
function ascii(name: string): string {
  return name
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/[^a-z]/g, '');
}

function birthdayIn(rng: Random, month: number, day: number): string {
  // 29 February needs a leap year of birth.
  const year = month === 2 && day === 29 ? rng.pick([1984, 1988, 1992, 1996, 2000]) : rng.int(1962, 2004);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Minutes until `sendAt` today in `zone`, or null if it has passed there. */
function minutesUntil(sendAt: string, zone: string, now: Date): number | null {
  const [hour, minute] = sendAt.split(':').map(Number);
  const local = DateTime.fromJSDate(now, { zone });
  const minutes = local.set({ hour, minute, second: 0, millisecond: 0 }).diff(local, 'minutes').minutes;
  return minutes > 0 ? minutes : null;
}

function giveBirthdayToday(rng: Random, c: DemoCustomer, sendAt: string, now: Date): void {
  if (minutesUntil(sendAt, c.timezone, now) === null) {
    const soonest = AROUND_THE_CLOCK.map((zone) => ({ zone, in: minutesUntil(sendAt, zone, now) }))
      .filter((z): z is { zone: string; in: number } => z.in !== null)
      .sort((a, b) => a.in - b.in)[0];
    if (soonest) c.timezone = soonest.zone;
  }
  const today = DateTime.fromJSDate(now, { zone: c.timezone });
  c.birthday = birthdayIn(rng, today.month, today.day);
  c.birthdayToday = true;
}

/** When the birthday offer for `c` goes out, for the summary. */
export function birthdayOfferIn(c: DemoCustomer, sendAt: string, now = new Date()): number | null {
  return c.birthdayToday ? minutesUntil(sendAt, c.timezone, now) : null;
}
