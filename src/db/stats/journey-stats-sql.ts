// The SQL behind journey statistics (journey-stats.ts), written to be read. A message is an email, a
// text (SMS) or a webhook call to the shop's systems: its `channel`. Definitions:
// - sent: handed over (sent_at is set): an email SMTP accepted, a text the SMS provider took (still
//   sent when the provider later reports it undelivered), a webhook call answered with a 2xx.
// - delivered: an email sent and not bounced (SMTP accepting it is all we hear); a text the provider
//   reported delivered; a webhook call answered with a 2xx (that is, sent).
// - undelivered: texts the provider reported undelivered or failed.
// - failed: status 'failed': refused at the hand-off (a permanent SMTP or SMS provider refusal, no
//   provider configured), a webhook call answered 4xx or never made, or a text reported undelivered
//   (which is also sent and undelivered).
// - unique opens / clicks: messages with at least one such event (opened 3 times counts once). A
//   text has no opens; clicks on its short links count as an email's clicks do. Opens and clicks
//   are a person's: those a machine made (message_events.machine: Apple Mail Privacy Protection's
//   prefetch, a security gateway checking links; src/tracking/machine-engagement.ts) are counted
//   apart as machine opens / clicks (every one), and are no touch for conversions.
// - unsubscribes, bounces, complaints: messages with at least one such event. Unsubscribes are the
//   opt-outs of both channels: an email's unsubscribe link, and a STOP reply (recorded on the
//   customer's latest text).
// - skipped: marketing messages given up because the frequency cap stayed full (status 'skipped').
// - conversions: orders attributed by last touch. An order belongs to the message its customer
//   opened or clicked last before ordering (a text: clicked), if that was at most `window` before
//   the order. Every journey's messages compete, so an order counts once, in one place. Revenue:
//   revenue, else total.
// - holdout: customers a journey held out (holdout = true, status 'holdout': they would have been
//   sent it) against the customers it sent an email or text (sent); either converted if they ordered
//   within `window` after one of those messages was created (no open needed: the holdout had nothing
//   to open). Messages suppressed (no address, bounced...) count in neither group, nor do webhook
//   calls: they are made for held-out customers too. Lift = (treated rate - holdout rate) / holdout rate.

/**
 * The CTEs all reports share. $1: the journey, or null for all; $2: the window in milliseconds.
 */
export const SHARED = `
  window_ AS (SELECT $2::bigint * interval '1 millisecond' AS length),

  -- One row per message, with what happened to it.
  message_facts AS (
    SELECT m.id, m.journey, m.step, m.variant, m.channel, m.customer_id, m.holdout, m.created_at,
           m.sent_at IS NOT NULL                                       AS sent,
           CASE WHEN m.channel = 'sms' THEN coalesce(bool_or(e.type = 'delivered'), false)
                ELSE m.sent_at IS NOT NULL AND NOT coalesce(bool_or(e.type = 'bounced'), false)
           END                                                         AS delivered,
           coalesce(bool_or(e.type = 'undelivered'), false)            AS undelivered,
           m.status = 'failed'                                         AS failed,
           m.holdout AND m.status = 'holdout'                          AS held_out,
           m.status = 'skipped'                                        AS skipped,
           count(e.id) FILTER (WHERE e.type = 'opened' AND e.machine IS NULL)  AS opens,
           count(e.id) FILTER (WHERE e.type = 'clicked' AND e.machine IS NULL) AS clicks,
           count(e.id) FILTER (WHERE e.type = 'opened' AND e.machine IS NOT NULL)  AS machine_opens,
           count(e.id) FILTER (WHERE e.type = 'clicked' AND e.machine IS NOT NULL) AS machine_clicks,
           coalesce(bool_or(e.type = 'bounced'), false)                AS bounced,
           coalesce(bool_or(e.type = 'unsubscribed'), false)           AS unsubscribed,
           coalesce(bool_or(e.type = 'complained'), false)             AS complained,
           greatest(m.created_at, m.sent_at, max(e.occurred_at))       AS last_activity_at
    FROM messages m
    LEFT JOIN message_events e ON e.message_id = m.id
    WHERE $1::text IS NULL OR m.journey = $1
    GROUP BY m.id
  ),

  -- Last touch: for each order of a customer we sent something, the message (of any journey) they
  -- opened or clicked last before ordering, if that was within the window.
  attributed AS (
    SELECT o.id AS order_id, coalesce(o.revenue, o.total, 0) AS revenue, touch.message_id
    FROM orders o
    CROSS JOIN window_ w
    CROSS JOIN LATERAL (
      SELECT e.message_id
      FROM messages m
      JOIN message_events e ON e.message_id = m.id AND e.type IN ('opened', 'clicked') AND e.machine IS NULL
      WHERE m.customer_id = o.customer_id
        AND e.occurred_at <= o.completed_at
        AND e.occurred_at >= o.completed_at - w.length
      ORDER BY e.occurred_at DESC, e.id DESC
      LIMIT 1
    ) touch
    WHERE o.customer_id IN (SELECT customer_id FROM message_facts)
  ),
  conversions AS (
    SELECT message_id, count(*) AS orders, sum(revenue) AS revenue FROM attributed GROUP BY message_id
  ),

  -- Holdout against treated: each customer once per journey and group, converted if an order
  -- followed one of their emails or texts in that group within the window.
  exposures AS (
    SELECT f.journey, f.held_out AS holdout, f.customer_id,
           bool_or(EXISTS (
             SELECT 1 FROM orders o
             WHERE o.customer_id = f.customer_id
               AND o.completed_at > f.created_at AND o.completed_at <= f.created_at + w.length
           )) AS converted
    FROM message_facts f CROSS JOIN window_ w
    WHERE (f.held_out OR f.sent) AND f.channel <> 'webhook'
    GROUP BY f.journey, f.held_out, f.customer_id
  ),
  holdout_groups AS (
    SELECT journey,
           count(*) FILTER (WHERE holdout)                   AS holdout_customers,
           count(*) FILTER (WHERE holdout AND converted)     AS holdout_conversions,
           count(*) FILTER (WHERE NOT holdout)               AS treated_customers,
           count(*) FILTER (WHERE NOT holdout AND converted) AS treated_conversions
    FROM exposures GROUP BY journey
  ),
  holdout_comparison AS (
    SELECT *,
           holdout_conversions::float8 / nullif(holdout_customers, 0) AS holdout_rate,
           treated_conversions::float8 / nullif(treated_customers, 0) AS treated_rate
    FROM holdout_groups
  )`;

