"""Single sign-on with OpenID Connect: the company sign-in (by work email or an organisation's own
link), the provider's callback, the role question after a first sign-in, and the admin's page."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from literacy.identity import oidc, sso, sso_rules
from literacy.identity.sso_rules import Refused
from literacy.learning import record
from literacy.people import queries as people_queries
from literacy.people import sessions
from literacy.platform.access import allow, safe_next
from literacy.web import catalogue
from literacy.web.auth import start_page
from literacy.web.forms import ActionForm, LoginForm, role_choices
from literacy.web.sso_forms import RemoveForm, RequireForm, RoleForm, SsoSettingsForm, company_form

bp = Blueprint("sso", __name__)
log = logging.getLogger(__name__)
PENDING = "sso_pending"  # the session's note of a sign-in sent to a provider: organisation, next page, remember me
NEW_ACCOUNT = "sso_new_account"  # a first company sign-in created the account: ask for the role


def callback_uri() -> str:
    """The redirect URI the provider sends people back to: the same for every organisation."""
    return url_for("sso.callback", _external=True)


@bp.route("/sso/start", methods=["POST"])
@allow("public")
def start():
    """The sign-in page's "Sign in with your company account": the address's domain finds the
    organisation. The way on is a page that moves on by itself (a meta refresh, no script): the
    pages' Content-Security-Policy lets forms lead only to this site, so a form cannot redirect
    to the provider."""
    form = company_form()
    if form.validate_on_submit():
        found = sso.organisation_for_email(form.email.data)
        if found is not None:
            organization = found[0]
            session["sso_login_hint"] = form.email.data.strip().lower()
            target = url_for(
                ".org_login",
                slug=organization.slug,
                next=safe_next(request.args.get("next")),
                remember="1" if form.remember.data else None,
            )
            return render_template("sso/continue.html", target=target, organization=organization)
        domain = form.email.data.strip().lower().rpartition("@")[2]
        form.email.errors.append(
            f"No organisation here signs in people at {domain} with a company account. "
            "Sign in with your password, or ask your admin."
        )
    return render_template("auth/login.html", form=LoginForm(formdata=None), company=form)


@bp.route("/sso/<slug>/login")
@allow("public")
def org_login(slug: str):
    """An organisation's own sign-in link: straight to its provider (PKCE S256, state and nonce)."""
    found = sso.organisation_by_slug(slug) or abort(404)
    organization, config = found
    session[PENDING] = {
        "org": organization.id,
        "next": safe_next(request.args.get("next")),
        "remember": request.args.get("remember") == "1",
    }
    hint = session.pop("sso_login_hint", None)
    try:
        return oidc.begin(sso.provider(config), callback_uri(), **({"login_hint": hint} if hint else {}))
    except oidc.Failed as failure:
        return failed(failure, organization.id)


@bp.route("/sso/callback")
@allow("public")
def callback():
    pending = session.get(PENDING) or {}
    found = sso.organisation_by_id(pending.get("org"))
    if found is None:
        return failed(oidc.Failed(oidc.TRY_AGAIN, "callback with no sign-in pending in this session"), None)
    organization, config = found
    try:
        verified = oidc.finish(sso.provider(config))
        signed = sso.sign_in(organization, config, verified.claims, list(catalogue().roles))
    except oidc.Failed as failure:
        return failed(failure, organization.id)
    except Refused as refusal:
        return failed(oidc.Failed(str(refusal), "refused by the sign-in rules", 403), organization.id)
    log.info("sso sign-in: org=%s user=%s created=%s", organization.id, signed.user.id, signed.created)
    return _signed_in(signed, verified, config.client_id, pending)


def _signed_in(signed: sso.SignedIn, verified: oidc.Verified, client_id: str, pending: dict):
    """Start the session through the same machinery as a password sign-in (people/sessions.py):
    a fresh session, the sign-in time in the login id, the idle and absolute limits, remember me."""
    session.clear()  # nothing from before sign-in carries over
    remember_for = sessions.signing_in(signed.user)
    login_user(signed.user, remember=bool(pending.get("remember")), duration=remember_for)
    session[oidc.SESSION_KEY] = {
        "end_session": verified.end_session_endpoint,
        "id_token": verified.id_token,
        "client_id": client_id,
    }
    if signed.created:
        session[NEW_ACCOUNT] = True
        return redirect(url_for(".welcome", next=pending.get("next")))
    return redirect(pending.get("next") or start_page(signed.user))


def failed(failure: oidc.Failed, org_id: int | None):
    """A friendly page with the sentence; the reason goes to the log."""
    log.warning("sso sign-in failed: org=%s status=%s reason=%s", org_id, failure.status, failure.reason)
    session.pop(PENDING, None)
    return render_template("sso/failed.html", sentence=failure.sentence), failure.status


