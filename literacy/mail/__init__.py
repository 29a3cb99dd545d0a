"""Email: messages written to an outbox in the same transaction as the event behind them, and sent
by a worker (``flask mail send --watch``) through the SMTP server in the MAIL_* settings."""
