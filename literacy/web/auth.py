"""Register and confirm the address, sign in and out, accept an invitation, reset a forgotten password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from literacy.identity import oidc, sso
from literacy.people import devices, invitations, onboarding, queries, services, sessions
from literacy.platform.access import allow, safe_next
from literacy.web.forms import (
    ActionForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    SetPasswordForm,
    role_choices,
)
from literacy.web.sso_forms import company_form

bp = Blueprint("auth", __name__)


@bp.route("/register", methods=["GET", "POST"])
@allow("public")
def register():
    form = RegisterForm()
    form.role.choices = role_choices(current_app.extensions["catalogue"])
    if form.validate_on_submit():
        fields = (form.email.data, form.name.data, form.role.data, form.password.data)
        registration = onboarding.register(*fields, client_address())
        if registration.answer == "throttled":
            minutes = current_app.config["LOGIN_WINDOW_MINUTES"]
            form.email.errors.append(f"Too many new accounts from this network. Wait {minutes} minutes and try again.")
            return render_template("auth/register.html", form=form), 429
        if registration.answer == "invitation-only":
            form.email.errors.append(
                "Accounts for this email address are by invitation. Ask your enablement manager to invite you, "
                "then open the link in the invitation email."
            )
            return render_template("auth/register.html", form=form)
        return redirect(url_for("auth.check_email", reason="confirm"))
    return render_template("auth/register.html", form=form)


@bp.route("/check-email")
@allow("public")
def check_email():
    reason = "reset" if request.args.get("reason") == "reset" else "confirm"
    return render_template("auth/check_email.html", reason=reason)


@bp.route("/confirm/<token>")
@allow("public")
def verify_address(token: str):
    user = onboarding.confirm_address(token)
    if user is None:
        return render_template("auth/invite_invalid.html", what="confirmation"), 404
    flash(f"Thank you, {user.name}: your address is confirmed. Sign in to start.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@allow("public")
def login():
    form = LoginForm()
    if form.validate_on_submit():
        device = request.cookies.get(devices.COOKIE)
        attempt = services.sign_in(form.email.data, form.password.data, client_address(), device)
        if attempt.wait_seconds:
            form.password.errors.append(f"Too many failed sign-ins. Try again in {waiting_time(attempt.wait_seconds)}.")
            page = render_template("auth/login.html", form=form, company=company_form(formdata=None))
            return page, 429, {"Retry-After": str(attempt.wait_seconds)}
        if attempt.unconfirmed:
            form.email.errors.append(
                "Confirm your address first: open the link in the email we sent when you signed up. "
                "Signing up again with the same address sends a new link (your password stays the one you chose "
                'first; forgotten it? Use "Forgot your password?", which confirms the address too).'
            )
        elif attempt.user is not None and (refusal := sso.password_refusal(attempt.user)):
            form.password.errors.append(refusal)  # the organisation requires single sign-on
        elif attempt.user is not None:
            session.clear()  # a fresh session: nothing from before sign-in carries over
            remember_for = sessions.signing_in(attempt.user)
            login_user(attempt.user, remember=form.remember.data, duration=remember_for)
            response = redirect(safe_next(request.args.get("next")) or start_page(attempt.user))
            if attempt.device_cookie:
                keep_device_cookie(response, attempt.device_cookie)
            return response
        else:
            form.password.errors.append("That email and password do not match an account.")
    return render_template("auth/login.html", form=form, company=company_form(formdata=None))


START_PAGES = {
    "learner": "learn.home",
    "manager": "cohorts.index",
    "leader": "insights.overview",
    "admin": "admin.users",
}


def start_page(user) -> str:
    """Where each person lands after signing in: learners their track, managers their cohorts,
    leaders the insights, admins the People page."""
    return url_for(START_PAGES.get(user.access, "learn.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@allow("public")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        if not onboarding.request_reset(form.email.data, client_address(), refusal=sso.password_refusal):
            minutes = current_app.config["LOGIN_WINDOW_MINUTES"]
            form.email.errors.append(f"Too many requests from this network. Wait {minutes} minutes and try again.")
            return render_template("auth/forgot.html", form=form), 429
        return redirect(url_for("auth.check_email", reason="reset"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@allow("public")
def reset_password(token: str):
    link = invitations.find(token, "reset")
    if link is None:
        return render_template("auth/invite_invalid.html", what="reset"), 404
    person = queries.user(link.user_id)
    refusal = sso.password_refusal(person)
    if refusal:
        return render_template("sso/failed.html", sentence=refusal, title="Use your company account"), 403
    form = SetPasswordForm()
    form.owner = (person.email, person.name)
    if form.validate_on_submit():
        user = invitations.accept(link, form.password.data)  # a new password ends every other session
        invitations.end_links(user, "reset")
        session.clear()
        sessions.signing_in(user)
        login_user(user)
        flash("Your new password is set. You are signed out everywhere else.", "success")
        return redirect(start_page(user))
    return render_template("auth/reset.html", form=form, person=person)


def client_address() -> str:
    """The client's address (behind TRUSTED_PROXIES, the one the proxies report)."""
    return request.remote_addr or "unknown"


def waiting_time(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def keep_device_cookie(response, value: str) -> None:
    config = current_app.config
    response.set_cookie(
        devices.COOKIE,
        value,
        max_age=config["DEVICE_COOKIE_DAYS"] * 86400,
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


@bp.route("/logout", methods=["POST"])
@allow("public")
def logout():
    if ActionForm().validate_on_submit() and current_user.is_authenticated:
        at_provider = provider_sign_out()  # read before the session is cleared
        services.sign_out(current_user)
        logout_user()
        session.clear()
        if at_provider:  # the company sign-in's session ends too (a page that moves on: see sso.start)
            page = render_template("sso/signing_out.html", target=at_provider)
            flash("You are signed out.", "info")  # for the sign-in page the provider sends the person back to
            return page
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


def provider_sign_out() -> str | None:
    """The provider's end-session address, for a person who signed in there and whose provider
    has one (OpenID Connect RP-Initiated Logout); None otherwise."""
    signed_in = session.get(oidc.SESSION_KEY)
    if not signed_in or not signed_in.get("end_session"):
        return None
    after = url_for("auth.login", _external=True)
    return oidc.logout_url(signed_in["end_session"], signed_in["id_token"], signed_in["client_id"], after)


@bp.route("/invite/<token>", methods=["GET", "POST"])
@allow("public")
def accept_invitation(token: str):
    invitation = invitations.find(token)
    if invitation is None:
        return render_template("auth/invite_invalid.html"), 404
    person = queries.user(invitation.user_id)
    refusal = sso.password_refusal(person)
    if refusal:
        return render_template("sso/failed.html", sentence=refusal, title="Use your company account"), 403
    form = SetPasswordForm()
    form.owner = (person.email, person.name)
    if form.validate_on_submit():
        user = invitations.accept(invitation, form.password.data)
        session.clear()
        sessions.signing_in(user)
        login_user(user)
        flash(f"Welcome, {user.name}. Your password is set.", "success")
        return redirect(start_page(user))
    return render_template("auth/invite.html", form=form, person=person)
