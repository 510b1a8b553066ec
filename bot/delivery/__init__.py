"""What must reach Slack once (the outbox) and what Slack sent us, applied once (the event inbox)."""
