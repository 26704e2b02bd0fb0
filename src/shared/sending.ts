// The timing of one send (an email, a text, a webhook call), defined once: the workflow's activity options, the activity's
// claim on its outbox row and the SMTP client's timeouts all derive from these.

/** How long nodemailer may wait on the SMTP server at any one step (connect, greeting, a reply). */
export const SMTP_STEP_TIMEOUT_MS = 15_000;

/** One HTTP call to a provider or a webhook receiver (connect and answer): within one send attempt. */
export const HTTP_CALL_TIMEOUT_MS = 2 * SMTP_STEP_TIMEOUT_MS;

/**
 * One attempt of the send activity: decide, render, hand off, record. Longer than a slow hand-off
 * (connect, greeting and data, each up to a step timeout), so only a stuck attempt runs out.
 */
export const SEND_ATTEMPT_TIMEOUT_MS = 6 * SMTP_STEP_TIMEOUT_MS;

/**
 * The send activity heartbeats while it runs, so a worker that dies mid-send is noticed after this
 * long, not after a whole attempt's timeout, and the message goes out from another worker soon.
 */
export const SEND_HEARTBEAT_TIMEOUT_MS = 15_000;

/** How many times a marketing send waits for room under the frequency cap before it is skipped. */
export const MAX_CAP_DEFERRALS = 5;

/** Recipients one batch activity decides, renders and sends (a page of an audience). */
export const BATCH_PAGE_SIZE = 100;

/** Sends of a page in flight at once: renders overlap SMTP round trips on the pooled connections. */
export const BATCH_PARALLEL_SENDS = 8;

/** One attempt at a page: every send in it may take a whole send attempt, this many at a time. */
export const BATCH_PAGE_TIMEOUT_MS = Math.ceil(BATCH_PAGE_SIZE / BATCH_PARALLEL_SENDS) * SEND_ATTEMPT_TIMEOUT_MS;

/** The most of a webhook's answer kept and handed to the journey: a coupon, an id, not a document. */
export const WEBHOOK_RESPONSE_LIMIT = 16 * 1024;
