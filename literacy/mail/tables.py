"""The mail outbox table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from literacy.platform.clock import utcnow
from literacy.platform.extensions import db


class MailMessage(db.Model):
    """One email, rendered when its event happened and sent later by the mail worker.

    ``status``: pending (waiting or retrying), sent, or failed (given up after ``MAX_TRIES``). A
    message that carries a one-time link (``secret``) has its body erased once it is sent: the
    database keeps that it was sent, not the link. ``dedupe_key`` stops a scheduled message (a
    reminder, a digest) from being queued twice for the same reason."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"), Index("ix_mail_outbox_org", "org_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(30))  # invitation, password-reset, reminder, overdue, digest, ...
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))  # optional messages only
    secret: Mapped[bool] = mapped_column(default=False, server_default=false())
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    tries: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
