"""Register, sign in, sign out, accept an invitation."""

from __future__ import annotations

import logging
import secrets

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from literacy.people import invitations, throttle
from literacy.people.models import User
from literacy.platform.access import allow, safe_next
from literacy.platform.extensions import db, login_manager
from literacy.web.forms import ActionForm, LoginForm, RegisterForm, SetPasswordForm, role_choices

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)
login_manager.login_view = "auth.login"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The cookie holds "id:token"; a rotated token (logout, password change) no longer loads."""
    user_id, _, token = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not token or not secrets.compare_digest(user.session_token, token):
        return None
    return user


@bp.route("/register", methods=["GET", "POST"])
@allow("public")
def register():
    form = RegisterForm()
    form.role.choices = role_choices(current_app.extensions["catalogue"])
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if db.session.scalar(select(User.id).where(User.email == email)):
            # Same answer, same cost as a new account: registration must not reveal who has one.
            generate_password_hash(form.password.data, method=current_app.config["PASSWORD_HASH_METHOD"])
            log.info("registration for an existing email: %s", email)
        else:
            user = User(email=email, name=form.name.data.strip(), role=form.role.data, access="learner")
            user.set_password(form.password.data)
            db.session.add(user)
            db.session.commit()
        flash(
            "If this email was new, your account is ready: sign in with the password you just chose. "
            "If it already had an account, sign in with that account's password.",
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@allow("public")
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email, address, config = form.email.data.strip().lower(), request.remote_addr or "unknown", current_app.config
        if throttle.blocked(
            email,
            address,
            account_limit=config["LOGIN_LIMIT_ACCOUNT"],
            address_limit=config["LOGIN_LIMIT_ADDRESS"],
            window_minutes=config["LOGIN_WINDOW_MINUTES"],
        ):
            log.warning("login throttled: email=%s address=%s", email, address)
            form.password.errors.append(
                f"Too many failed sign-ins. Wait {config['LOGIN_WINDOW_MINUTES']} minutes and try again."
            )
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None and user.active and user.check_password(form.password.data):
            throttle.succeeded(email)
            session.clear()  # a fresh session: nothing from before sign-in carries over
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("learn.home"))
        throttle.failed(email, address)
        log.warning("login failed: email=%s address=%s", email, address)  # never the password
        form.password.errors.append("That email and password do not match an account.")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@allow("public")
def logout():
    if ActionForm().validate_on_submit() and current_user.is_authenticated:
        current_user.rotate_sessions()  # cookies copied before sign-out stop working
        db.session.commit()
        logout_user()
        session.clear()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@allow("public")
def accept_invitation(token: str):
    invitation = invitations.find(token)
    if invitation is None:
        return render_template("auth/invite_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = invitations.accept(invitation, form.password.data)
        session.clear()
        login_user(user)
        flash(f"Welcome, {user.name}. Your password is set.", "success")
        return redirect(url_for("learn.home"))
    return render_template("auth/invite.html", form=form, person=db.session.get(User, invitation.user_id))
