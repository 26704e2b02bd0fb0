-- Segment's whole spec: page, screen, group and alias calls are stored like identify and track.
ALTER TABLE events DROP CONSTRAINT events_type_check;
ALTER TABLE events ADD CONSTRAINT events_type_check
  CHECK (type IN ('identify', 'track', 'page', 'screen', 'group', 'alias'));

-- Calls the API refused for what they contain (a batch accepts its valid items and answers the
-- others by index): kept for inspection, as sent (JSON text, so any input fits), with the reason.
CREATE TABLE rejected_events (
  id          bigserial PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  endpoint    text NOT NULL,
  -- The item's position in its batch; null for a single call.
  position    integer,
  code        text NOT NULL,
  message     text NOT NULL,
  details     text,
  payload     text NOT NULL
);
CREATE INDEX rejected_events_recent ON rejected_events (received_at DESC);
