import type { RecipientMessage } from '../../src/db/stats/recipient-history';
import type { JourneysApi } from './api-client';
import type { DemoCustomer } from './customers';
import { journeysMessageId, linksIn, type Inbox, type InboxEmail } from './inbox';
import { decide, Random } from './random';
import { sleep } from './stream';

// The customers read their email: they confirm their address, open some emails (the open pixel
// loads) and click a link in some (the tracked link records the click; we do not follow it to
// the shop). Which ones depends only on the seed.

const OPEN_RATE = 0.6;
/** Of the opened emails. */
const CLICK_RATE = 0.35;

/** Finds the customer's double opt-in email and follows its confirmation link; false if none came. */
export async function confirmByEmail(
  api: JourneysApi,
  inbox: Inbox,
  customer: DemoCustomer,
  timeoutMs = 30_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const read = new Set<string>();
  while (Date.now() < deadline) {
    for (const email of await inbox.emailsTo(customer.email)) {
      if (read.has(email.id)) continue;
      read.add(email.id);
      const { confirm } = linksIn(await inbox.html(email));
      if (confirm) return (await api.follow(confirm)) < 400;
    }
    await sleep(1500);
  }
  return false;
}

export interface Engagement {
  /** Emails to the demo's customers in the inbox. */
  inboxEmails: number;
  opened: number;
  clicked: number;
  /** Sent, by the admin API, but not (yet) in the inbox. */
  notInInbox: number;
  /** Links that did not answer as expected (e.g. PUBLIC_URL is not this API). */
  failedLinks: number;
}

/** For each customer: what the admin API says was sent, matched to the inbox, opened and clicked. */
export async function engage(
  api: JourneysApi,
  inbox: Inbox,
  customers: DemoCustomer[],
  seed: string,
  onCustomer: () => void,
): Promise<Engagement> {
  const result: Engagement = { inboxEmails: 0, opened: 0, clicked: 0, notInInbox: 0, failedLinks: 0 };
  const queue = [...customers];
  const worker = async (): Promise<void> => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      await readMail(c);
      onCustomer();
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return result;

  async function readMail(customer: DemoCustomer): Promise<void> {
    const [messages, emails] = await Promise.all([api.messages(customer.id), inbox.emailsTo(customer.email)]);
    result.inboxEmails += emails.length;
    const unused = new Set(emails);
    for (const message of messages) {
      if (message.status !== 'sent' || message.holdout) continue;
      const key = `${customer.id}/${message.journey}/${message.step}`;
      if (!decide(seed, `open ${key}`, OPEN_RATE)) continue;
      const email = find(unused, message);
      if (!email) {
        result.notInInbox++;
        continue;
      }
      unused.delete(email);
      const click = decide(seed, `click ${key}`, CLICK_RATE);
      const done = await read(api, inbox, email, message, click ? new Random(`${seed}#link ${key}`) : undefined);
      result.opened += done.opened;
      result.clicked += done.clicked;
      result.failedLinks += done.failed;
    }
  }
}

/**
 * The customer comes back through the latest email `journey` sent them: opens it and clicks a
 * link (the order that follows is attributed to it). Waits up to `timeoutMs` for the email.
 */
export async function clickThrough(
  api: JourneysApi,
  inbox: Inbox,
  customer: DemoCustomer,
  journey: string,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const message = (await api.messages(customer.id, 20)).find((m) => m.journey === journey && m.status === 'sent');
    const email = message && find(new Set(await inbox.emailsTo(customer.email)), message);
    if (message && email) return (await read(api, inbox, email, message, new Random(customer.id))).clicked > 0;
    if (Date.now() >= deadline) return false;
    await sleep(1500);
  }
}

/** Opens the email (its pixel) unless it was opened before, and clicks one of its links if `click` picks one. */
async function read(
  api: JourneysApi,
  inbox: Inbox,
  email: InboxEmail,
  message: RecipientMessage,
  click: Random | undefined,
): Promise<{ opened: number; clicked: number; failed: number }> {
  const done = { opened: 0, clicked: 0, failed: 0 };
  const links = linksIn(await inbox.html(email));
  const before = new Set(message.events.map((e) => e.type));
  // A mail client loads the pixel when the email is opened, and before any click.
  if (links.open && !before.has('opened')) {
    if ((await api.follow(links.open)) === 200) done.opened++;
    else done.failed++;
  }
  if (click && links.clicks.length > 0 && !before.has('clicked')) {
    if ((await api.follow(click.pick(links.clicks))) === 302) done.clicked++;
    else done.failed++;
  }
  return done;
}

/** The inbox email of a sent message: by its Message-ID if the inbox shows it, else by subject. */
function find(emails: Set<InboxEmail>, message: RecipientMessage): InboxEmail | undefined {
  const all = [...emails];
  return (
    all.find((e) => journeysMessageId(e) === message.id) ??
    all.find((e) => journeysMessageId(e) === undefined && e.subject === message.subject)
  );
}
