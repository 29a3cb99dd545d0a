"""Evidence packs: an admin asks for a person's, a team's or the organisation's evidence as of a date
in CSV, JSON or PDF; the pack is built in the background, its page shows the progress (refreshing
itself, no JavaScript needed) and offers the file when it is ready."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import DateField, EmailField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from literacy.evidence import pack, packs
from literacy.people import queries as people
from literacy.platform.access import allow
from literacy.web.exports import file_response
from literacy.web.forms import BaseForm

bp = Blueprint("evidence", __name__, url_prefix="/admin/evidence")

MIMETYPES = {"csv": "text/csv", "json": "application/json", "pdf": "application/pdf"}


class PackForm(BaseForm):
    scope = RadioField(
        "What the pack covers",
        choices=[
            SelectChoice("organisation", "The whole organisation"),
            SelectChoice("team", "One team"),
            SelectChoice("person", "One person"),
        ],
        default="organisation",
        validators=[InputRequired()],
    )
    team = SelectField("Team (for one team)", coerce=str, validators=[Optional()])
    email = EmailField("Email of the person (for one person)", validators=[Optional()])
    as_of = DateField("Evidence as of the end of", validators=[InputRequired()], default=date.today)
    format = SelectField("Format", choices=[SelectChoice(k, v) for k, v in pack.FORMATS.items()], default="pdf")


def _form() -> PackForm:
    form = PackForm()
    teams = people.teams(current_user.org_id)
    form.team.choices = [SelectChoice("", "Choose a team"), *(SelectChoice(str(t.id), t.name) for t in teams)]
    return form


def _scope(form: PackForm) -> packs.Scope | None:
    """The scope the form asks for, or None with the error on the field that is missing."""
    org_id = current_user.org_id
    if form.scope.data == "team":
        if not form.team.data:
            form.team.errors.append("Choose the team.")
            return None
        return packs.Scope(org_id, "team", team_id=int(form.team.data))
    if form.scope.data == "person":
        if not (form.email.data or "").strip():
            form.email.errors.append("Type the email of the person the pack is for.")
            return None
        person = people.user_by_email((form.email.data or "").strip())
        if person is None or person.org_id != org_id:
            form.email.errors.append("Nobody of your organisation has that email.")
            return None
        return packs.Scope(org_id, "person", user_id=person.id)
    return packs.Scope(org_id, "organisation")


@bp.route("", methods=["GET", "POST"])
@allow("admin")
def index():
    form = _form()
    if form.validate_on_submit():
        scope = _scope(form)
        if scope is not None:
            try:
                row = packs.request(scope, form.as_of.data, form.format.data, date.today())
            except packs.Refused as refused:
                form.as_of.errors.append(str(refused))
            else:
                packs.start_after_commit(current_app._get_current_object(), row.id)
                flash("The pack is being built: this page shows its progress.", "success")
                return redirect(url_for(".show", pack_id=row.id))
    status = 400 if form.errors else 200
    return render_template("evidence/index.html", form=form, packs=packs.requested(current_user.org_id)), status


def _pack_or_404(pack_id: int):
    row = packs.one(current_user.org_id, pack_id)
    if row is None:
        abort(404)
    return row


@bp.route("/<int:pack_id>")
@allow("admin")
def show(pack_id: int):
    return render_template("evidence/show.html", pack=_pack_or_404(pack_id))


@bp.route("/<int:pack_id>/download")
@allow("admin")
def download(pack_id: int):
    row = _pack_or_404(pack_id)
    if row.status != "ready":
        abort(404)
    return file_response(row.filename, row.content, MIMETYPES[row.format])