/**
 * The message columns, aggregated over whatever the query groups by. The last two are the bases of
 * the open and click rates: only emails are opened, and webhook calls have no links.
 */
export const MESSAGE_COLUMNS = `
    count(*) FILTER (WHERE f.sent)::int                                  AS sent,
    count(*) FILTER (WHERE f.delivered)::int                             AS delivered,
    count(*) FILTER (WHERE f.undelivered)::int                           AS undelivered,
    count(*) FILTER (WHERE f.failed)::int                                AS failed,
    sum(f.opens)::int                                                    AS opens,
    count(*) FILTER (WHERE f.opens > 0)::int                             AS unique_opens,
    sum(f.clicks)::int                                                   AS clicks,
    count(*) FILTER (WHERE f.clicks > 0)::int                            AS unique_clicks,
    sum(f.machine_opens)::int                                            AS machine_opens,
    sum(f.machine_clicks)::int                                           AS machine_clicks,
    count(*) FILTER (WHERE f.unsubscribed)::int                          AS unsubscribes,
    count(*) FILTER (WHERE f.bounced)::int                               AS bounces,
    count(*) FILTER (WHERE f.complained)::int                            AS complaints,
    count(*) FILTER (WHERE f.held_out)::int                              AS held_out,
    count(*) FILTER (WHERE f.skipped)::int                               AS skipped,
    coalesce(sum(c.orders), 0)::int                                      AS conversions,
    coalesce(sum(c.revenue), 0)::float8                                  AS revenue,
    min(f.created_at)                                                    AS first_activity_at,
    max(f.last_activity_at)                                              AS last_activity_at,
    count(*) FILTER (WHERE f.delivered AND f.channel = 'email')::int     AS delivered_emails,
    count(*) FILTER (WHERE f.delivered AND f.channel <> 'webhook')::int  AS delivered_emails_and_texts`;

/** The holdout comparison of one journey (from holdout_comparison h), lift included. */
export const HOLDOUT_COLUMNS = `
    h.holdout_customers::int, h.holdout_conversions::int, h.holdout_rate,
    h.treated_customers::int, h.treated_conversions::int, h.treated_rate,
    (h.treated_rate - h.holdout_rate) / nullif(h.holdout_rate, 0) AS lift`;

/**
 * Each journey, each journey's channels, and each channel over all journeys, in one pass (the
 * attribution is the costly part). A null journey or channel in a row means all of them: both
 * columns are never null in messages. The journey rows carry the journey's holdout comparison.
 */
export const JOURNEY_AND_CHANNEL_TOTALS = `
  WITH ${SHARED},
  totals AS (
    SELECT f.journey, f.channel, ${MESSAGE_COLUMNS}
    FROM message_facts f LEFT JOIN conversions c ON c.message_id = f.id
    GROUP BY GROUPING SETS ((f.journey), (f.journey, f.channel), (f.channel))
  )
  SELECT t.*, ${HOLDOUT_COLUMNS}
  FROM totals t LEFT JOIN holdout_comparison h ON h.journey = t.journey AND t.channel IS NULL
  ORDER BY t.journey, t.channel NULLS FIRST`;

/** One journey's rows per step, variant and channel, in the order the journey first reached them. */
export const STEP_TOTALS = `
  WITH ${SHARED}
  SELECT f.step, f.variant, f.channel, ${MESSAGE_COLUMNS}
  FROM message_facts f LEFT JOIN conversions c ON c.message_id = f.id
  GROUP BY f.step, f.variant, f.channel
  ORDER BY first_activity_at, f.step, f.variant NULLS FIRST, f.channel`;
