-- Opens and clicks no person made (src/tracking/machine-engagement.ts): Apple Mail Privacy
-- Protection's prefetch ('privacy-proxy'), a security gateway following links ('scanner').
-- NULL is a person's. Kept, and counted apart: the statistics' opens and clicks are a person's.
ALTER TABLE message_events ADD COLUMN machine text
  CHECK (machine IS NULL OR type IN ('opened', 'clicked'));
