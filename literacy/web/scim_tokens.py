"""Admins' SCIM page: the organisation's provisioning tokens (prefix, label, created, last used),
a new token shown once with the SCIM base URL an identity provider asks for, and revoking one
behind a confirmation page. Only hashes of tokens are stored (identity/tokens.py)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from literacy.identity import tokens
from literacy.platform.access import allow
from literacy.web.forms import BaseForm
from literacy.web.people_forms import ConfirmForm

bp = Blueprint("scim_tokens", __name__, url_prefix="/admin/scim")


class TokenForm(BaseForm):
    label = StringField(
        "What the token is for",
        validators=[DataRequired(message="Name the token, for example “Entra ID”."), Length(max=200)],
    )


def scim_base_url() -> str:
    """What an identity provider's admin enters as the tenant URL (PUBLIC_URL, as in emails)."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + "/scim/v2"


def _page(form: TokenForm, secret: str | None = None, status: int = 200):
    return render_template(
        "admin/scim.html",
        form=form,
        tokens=tokens.of_organisation(current_user.org_id),
        base_url=scim_base_url(),
        secret=secret,
    ), status


@bp.route("/", methods=["GET", "POST"])
@allow("admin")
def index():
    """The tokens; a POST creates one and shows its secret on this answer only."""
    form = TokenForm()
    if request.method == "GET":
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, status=400)
    _, secret = tokens.create(current_user.org_id, form.label.data, current_user.email)
    return _page(TokenForm(formdata=None), secret=secret)


@bp.route("/<int:token_id>/revoke", methods=["GET", "POST"])
@allow("admin")
def revoke(token_id: int):
    """Confirm, then revoke: the identity provider's next request is refused (401)."""
    token = tokens.org_token(current_user.org_id, token_id) or abort(404)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return redirect(url_for(".revoke", token_id=token.id))
        if tokens.revoke(token):
            flash(f"The token {token.prefix}… ({token.label}) is revoked: it no longer works.", "success")
        return redirect(url_for(".index"))
    return render_template("admin/confirm_revoke_scim.html", token=token, form=form)
