"""Two application servers and two of each outbox worker on one PostgreSQL (make test-scale)."""
