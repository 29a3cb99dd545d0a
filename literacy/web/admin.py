"""Admins manage the people and teams of their organisation, and watch its xAPI outbox."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from literacy.insights import items as item_stats
from literacy.insights import rollups
from literacy.insights.rollups import Scope
from literacy.people import queries, services
from literacy.people.tables import Team, User
from literacy.platform.access import allow
from literacy.web.exports import csv_response, json_response
from literacy.web.forms import AccessForm, ActionForm, ReplayForm, TeamForm, role_choices
from literacy.xapi import forward, outbox

bp = Blueprint("admin", __name__, url_prefix="/admin")
log = logging.getLogger(__name__)


def org_user(user_id: int) -> User:
    return queries.org_user(current_user.org_id, user_id) or abort(404)


def org_team(team_id: int) -> Team:
    return queries.org_team(current_user.org_id, team_id) or abort(404)


@bp.route("/users")
@allow("admin")
def users():
    people, teams = queries.people(current_user.org_id), queries.teams(current_user.org_id)
    return render_template(
        "admin/users.html",
        people=people,
        teams=teams,
        form=AccessForm(),
        action=ActionForm(),
        roles=current_app.extensions["catalogue"].roles,
    )


@bp.route("/users/<int:user_id>/access", methods=["POST"])
@allow("admin")
def set_access(user_id: int):
    user = org_user(user_id)
    form = AccessForm()
    if form.validate_on_submit():
        if services.set_access(current_user, user, form.access.data):
            flash(f"{user.name} is now {user.access}.", "success")
        else:
            flash("You cannot remove your own admin access.", "error")
    return redirect(url_for(".users"))


@bp.route("/users/<int:user_id>/teams/<int:team_id>", methods=["POST"])
@allow("admin")
def toggle_team(user_id: int, team_id: int):
    user, team = org_user(user_id), org_team(team_id)
    if ActionForm().validate_on_submit():
        services.toggle_team(user, team)
    return redirect(url_for(".users"))


@bp.route("/teams", methods=["GET", "POST"])
@allow("admin")
def teams():
    form = TeamForm()
    form.role.choices = [SelectChoice("", "Mixed"), *role_choices(current_app.extensions["catalogue"])]
    if form.validate_on_submit():
        name = form.name.data.strip()
        if queries.team_name_taken(current_user.org_id, name):
            form.name.errors.append("A team with this name already exists.")
        else:
            services.create_team(current_user.org_id, name, form.role.data)
            flash(f"Team “{name}” created.", "success")
            return redirect(url_for(".teams"))
    return render_template("admin/teams.html", form=form, teams=queries.teams(current_user.org_id, with_members=True))


@bp.route("/users/<int:user_id>/statements.json")
@allow("admin")
def user_statements(user_id: int):
    """Every xAPI statement of one learner, as a file an LRS can import."""
    user = org_user(user_id)
    return json_response(f"statements-user-{user.id}.json", outbox.statements([user.id]))


@bp.route("/xapi")
@allow("admin")
def xapi():
    return render_template(
        "admin/xapi.html",
        state=outbox.summary(current_user.org_id),
        endpoint=forward.Endpoint.from_config(current_app.config),
        action=ActionForm(),
        replay=ReplayForm(),
    )


@bp.route("/xapi/send", methods=["POST"])
@allow("admin")
def xapi_send():
    """Send the organisation's pending statements now, without waiting for their back-off."""
    endpoint = forward.Endpoint.from_config(current_app.config)
    if not ActionForm().validate_on_submit():
        flash("The form had expired. Please press the button again.", "error")
    elif endpoint is None:
        flash("No LRS is configured (XAPI_ENDPOINT), so statements are kept here.", "error")
    else:
        report = forward.send_due(
            endpoint,
            current_app.config["XAPI_BATCH_SIZE"],
            org_id=current_user.org_id,
            ignore_backoff=True,
            max_batches=20,
        )
        log.info(
            "xapi send by admin=%s: sent=%s rejected=%s error=%s",
            current_user.id,
            report.sent,
            report.rejected,
            report.error,
        )
        message = f"Sent {report.sent} statement(s); {report.rejected} rejected by the LRS."
        flash(
            message + (f" Stopped: {report.error}. The rest wait and are retried." if report.error else ""),
            "error" if report.error or report.rejected else "success",
        )
    return redirect(url_for(".xapi"))


@bp.route("/xapi/replay", methods=["POST"])
@allow("admin")
def xapi_replay():
    form = ReplayForm()
    if form.validate_on_submit():
        count = outbox.requeue("rejected" if form.scope.data == "rejected" else None, current_user.org_id)
        log.info("xapi replay by admin=%s: scope=%s count=%s", current_user.id, form.scope.data, count)
        flash(f"{count} statement(s) queued to be sent again.", "success")
    else:
        flash("Choose which statements to queue again.", "error")
    return redirect(url_for(".xapi"))


def _item_report():
    catalogue = current_app.extensions["catalogue"]
    return rollups.item_report(Scope(current_user.org_id), catalogue, current_app.config["INSIGHTS_MIN_LEARNERS"])


@bp.route("/items")
@allow("admin")
def items():
    """Item analysis for authors: how each choice and check option performs in this organisation."""
    return render_template(
        "admin/items.html",
        report=_item_report(),
        catalogue=current_app.extensions["catalogue"],
        floor=current_app.config["INSIGHTS_MIN_LEARNERS"],
    )


@bp.route("/items.csv")
@allow("admin")
def items_csv():
    rows = [row for key, stats in _item_report().items() for row in item_stats.csv_rows(key, stats)]
    return csv_response("item-analysis.csv", item_stats.CSV_HEADER, rows)
