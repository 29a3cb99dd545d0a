"""Who is acting and from where, for the audit log: during a request the signed-in person and the
client's address (set by the web layer), "command line" otherwise. Context variables, so services
can read them without importing Flask. Pure."""

from __future__ import annotations

from contextvars import ContextVar

COMMAND_LINE = "command line"
address: ContextVar[str] = ContextVar("origin_address", default=COMMAND_LINE)
actor: ContextVar[tuple[int, str] | None] = ContextVar("origin_actor", default=None)  # (user id, email)
