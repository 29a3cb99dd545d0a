"""The xAPI outbox table."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from literacy.platform.clock import utcnow
from literacy.platform.extensions import db


class OutboxStatement(db.Model):
    """An xAPI statement, written in the same transaction as its learning event and forwarded to the
    LRS later. The row stays after sending: it is the platform's own record, and what exports and
    replays read. ``status``: pending (waiting or retrying), sent, or rejected (the LRS refused it)."""

    __tablename__ = "xapi_outbox"
    __table_args__ = (
        Index("ix_xapi_outbox_due", "status", "next_attempt_at"),
        Index("ix_xapi_outbox_user", "user_id", "timestamp"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)  # insertion order: ties between equal timestamps keep event order
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)  # stable uuid5 of the event
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    verb: Mapped[str] = mapped_column(String(20))
    activity: Mapped[str] = mapped_column(String(140))  # "lesson:<id>" or "scenario:<id>": the content it is about
    timestamp: Mapped[datetime]  # when the event happened
    payload: Mapped[str] = mapped_column(Text)  # the statement as JSON
    status: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    tries: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]  # back-off: not before this time
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    @property
    def statement(self) -> dict:
        return json.loads(self.payload)
