"""The organisation's own settings (admins): who may sign up without an invitation."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from literacy.people import onboarding
from literacy.platform.access import allow
from literacy.web.forms import SignupDomainsForm

bp = Blueprint("organisation", __name__)


@bp.route("/admin/organisation", methods=["GET", "POST"])
@allow("admin")
def settings():
    organization = current_user.organization
    form = SignupDomainsForm(domains=", ".join(onboarding.signup_domains(organization)))
    if form.validate_on_submit():
        try:
            domains = onboarding.set_signup_domains(organization, form.domains.data)
        except onboarding.Refused as refusal:
            form.domains.errors.append(str(refusal))
        else:
            flash(
                "Sign-up is now by invitation only."
                if not domains
                else f"People with an address at {', '.join(domains)} may now sign up and join {organization.name}.",
                "success",
            )
            return redirect(url_for("organisation.settings"))
    return render_template("admin/organisation.html", form=form, organization=organization), (
        400 if form.errors else 200
    )
