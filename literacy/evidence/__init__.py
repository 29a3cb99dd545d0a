"""Evidence a compliance officer can file: the audit log (a hash chain), and in time the AI-use
policy, certification cycles and evidence packs."""
