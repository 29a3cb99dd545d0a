"""The organisation's people and their accounts: organisations, teams, users, passwords, invitations,
sign-in throttling."""
