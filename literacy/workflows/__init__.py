"""The operating model: the organisation's AI workflows, their owners, decision rights, data,
measurement and failure paths, and whether the people operating them are ready (rules pure)."""
