"""Queue an email: render its plain-text and HTML templates now, in the transaction of the event
that causes it, so the message exists exactly when the event does."""

from __future__ import annotations

from flask import current_app, render_template
from sqlalchemy import func, select

from literacy.mail.tables import MailMessage
from literacy.platform.extensions import db
from literacy.platform.paging import Page, page_of

ERASED = "This message held a one-time link. It was sent and then erased here."


def queue(
    kind: str,
    to_address: str,
    subject: str,
    template: str,
    *,
    org_id: int | None,
    user_id: int | None = None,
    secret: bool = False,
    unsubscribe_url: str | None = None,
    dedupe_key: str | None = None,
    **context,
) -> MailMessage | None:
    """Write a message to the outbox from ``templates/mail/<template>.txt`` and ``.html``; None
    (nothing queued) when a message with the same ``dedupe_key`` exists already."""
    if dedupe_key and db.session.scalar(select(MailMessage.id).where(MailMessage.dedupe_key == dedupe_key)):
        return None
    context = {"subject": subject, "unsubscribe_url": unsubscribe_url, **context}
    message = MailMessage(
        org_id=org_id,
        user_id=user_id,
        kind=kind,
        to_address=to_address,
        subject=subject,
        text_body=render_template(f"mail/{template}.txt", **context),
        html_body=render_template(f"mail/{template}.html", **context),
        secret=secret,
        unsubscribe_url=unsubscribe_url,
        dedupe_key=dedupe_key,
    )
    db.session.add(message)
    db.session.flush()
    return message


def link(endpoint: str, **values) -> str:
    """An absolute link for a message: PUBLIC_URL and the endpoint's path. Built without a request,
    so a command (the worker, ``flask org create``) makes the same links as a page does."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def messages(org_id: int, requested_page: int | None, size: int = 50) -> Page[MailMessage]:
    """One page of the organisation's messages, newest first."""
    where = MailMessage.org_id == org_id
    total = db.session.scalar(select(func.count()).select_from(MailMessage).where(where))
    number, pages, offset = page_of(total, requested_page, size)
    rows = db.session.scalars(
        select(MailMessage).where(where).order_by(MailMessage.id.desc()).limit(size).offset(offset)
    ).all()
    return Page(list(rows), number, pages, total)
