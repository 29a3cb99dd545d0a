"""The organisation's mail for admins, and unsubscribing from optional messages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from literacy.mail import messages, outbox, preferences, sender
from literacy.platform.access import allow
from literacy.web.forms import ActionForm

bp = Blueprint("mail", __name__)


@bp.route("/admin/mail")
@allow("admin")
def outbox_page():
    page = outbox.messages(current_user.org_id, request.args.get("page", type=int))
    return render_template("admin/mail.html", page=page, configured=sender.configured())


@bp.route("/mail/unsubscribe/<token>", methods=["GET", "POST"])
@allow("public")
def unsubscribe(token: str):
    """One click from a message (RFC 8058: the mail client posts "List-Unsubscribe=One-Click" with no
    form token, so this route is exempt from CSRF: the signed token is the proof), or a page with a button."""
    found = messages.read_unsubscribe_token(token)
    if found is None:
        abort(404)
    user_id, topic = found
    if request.method == "POST":
        person = preferences.unsubscribe(user_id, topic)
        if person is None:
            abort(404)
        if request.form.get("List-Unsubscribe") == "One-Click":
            return "", 204
        flash(f"Done: no more emails about {messages.TOPICS[topic]} to {person.email}.", "success")
        return redirect(url_for("learn.home"))
    return render_template("auth/unsubscribe.html", topic=messages.TOPICS[topic], form=ActionForm())
