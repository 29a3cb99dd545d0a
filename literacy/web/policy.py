"""The AI-use policy: everyone reads and acknowledges the current version at /policy; admins
publish versions and see who has not acknowledged the current one at /admin/policy."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from literacy.content.render import to_html
from literacy.evidence import policy as policies
from literacy.platform.access import allow
from literacy.web.exports import csv_response
from literacy.web.forms import BaseForm

bp = Blueprint("policy", __name__)


class AcknowledgeForm(BaseForm):
    name = StringField("Type your name to sign", validators=[DataRequired(), Length(max=200)])


class PublishForm(BaseForm):
    version = StringField("Version label (for example 2026-12 or v2)", validators=[DataRequired(), Length(max=40)])
    text = TextAreaField("The policy, in Markdown", validators=[DataRequired(), Length(max=50_000)])


@bp.route("/policy", methods=["GET", "POST"])
@allow("user")
def read():
    current = policies.current(current_user.org_id)
    form = AcknowledgeForm(name=current_user.name) if request.method == "GET" else AcknowledgeForm()
    if current is not None and form.validate_on_submit():
        try:
            policies.acknowledge(current_app.extensions["catalogue"], current_user, current, form.name.data)
        except policies.Refused as refused:
            form.name.errors.append(str(refused))
        else:
            flash(f"Thank you: your acknowledgement of version {current.version} is recorded.", "success")
            return redirect(url_for(".read"))
    done = policies.acknowledgement(current_user, current)
    html = to_html(current.text) if current else ""
    status = 400 if form.errors else 200
    return render_template("policy/read.html", policy=current, html=html, done=done, form=form), status


@bp.route("/admin/policy", methods=["GET", "POST"])
@allow("admin")
def manage():
    form = PublishForm()
    if form.validate_on_submit():
        try:
            published = policies.publish(current_user.org_id, form.version.data, form.text.data)
        except policies.Refused as refused:
            form.version.errors.append(str(refused))
        else:
            flash(f"Version {published.version} is published: everyone is asked to acknowledge it.", "success")
            return redirect(url_for(".manage"))
    current = policies.current(current_user.org_id)
    waiting = policies.pending(current_user.org_id, current, request.args.get("page", 1, type=int)) if current else None
    status = 400 if form.errors else 200
    return render_template(
        "policy/manage.html",
        form=form,
        current=current,
        versions=policies.versions(current_user.org_id),
        waiting=waiting,
    ), status


@bp.route("/admin/policy/pending.csv")
@allow("admin")
def pending_csv():
    current = policies.current(current_user.org_id)
    rows = []
    if current is not None:
        waiting = policies.pending(current_user.org_id, current, 1, size=1_000_000)
        rows = [(u.name, u.email, u.role, current.version) for u in waiting.page.items]
    return csv_response("policy-not-acknowledged.csv", ["name", "email", "role", "version"], rows)
