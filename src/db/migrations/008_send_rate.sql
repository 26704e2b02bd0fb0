-- Provider send-rate limits, shared by every worker: when each provider's next send may start.
CREATE TABLE send_rate (
  provider text PRIMARY KEY,
  next_at  timestamptz NOT NULL
);
