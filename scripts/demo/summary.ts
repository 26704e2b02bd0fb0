import type { JourneysConfig } from '../../src/config/schema';
import type { JourneyStats } from '../../src/db/stats/journey-stats';
import { birthdayOfferIn, type DemoCustomer } from './customers';
import type { Engagement } from './engage';
import type { StreamResult } from './stream';

// The last screen: what the demo did, what Journeys made of it, and where to look next.

const WEB_UI_FILTER = 'Journey = "abandoned-cart" AND ExecutionStatus = "Running"';

export interface Summary {
  seed: string;
  seconds: number;
  apiUrl: string;
  inboxUrl: string;
  smsUrl: string;
  webhooksUrl: string;
  temporalUiUrl: string;
  adminKey: string;
  customers: DemoCustomer[];
  products: number;
  categories: number;
  stream: StreamResult;
  /** Undefined when the inbox was not reachable: `inboxProblem` says why. */
  engagement?: Engagement;
  inboxProblem?: string;
  /** The statistics, or why they could not be read. */
  stats: JourneyStats[] | string;
  config: JourneysConfig;
}

export function printSummary(s: Summary): void {
  const { customers, stream, engagement } = s;
  const de = customers.filter((c) => c.locale === 'de').length;
  const birthdays = customers.filter((c) => c.birthdayToday);
  const lines = [
    '',
    `Done in ${s.seconds} s (seed ${s.seed}).`,
    row('Products', `${s.products} in ${s.categories} categories`),
    row(
      'Customers',
      `${customers.length} (${customers.length - de} en, ${de} de; ${birthdays.length} with a birthday today)`,
    ),
    row(
      'Phones',
      `${customers.filter((c) => c.phone).length} with a mobile number, ${customers.filter((c) => c.phone && c.smsOptIn).length} of them agreed to texts (their cart incentive comes by text)`,
    ),
    row(
      'Events sent',
      `${stream.events} in ${plural(stream.requests, 'request')} to /v1/batch, /v1/track, /v1/identify`,
    ),
    row(
      'Confirmed',
      engagement
        ? `${stream.confirmed} addresses by their double opt-in link${stream.notConfirmed ? ` (${stream.notConfirmed} got no confirmation email in time)` : ''}`
        : `${stream.confirmed} addresses, by Email Confirmed events (no inbox to click in)`,
    ),
    ...(stream.cameBack > 0
      ? [
          row(
            'Came back',
            `${plural(stream.cameBack, 'customer')} clicked a cart reminder or nurture email, then ordered`,
          ),
        ]
      : []),
    ...(stream.restocked.length > 0
      ? [row('Restocked', `${stream.restocked.map((p) => p.name).join(', ')} (inStock: true, POST /v1/products)`)]
      : []),
    engagement
      ? row(
          'Inbox',
          `${engagement.inboxEmails} emails to the demo's customers; ${engagement.opened} opened, ${engagement.clicked} clicked`,
        )
      : row('Inbox', `not read (${s.inboxProblem})`),
    ...(engagement?.notInInbox ? [row('', `${engagement.notInInbox} sent emails were not in the inbox (yet)`)] : []),
    ...(engagement?.failedLinks
      ? [row('', `${engagement.failedLinks} tracking links did not answer as expected: is PUBLIC_URL this API?`)]
      : []),
    '',
    ...statsTable(s.stats),
    '',
    ...upcoming(s, birthdays),
    '',
    'Where to look:',
    row(
      'Temporal Web UI',
      `${s.temporalUiUrl}/namespaces/default/workflows?query=${encodeURIComponent(WEB_UI_FILTER)}`,
    ),
    row('', `(the list filter: ${WEB_UI_FILTER})`),
    row('Inbox', s.inboxUrl),
    row('Texts', `${s.smsUrl} (npm start's SMS stand-in: text STOP back as a customer there)`),
    row('Webhooks', `${s.webhooksUrl} (the lost carts npm start tells its receiver's /hooks/crm)`),
    row('API docs', `${s.apiUrl}/docs`),
    row('One customer', `curl -H 'Authorization: Bearer ${s.adminKey}' ${s.apiUrl}/v1/customers/${customers[0].id}`),
    '',
    `Running the demo again with --seed ${s.seed} sends the same message ids: Journeys drops them as duplicates.`,
    'Use another --seed for new customers.',
  ];
  console.log(lines.join('\n'));
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(16)} ${value}`;
}

function statsTable(stats: JourneyStats[] | string): string[] {
  if (typeof stats === 'string') return [`Journey statistics: not available (${stats})`];
  if (stats.length === 0) return ['Journey statistics: no messages yet.'];
  const header = ['journey', 'sent', 'opened', 'clicked', 'conversions', 'revenue'];
  const body = stats.map((j) => [
    j.journey,
    String(j.sent),
    String(j.uniqueOpens),
    String(j.uniqueClicks),
    String(j.conversions),
    Number(j.revenue).toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const format = (cells: string[]): string =>
    `  ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')}`;
  return [
    'Journey statistics (GET /v1/stats/journeys, all customers):',
    format(header),
    format(widths.map((w) => '-'.repeat(w))),
    ...body.map(format),
  ];
}

/** What the journeys still have to send after the demo ends, from the configuration. */
function upcoming(s: Summary, birthdays: DemoCustomer[]): string[] {
  const j = s.config.journeys;
  const lines = [
    'Journeys keep going after the demo:',
    `  abandoned carts are reminded ${j.abandonedCart.firstReminderAfter} after the first item, again ${j.abandonedCart.secondReminderAfter} later;`,
    `  orders get a cross-sell after ${j.postPurchase.crossSellAfter} and a review request after ${j.postPurchase.feedbackAfter};`,
    `  customers silent for ${j.reengagement.silenceAfter} get a re-engagement check-in.`,
  ];
  const next = birthdays
    .map((c) => ({ c, minutes: birthdayOfferIn(c, j.birthday.sendAt) }))
    .filter((b): b is { c: DemoCustomer; minutes: number } => b.minutes !== null)
    .sort((a, b) => a.minutes - b.minutes)[0];
  if (next) {
    const { c, minutes } = next;
    lines.push(
      `  The next birthday offer: ${c.firstName} ${c.lastName} at ${j.birthday.sendAt} ${c.timezone}, in ${duration(minutes)}.`,
    );
  }
  return lines;
}

function duration(minutes: number): string {
  const m = Math.round(minutes);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
