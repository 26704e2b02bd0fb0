// The SQL behind journey statistics (journey-stats.ts), written to be read. Definitions:
// - sent: messages handed to SMTP (status 'sent'); delivered: sent and not bounced.
// - unique opens / clicks: messages with at least one such event (opened 3 times counts once).
// - unsubscribes, bounces, complaints: messages with at least one such event.
// - skipped: marketing messages given up because the frequency cap stayed full (status 'skipped').
// - conversions: orders attributed by last touch. An order belongs to the message its customer
//   opened or clicked last before ordering, if that was at most `window` before the order. Every
//   journey's messages compete, so an order counts once, in one place. Revenue: revenue, else total.
// - holdout: customers a journey held out (holdout = true, status 'holdout': they would have been
//   mailed) against the customers it mailed (status 'sent'); either converted if they ordered within
//   `window` after one of those messages was created (no open needed: the holdout had nothing to
//   open). Messages suppressed (no address, bounced...) count in neither group.
//   Lift = (treated rate - holdout rate) / holdout rate.

/**
 * The CTEs both reports share. $1: the journey, or null for all; $2: the window in milliseconds.
 */
export const SHARED = `
  window_ AS (SELECT $2::bigint * interval '1 millisecond' AS length),

  -- One row per message, with what happened to it.
  message_facts AS (
    SELECT m.id, m.journey, m.step, m.variant, m.customer_id, m.holdout, m.created_at,
           m.status = 'sent'                                           AS sent,
           m.holdout AND m.status = 'holdout'                          AS held_out,
           m.status = 'skipped'                                        AS skipped,
           count(e.id) FILTER (WHERE e.type = 'opened')                AS opens,
           count(e.id) FILTER (WHERE e.type = 'clicked')               AS clicks,
           coalesce(bool_or(e.type = 'bounced'), false)                AS bounced,
           coalesce(bool_or(e.type = 'unsubscribed'), false)           AS unsubscribed,
           coalesce(bool_or(e.type = 'complained'), false)             AS complained,
           greatest(m.created_at, m.sent_at, max(e.occurred_at))       AS last_activity_at
    FROM messages m
    LEFT JOIN message_events e ON e.message_id = m.id
    WHERE $1::text IS NULL OR m.journey = $1
    GROUP BY m.id
  ),

  -- Last touch: for each order of a customer we mailed, the message (of any journey) they opened
  -- or clicked last before ordering, if that was within the window.
  attributed AS (
    SELECT o.id AS order_id, coalesce(o.revenue, o.total, 0) AS revenue, touch.message_id
    FROM orders o
    CROSS JOIN window_ w
    CROSS JOIN LATERAL (
      SELECT e.message_id
      FROM messages m
      JOIN message_events e ON e.message_id = m.id AND e.type IN ('opened', 'clicked')
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
  -- followed one of their messages in that group within the window.
  exposures AS (
    SELECT f.journey, f.held_out AS holdout, f.customer_id,
           bool_or(EXISTS (
             SELECT 1 FROM orders o
             WHERE o.customer_id = f.customer_id
               AND o.completed_at > f.created_at AND o.completed_at <= f.created_at + w.length
           )) AS converted
    FROM message_facts f CROSS JOIN window_ w
    WHERE f.held_out OR f.sent
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

/** The message columns, aggregated over whatever the query groups by. */
export const MESSAGE_COLUMNS = `
    count(*) FILTER (WHERE f.sent)::int                                  AS sent,
    count(*) FILTER (WHERE f.sent AND NOT f.bounced)::int                AS delivered,
    sum(f.opens)::int                                                    AS opens,
    count(*) FILTER (WHERE f.opens > 0)::int                             AS unique_opens,
    sum(f.clicks)::int                                                   AS clicks,
    count(*) FILTER (WHERE f.clicks > 0)::int                            AS unique_clicks,
    count(*) FILTER (WHERE f.unsubscribed)::int                          AS unsubscribes,
    count(*) FILTER (WHERE f.bounced)::int                               AS bounces,
    count(*) FILTER (WHERE f.complained)::int                            AS complaints,
    count(*) FILTER (WHERE f.held_out)::int                              AS held_out,
    count(*) FILTER (WHERE f.skipped)::int                               AS skipped,
    coalesce(sum(c.orders), 0)::int                                      AS conversions,
    coalesce(sum(c.revenue), 0)::float8                                  AS revenue,
    min(f.created_at)                                                    AS first_activity_at,
    max(f.last_activity_at)                                              AS last_activity_at`;

/** The holdout comparison of one journey (from holdout_comparison h), lift included. */
export const HOLDOUT_COLUMNS = `
    h.holdout_customers::int, h.holdout_conversions::int, h.holdout_rate,
    h.treated_customers::int, h.treated_conversions::int, h.treated_rate,
    (h.treated_rate - h.holdout_rate) / nullif(h.holdout_rate, 0) AS lift`;
