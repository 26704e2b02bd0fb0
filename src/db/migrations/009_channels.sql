-- Channels: a message is an email, a text message (SMS) or a webhook call to the shop's systems.

-- The customer's mobile number in E.164 (+4915112345678), checked at the edge like the email.
ALTER TABLE customers ADD COLUMN phone text;

-- Consent per channel and topic. Existing rows are email consent; SMS marketing needs an explicit
-- opt-in (a row saying subscribed), where email marketing is subscribed unless a row says otherwise.
ALTER TABLE subscriptions ADD COLUMN channel text NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'sms'));
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_pkey;
ALTER TABLE subscriptions ADD PRIMARY KEY (customer_id, channel, topic);

ALTER TABLE messages ADD COLUMN channel text NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'sms', 'webhook'));
-- The provider's id for the message (Twilio's Message SID): its delivery callbacks name it.
ALTER TABLE messages ADD COLUMN provider_id text;
CREATE UNIQUE INDEX messages_by_provider_id ON messages (provider_id) WHERE provider_id IS NOT NULL;
-- A webhook call's answer: its HTTP status and, when JSON, its body (the next step may use it).
ALTER TABLE messages ADD COLUMN response_status integer;
ALTER TABLE messages ADD COLUMN response jsonb;
-- The per-channel frequency cap counts a customer's recent marketing sends on one channel.
CREATE INDEX messages_marketing_sent_by_channel ON messages (customer_id, channel, sent_at)
  WHERE status = 'sent' AND NOT transactional;
-- The statistics group by channel.
DROP INDEX messages_by_step;
CREATE INDEX messages_by_step ON messages (journey, step, variant, channel);

-- Text messages carry short links on our own domain (/s/<token>): a signed token would not fit a
-- text, so the destination is kept here and the token is random.
CREATE TABLE short_links (
  token      text PRIMARY KEY,
  message_id bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  url        text NOT NULL
);
CREATE INDEX short_links_by_message ON short_links (message_id);

-- A delivery report from the SMS provider: delivered, or undelivered/failed with the provider's code.
ALTER TABLE message_events DROP CONSTRAINT message_events_type_check;
ALTER TABLE message_events ADD CONSTRAINT message_events_type_check
  CHECK (type IN ('delivered', 'undelivered', 'opened', 'clicked', 'bounced', 'complained', 'unsubscribed'));

-- suppressions.email_hash holds the SHA-256 of any normalised address: an email address, or a
-- phone number in E.164 (a number whose texts failed for good).

-- Inbound texts (STOP, START, HELP) name a number: find its customers without a scan.
CREATE INDEX customers_by_phone ON customers (phone) WHERE phone IS NOT NULL;
