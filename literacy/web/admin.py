"""Admins manage the people and teams of their organisation."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from ..access import allow
from ..extensions import db
from ..models import Team, User
from .forms import AccessForm, ActionForm, TeamForm, role_choices

bp = Blueprint("admin", __name__, url_prefix="/admin")
log = logging.getLogger(__name__)


def org_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.org_id is None or user.org_id != current_user.org_id:
        abort(404)
    return user


def org_team(team_id: int) -> Team:
    team = db.session.get(Team, team_id)
    if team is None or team.org_id != current_user.org_id:
        abort(404)
    return team


@bp.route("/users")
@allow("admin")
def users():
    people = db.session.scalars(select(User).where(User.org_id == current_user.org_id)
                                .options(selectinload(User.teams)).order_by(User.name)).all()
    teams = db.session.scalars(select(Team).where(Team.org_id == current_user.org_id).order_by(Team.name)).all()
    return render_template("admin/users.html", people=people, teams=teams, form=AccessForm(), action=ActionForm(),
                           roles=current_app.extensions["catalogue"].roles)


@bp.route("/users/<int:user_id>/access", methods=["POST"])
@allow("admin")
def set_access(user_id: int):
    user = org_user(user_id)
    form = AccessForm()
    if form.validate_on_submit():
        if user.id == current_user.id and form.access.data != "admin":
            flash("You cannot remove your own admin access.", "error")
        else:
            user.access = form.access.data
            db.session.commit()
            log.info("access changed: admin=%s user=%s access=%s", current_user.id, user.id, user.access)
            flash(f"{user.name} is now {user.access}.", "success")
    return redirect(url_for(".users"))


@bp.route("/users/<int:user_id>/teams/<int:team_id>", methods=["POST"])
@allow("admin")
def toggle_team(user_id: int, team_id: int):
    user, team = org_user(user_id), org_team(team_id)
    if ActionForm().validate_on_submit():
        if team in user.teams:
            user.teams.remove(team)
        else:
            user.teams.append(team)
        db.session.commit()
    return redirect(url_for(".users"))


@bp.route("/teams", methods=["GET", "POST"])
@allow("admin")
def teams():
    form = TeamForm()
    form.role.choices = [SelectChoice("", "Mixed")] + role_choices(current_app.extensions["catalogue"])
    if form.validate_on_submit():
        name = form.name.data.strip()
        if db.session.scalar(select(Team.id).where(Team.org_id == current_user.org_id, Team.name == name)):
            form.name.errors.append("A team with this name already exists.")
        else:
            db.session.add(Team(org_id=current_user.org_id, name=name, role=form.role.data or None))
            db.session.commit()
            flash(f"Team “{name}” created.", "success")
            return redirect(url_for(".teams"))
    listing = db.session.scalars(select(Team).where(Team.org_id == current_user.org_id)
                                 .options(selectinload(Team.members)).order_by(Team.name)).all()
    return render_template("admin/teams.html", form=form, teams=listing)
