-- Sending: a message interrupted during the SMTP hand-off is sent again (with the Message-ID it
-- first went out with, kept in smtp_message_id from before the hand-off), by a newer attempt of
-- the same activity; claim_attempt says which attempt holds the row.
ALTER TABLE messages ADD COLUMN claim_attempt integer;

-- 'skipped': a marketing message given up because the frequency cap stayed full (after its
-- deferrals, or at once when the journey said to skip).
ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
  CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'suppressed', 'capped', 'skipped', 'holdout'));