@bp.route("/sso/welcome", methods=["GET", "POST"])
@allow("user")
def welcome():
    """After a first company sign-in: the one question the provider cannot answer, the person's
    marketing role (their track follows from it). The organisation's most common role is offered."""
    if not session.get(NEW_ACCOUNT):
        return redirect(start_page(current_user))
    form = RoleForm(role=current_user.role)
    form.role.choices = role_choices(catalogue())
    if form.validate_on_submit():
        if form.role.data != current_user.role:
            record.role_changed(catalogue(), current_user, form.role.data)
        session.pop(NEW_ACCOUNT, None)
        flash(f"Welcome, {current_user.name}. Your track follows your role; Settings changes it.", "success")
        return redirect(safe_next(request.args.get("next")) or start_page(current_user))
    return render_template("sso/welcome.html", form=form)


# The admin's page


@bp.route("/admin/sso", methods=["GET", "POST"])
@allow("admin")
def settings():
    organization = current_user.organization
    config = sso.config_for(organization.id)
    form = SsoSettingsForm(**_defaults(config))
    problem = None
    if form.validate_on_submit():
        turning_on = form.required.data and not (config and config.required)
        secret = sso.Secret(form.client_secret.data or "", form.client_secret_env.data or "")
        try:
            config = sso.save(
                organization,
                form.issuer.data,
                form.client_id.data,
                secret,
                form.domains.data,
                required=None if turning_on else form.required.data,
            )
        except Refused as refusal:
            problem = str(refusal)
        else:
            if turning_on:  # saved without it: requiring single sign-on is confirmed on its own page
                return _confirm_require(saved=True)
            flash("Single sign-on is saved. Test the connection to check it.", "success")
            return redirect(url_for(".settings"))
    return render_template(
        "sso/settings.html",
        form=form,
        config=config,
        problem=problem,
        secret_state=sso.secret_state(config) if config else None,
        redirect_uri=callback_uri(),
        org_link=url_for(".org_login", slug=organization.slug, _external=True),
        env_name=sso_rules.secret_env_name(organization.slug),
    ), (400 if problem else 200)  # a refusal saves nothing


def _defaults(config) -> dict:
    if config is None:
        return {}
    return {
        "issuer": config.issuer,
        "client_id": config.client_id,
        "client_secret_env": config.client_secret_env,
        "domains": ", ".join(config.domains.split(",")),
        "required": config.required,
    }


def _confirm_require(saved: bool = False):
    form = RequireForm(formdata=None, required="on", confirm="yes")
    return render_template("sso/confirm.html", form=form, what="require", saved=saved)


@bp.route("/admin/sso/test", methods=["POST"])
@allow("admin")
def test():
    """Fetch the discovery document and signing keys now, and say in a sentence what is wrong."""
    config = sso.config_for(current_user.org_id)
    if ActionForm().validate_on_submit():
        if config is None:
            flash("Save the provider's settings first, then test the connection.", "error")
        else:
            diagnosis = sso.test_connection(config)
            flash(diagnosis.sentence, "success" if diagnosis.ok else "error")
    return redirect(url_for(".settings"))


@bp.route("/admin/sso/require", methods=["POST"])
@allow("admin")
def require():
    """Require single sign-on (after a confirmation that says what stops), or stop requiring it."""
    form = RequireForm()
    if form.validate_on_submit():
        turn_on = form.required.data == "on"
        if turn_on and form.confirm.data != "yes":
            return _confirm_require()
        if sso.set_required(current_user.organization, turn_on):
            flash(
                "Single sign-on is now required: members sign in with their company account; admins keep their "
                "password."
                if turn_on
                else "Single sign-on is no longer required: members may sign in with a password again.",
                "success",
            )
    return redirect(url_for(".settings"))


@bp.route("/admin/sso/remove", methods=["POST"])
@allow("admin")
def remove():
    form = RemoveForm()
    if form.validate_on_submit() and sso.config_for(current_user.org_id) is not None:
        if form.confirm.data != "yes":
            return render_template("sso/confirm.html", form=RemoveForm(formdata=None, confirm="yes"), what="remove")
        sso.remove(current_user.organization)
        flash("Single sign-on is removed: members sign in with passwords (or reset one) again.", "success")
    return redirect(url_for(".settings"))


@bp.route("/admin/users/<int:user_id>/sso/unlink", methods=["GET", "POST"])
@allow("admin")
def unlink(user_id: int):
    """Unlinking asks first: the person's next company sign-in then links their account afresh."""
    person = people_queries.org_user(current_user.org_id, user_id) or abort(404)
    form = RemoveForm()
    if request.method == "POST" and form.validate_on_submit():
        removed = sso.unlink(person)
        flash(
            f"{person.name}'s company sign-in is unlinked ({removed} identity removed)."
            if removed
            else f"{person.name} had no company sign-in linked.",
            "success",
        )
        return redirect(url_for("admin.person", user_id=person.id))
    return render_template("sso/confirm_unlink.html", person=person, form=form, links=sso.linked_identities(person))
