"""xAPI 1.0.3: statements for every learning event, an outbox, and a forwarder to a Learning Record Store."""
