"""Send the mail outbox through the SMTP server, one message at a time, with retries and back-off.

Nothing is lost: a message leaves ``pending`` only when the server has accepted it, or after
``MAX_TRIES`` failures (``failed``, shown to admins). Nothing is sent twice: each message is
marked sent and committed right after the server accepts it, and on PostgreSQL two workers never
take the same message (``FOR UPDATE SKIP LOCKED``). Each message carries a stable Message-ID, so
even a resend after a crash between the two steps is recognisable as the same message."""

from __future__ import annotations

import contextlib
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import or_, select

from literacy.mail.outbox import ERASED
from literacy.mail.tables import MailMessage
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db, mailer
from literacy.platform.retry import backoff

log = logging.getLogger(__name__)
MAX_TRIES = 12  # about six hours of retries with the back-off


@dataclass
class Report:
    sent: int = 0
    failed: int = 0  # given up on
    error: str | None = None  # why sending stopped early (the server is down)


def configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send_due(limit: int = 100, clock: Callable[[], datetime] = utcnow) -> Report:
    """Send pending messages that are due, oldest first, over one connection. Stops at the first
    failure to reach the server (the rest would fail too); that message waits out its back-off.
    Commits after each message. Connects only when something is due."""
    report = Report()
    if not configured():
        return report
    message = _next_due(clock())
    if message is None:
        return report
    connection = mailer.get_connection(fail_silently=False)
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        _give_up_for_now(message, error, report, clock())
        return report
    try:
        while message is not None and report.sent + report.failed < limit:
            try:
                _email(message, connection).send()
            except (smtplib.SMTPException, OSError) as error:
                _give_up_for_now(message, error, report, clock())
                if isinstance(error, (smtplib.SMTPServerDisconnected, OSError)):
                    break  # the connection is gone: try again later
            else:
                _sent(message, clock())
                db.session.commit()
                report.sent += 1
            message = _next_due(clock())
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):  # a server gone after accepting: nothing to undo
            connection.close()
    return report


def _give_up_for_now(message: MailMessage, error: Exception, report: Report, now: datetime) -> None:
    report.error = f"{error.__class__.__name__}: {error}"
    if _failed(message, report.error, now):
        report.failed += 1
    db.session.commit()


def _next_due(now: datetime) -> MailMessage | None:
    query = (
        select(MailMessage)
        .where(
            MailMessage.status == "pending",
            or_(MailMessage.next_attempt_at.is_(None), MailMessage.next_attempt_at <= now),
        )
        .order_by(MailMessage.id)
        .limit(1)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return db.session.scalar(query)


def _email(message: MailMessage, connection) -> EmailMultiAlternatives:
    headers = {"Message-ID": f"<mail-{message.id}@{_domain()}>"}
    if message.unsubscribe_url:  # RFC 2369 and RFC 8058 one-click unsubscribe
        headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text_body,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[message.to_address],
        headers=headers,
        connection=connection,
    )
    email.attach_alternative(message.html_body, "text/html")
    return email


def _domain() -> str:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    return sender.rsplit("@", 1)[-1].strip(">") or "localhost"


def _sent(message: MailMessage, now: datetime) -> None:
    message.status, message.sent_at, message.last_error = "sent", now, None
    if message.secret:
        message.text_body = message.html_body = ERASED
    log.info("mail sent: id=%s kind=%s user=%s", message.id, message.kind, message.user_id)


def _failed(message: MailMessage, error: str, now: datetime) -> bool:
    """Count a failure; True when this was the last try."""
    message.tries += 1
    message.last_error = error[:1000]
    message.next_attempt_at = now + backoff(message.tries)
    if message.tries >= MAX_TRIES:
        message.status = "failed"
        log.error("mail given up: id=%s kind=%s error=%s", message.id, message.kind, error)
        return True
    log.warning("mail not sent, will retry: id=%s tries=%s error=%s", message.id, message.tries, error)
    return False
