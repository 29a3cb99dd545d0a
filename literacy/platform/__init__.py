"""What every feature stands on: settings, extensions, database, clock, access rules, error pages,
security headers, logging, transactions and CSV safety."""
