-- Why marketing consent last changed ("unsubscribe link", "sunset", "confirmed"...), for support
-- and audits; updated_at already says when.
ALTER TABLE subscriptions ADD COLUMN reason text;

-- Events whose cart change has been applied. Adding or removing units is the one projection that is
-- not naturally repeatable, so it happens only together with its event's row here.
CREATE TABLE projected_cart_events (
  message_id   text PRIMARY KEY,
  projected_at timestamptz NOT NULL DEFAULT now()
);
