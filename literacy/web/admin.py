"""Admins manage the people and teams of their organisation, and watch its xAPI outbox."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from literacy.evidence import cycles
from literacy.identity import sso
from literacy.insights import items as item_stats
from literacy.insights import rollups
from literacy.insights.rollups import Scope
from literacy.people import admin as people_admin
from literacy.people import affiliation, directory, queries, services
from literacy.people.tables import Team, User
from literacy.platform.access import allow
from literacy.web import catalogue, links_to_show
from literacy.web.exports import csv_response, json_response
from literacy.web.forms import AccessForm, ActionForm, ReplayForm, RosterForm, TeamForm, role_choices
from literacy.web.people_forms import (
    BulkDeactivateForm,
    BulkForm,
    ConfirmForm,
    ExternalForm,
    FilterForm,
    InviteForm,
    NameForm,
    RenameTeamForm,
    TeamsForm,
)
from literacy.xapi import forward, outbox

bp = Blueprint("admin", __name__, url_prefix="/admin")
log = logging.getLogger(__name__)


def org_user(user_id: int) -> User:
    return queries.org_user(current_user.org_id, user_id) or abort(404)


def org_team(team_id: int) -> Team:
    return queries.org_team(current_user.org_id, team_id) or abort(404)


# People: the directory (search, filters, pages of 50), bulk actions, a person's page, invitations.


def _team_choices(blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank), *(SelectChoice(str(t.id), t.name) for t in queries.teams(current_user.org_id))]


FILTERS = ("q", "access", "team", "status", "affiliation")  # the People page's filter fields


def _filter_form(values) -> tuple[FilterForm, directory.Filters, int | None, dict]:
    """Parse the People page's filters from ``values`` (the query string, or a bulk form's hidden
    fields). A bad value is reported on its field and ignored; the others still apply."""
    form = FilterForm(values)
    form.team.choices = _team_choices("Any")
    form.validate()
    good = {name: form[name].data for name in FILTERS if not form[name].errors}
    good = {name: value.strip() if isinstance(value, str) else value for name, value in good.items()}
    filters = directory.Filters(
        q=good.get("q") or "",
        access=good.get("access") or "",
        team=int(good["team"]) if good.get("team") else None,
        status=good.get("status") or "",
        affiliation=good.get("affiliation") or "",
    )
    kept = {name: value for name, value in good.items() if value}
    page = form.page.data if not form.page.errors else None
    return form, filters, page, kept


def _people_page(values, bulk: BulkForm | None = None, status: int = 200):
    form, filters, page_number, kept = _filter_form(values)
    page = directory.search(current_user.org_id, filters, page_number)
    if bulk is None:
        bulk = BulkForm(formdata=None)
        bulk.to_team.choices = _team_choices("Choose a team")
    first = (page.number - 1) * directory.PAGE_SIZE + 1 if page.total else 0
    return render_template(
        "admin/users.html",
        form=form,
        page=page,
        first=first,
        last=first + len(page.items) - 1 if page.items else 0,
        kept=kept,
        bulk=bulk,
        selected=set(bulk.user.data or ()),
        roles=catalogue().roles,
        statuses=directory.STATUSES,
    ), status


@bp.route("/users")
@allow("admin")
def users():
    return _people_page(request.args)


def _names(people: list[User], limit: int = 5) -> str:
    """ "Ann, Bo and 3 more": who an action changed, for its message."""
    names = [p.name for p in people[:limit]]
    more = len(people) - len(names)
    if more:
        return f"{', '.join(names)} and {more} more"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@bp.route("/users/bulk", methods=["POST"])
@allow("admin")
def bulk():
    """Add the selected people to a team, take them out of one, or ask to deactivate them."""
    form = BulkForm()
    form.to_team.choices = _team_choices("Choose a team")
    _, _, page, kept = _filter_form(request.form)
    back = url_for(".users", **kept, **({"page": page} if page and page > 1 else {}))
    if not form.validate_on_submit():
        return _people_page(request.form, bulk=form, status=400)
    people = directory.org_people(current_user.org_id, form.user.data) or abort(404)
    if form.action.data == "deactivate":
        return redirect(url_for(".bulk_deactivate", user=[p.id for p in people], **kept))
    if not form.to_team.data:
        form.to_team.errors.append("Choose the team to add them to or remove them from.")
        return _people_page(request.form, bulk=form, status=400)
    team = org_team(int(form.to_team.data))
    if form.action.data == "add":
        count = people_admin.add_to_team(people, team)
        flash(f"Added {count} of {len(people)} selected to “{team.name}”: {_names(people)}.", "success")
    else:
        count = people_admin.remove_from_team(people, team)
        flash(f"Removed {count} of {len(people)} selected from “{team.name}”: {_names(people)}.", "success")
    return redirect(back)


@bp.route("/users/deactivate", methods=["GET", "POST"])
@allow("admin")
def bulk_deactivate():
    """Confirm, then deactivate a selection of people (never the admin themself)."""
    values = request.form if request.method == "POST" else request.args
    ids = [i for i in values.getlist("user", type=int) if 0 <= i <= 2**31 - 1]
    kept = _filter_form(values)[3]
    people = (directory.org_people(current_user.org_id, ids) or abort(404)) if ids else []
    others = [p for p in people if p.id != current_user.id]
    if not others:
        flash("Select someone to deactivate other than yourself: you cannot deactivate your own account.", "error")
        return redirect(url_for(".users", **kept))
    form = BulkDeactivateForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return redirect(url_for(".bulk_deactivate", user=ids, **kept))
        changed = people_admin.deactivate(current_user, others)
        if changed:
            flash(f"Deactivated {len(changed)} {_people(len(changed))}: {_names(changed)}.", "success")
        else:
            flash("Nobody was deactivated: everyone selected already was.", "info")
        return redirect(url_for(".users", **kept))
    return render_template(
        "admin/confirm_deactivate.html",
        form=form,
        people=others,
        shown=others[:10],
        left_out_self=len(others) < len(people),
        kept=kept,
    )


def _people(count: int) -> str:
    return "person" if count == 1 else "people"


def _person_page(user: User, status: int = 200, **forms):
    name = forms.get("name") or NameForm(formdata=None, name=user.name)
    teams = forms.get("teams") or TeamsForm(formdata=None, teams=[t.id for t in user.teams])
    teams.teams.choices = [SelectChoice(t.id, t.name) for t in queries.teams(current_user.org_id)]
    access = AccessForm(formdata=None, access=user.access)
    links = sso.linked_identities(user)
    external = forms.get("external") or ExternalForm(
        formdata=None, external=affiliation.kind(user.external), agency=user.agency
    )
    return render_template(
        "admin/person.html",
        person=user,
        status=directory.status_of(user.active, bool(user.password_hash) or bool(links)),
        statuses=directory.STATUSES,
        name_form=name,
        teams_form=teams,
        access_form=access,
        external_form=external,
        action=ActionForm(),
        link=forms.get("link"),
        roles=catalogue().roles,
        standing=cycles.standings([user])[user.id],
        sso_links=links,
    ), status


@bp.route("/users/<int:user_id>")
@allow("admin")
def person(user_id: int):
    return _person_page(org_user(user_id))


@bp.route("/users/<int:user_id>/name", methods=["POST"])
@allow("admin")
def rename(user_id: int):
    user = org_user(user_id)
    form = NameForm()
    if not form.validate_on_submit():
        return _person_page(user, 400, name=form)
    old = user.name
    people_admin.rename(current_user, user, form.name.data)
    flash(f"{old} is now called {user.name}.", "success")
    return redirect(url_for(".person", user_id=user.id))


@bp.route("/users/<int:user_id>/access", methods=["POST"])
@allow("admin")
def set_access(user_id: int):
    """Change someone's access; making someone an admin asks for confirmation first."""
    user = org_user(user_id)
    form = AccessForm()
    if form.validate_on_submit():
        if form.access.data == "admin" and user.access != "admin" and request.form.get("confirm") != "yes":
            return redirect(url_for(".promote", user_id=user.id))
        if services.set_access(current_user, user, form.access.data):
            flash(f"{user.name} is now {user.access}.", "success")
        else:
            flash("You cannot remove your own admin access.", "error")
    else:
        flash("Choose an access level from the list.", "error")
    return redirect(url_for(".person", user_id=user.id))


@bp.route("/users/<int:user_id>/external", methods=["POST"])
@allow("admin")
def set_external(user_id: int):
    """Make someone staff, or external with the firm they come from; the change is audited."""
    user = org_user(user_id)
    form = ExternalForm()
    if not form.validate_on_submit():
        return _person_page(user, 400, external=form)
    if people_admin.set_external(current_user, user, form.is_external, form.firm):
        flash(f"{user.name} is now {_staff_or_external(user)}.", "success")
    else:
        flash(f"Nothing changed: {user.name} already was {_staff_or_external(user)}.", "info")
    return redirect(url_for(".person", user_id=user.id))


def _staff_or_external(user: User) -> str:
    return f"external, from {user.agency}" if user.external else "staff"


@bp.route("/users/<int:user_id>/promote")
@allow("admin")
def promote(user_id: int):
    """Confirm making someone an admin: the form posts to ``set_access`` with the confirmation."""
    user = org_user(user_id)
    return render_template("admin/confirm_promote.html", person=user, form=AccessForm(formdata=None, access="admin"))


@bp.route("/users/<int:user_id>/teams", methods=["POST"])
@allow("admin")
def set_teams(user_id: int):
    user = org_user(user_id)
    form = TeamsForm()
    teams = queries.teams(current_user.org_id)
    form.teams.choices = [SelectChoice(t.id, t.name) for t in teams]
    if not form.validate_on_submit():
        return _person_page(user, 400, teams=form)
    people_admin.set_teams(user, [t for t in teams if t.id in set(form.teams.data or ())])
    names = ", ".join(t.name for t in user.teams) or "no team"
    flash(f"{user.name}'s teams: {names}.", "success")
    return redirect(url_for(".person", user_id=user.id))


@bp.route("/users/<int:user_id>/teams/<int:team_id>", methods=["POST"])
@allow("admin")
def toggle_team(user_id: int, team_id: int):
    user, team = org_user(user_id), org_team(team_id)
    if ActionForm().validate_on_submit():
        services.toggle_team(user, team)
    return redirect(url_for(".person", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@allow("admin")
def deactivate(user_id: int):
    """Confirm, then deactivate one person: their sessions end at once."""
    user = org_user(user_id)
    if user.id == current_user.id:
        flash("You cannot deactivate your own account.", "error")
        return redirect(url_for(".person", user_id=user.id))
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return redirect(url_for(".deactivate", user_id=user.id))
        if people_admin.deactivate(current_user, [user]):
            flash(f"{user.name} is deactivated and signed out everywhere.", "success")
        return redirect(url_for(".person", user_id=user.id))
    return render_template("admin/confirm_deactivate.html", form=form, people=[user], shown=[user], kept={}, one=True)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@allow("admin")
def reactivate(user_id: int):
    user = org_user(user_id)
    if ActionForm().validate_on_submit() and people_admin.reactivate(current_user, user):
        flash(f"{user.name} is active again and can sign in.", "success")
    return redirect(url_for(".person", user_id=user.id))


@bp.route("/users/<int:user_id>/invitation", methods=["POST"])
@allow("admin")
def reissue(user_id: int):
    """A new invitation link for someone who has not set a password yet; the old link stops working."""
    user = org_user(user_id)
    if not ActionForm().validate_on_submit():
        flash("The form had expired. Please press the button again.", "error")
    elif user.password_hash:
        flash(f"{user.name} has already set a password: there is nothing to invite them to.", "error")
    elif not user.active:
        flash(f"{user.name} is deactivated: reactivate them first.", "error")
    else:
        link = people_admin.invite(user, current_user)
        flash(
            f"New invitation for {user.name}; their earlier link no longer works. " + _how_invited(user.email),
            "success",
        )
        return _person_page(user, link=(links_to_show([link]) or [None])[0])
    return redirect(url_for(".person", user_id=user.id))


def _invite_page(form: InviteForm | None = None, upload: RosterForm | None = None, status: int = 200, **shown):
    if form is None:
        form = InviteForm(formdata=None)
    form.role.choices = [SelectChoice("", "Choose a role"), *role_choices(catalogue())]
    form.team.choices = _team_choices("No team")
    return render_template(
        "admin/invite.html",
        form=form,
        upload=upload or RosterForm(formdata=None),
        roles=catalogue().roles,
        links=shown.get("links", []),
        existing=shown.get("existing", []),
        errors=shown.get("errors", []),
    ), status


@bp.route("/users/invite", methods=["GET", "POST"])
@allow("admin")
def invite():
    """Invite one person into the organisation: the link is shown once, on the answer to this form."""
    form = InviteForm()
    if request.method == "GET" or not _invite_form_valid(form):
        return _invite_page(form if request.method == "POST" else None, status=400 if request.method == "POST" else 200)
    team = org_team(int(form.team.data)) if form.team.data else None
    result = people_admin.invite_person(
        current_user.org_id,
        form.email.data,
        form.name.data,
        form.role.data,
        team,
        form.access.data,
        external=form.is_external,
        agency=form.firm,
    )
    if result.problem:
        form.email.errors.append(result.problem)
        return _invite_page(form, status=400)
    if result.existing:
        return _invite_page(InviteForm(formdata=None), existing=[result.existing])
    flash(f"{result.user.name} was invited. " + _how_invited(result.user.email), "success")
    return _invite_page(links=links_to_show([(result.user, result.link)]))


def _how_invited(email: str) -> str:
    if links_to_show([email]):
        return "No mail server is set: send them the link below."
    return f"The invitation email is on its way to {email}."


def _invite_form_valid(form: InviteForm) -> bool:
    form.role.choices = [SelectChoice("", "Choose a role"), *role_choices(catalogue())]
    form.team.choices = _team_choices("No team")
    return form.validate_on_submit()


@bp.route("/users/import", methods=["POST"])
@allow("admin")
def import_people():
    """Invite everyone new in a roster CSV; all or nothing."""
    upload = RosterForm()
    if not upload.validate_on_submit():
        return _invite_page(upload=upload, status=400)
    file = upload.file.data
    result = people_admin.import_people(current_user.org_id, file.read(), file.filename or "", set(catalogue().roles))
    if result.errors:
        return _invite_page(upload=upload, errors=result.errors, status=400)
    flash(f"Imported: {len(result.invited)} invited, {len(result.existing)} already here (unchanged).", "success")
    return _invite_page(links=links_to_show(result.invited), existing=result.existing)


# Teams: create, rename, delete.


@bp.route("/teams", methods=["GET", "POST"])
@allow("admin")
def teams():
    form = TeamForm()
    form.role.choices = [SelectChoice("", "Mixed"), *role_choices(catalogue())]
    if form.validate_on_submit():
        name = form.name.data.strip()
        if directory.team_name_taken(current_user.org_id, name):
            form.name.errors.append("A team with this name already exists.")
        else:
            services.create_team(current_user.org_id, name, form.role.data)
            flash(f"Team “{name}” created.", "success")
            return redirect(url_for(".teams"))
    return render_template("admin/teams.html", form=form, teams=queries.teams(current_user.org_id, with_members=True))


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@allow("admin")
def team(team_id: int):
    """A team's page: rename it (names are unique in the organisation), or go on to delete it."""
    team = org_team(team_id)
    form = RenameTeamForm(formdata=None, name=team.name) if request.method == "GET" else RenameTeamForm()
    status = 200
    if request.method == "POST":
        valid = form.validate_on_submit()
        if valid and directory.team_name_taken(current_user.org_id, form.name.data, team.id):
            form.name.errors.append("Another team already has this name: choose a different one.")
        elif valid:
            old = team.name
            people_admin.rename_team(team, form.name.data)
            flash(f"Team “{old}” renamed to “{team.name}”.", "success")
            return redirect(url_for(".teams"))
        status = 400
    return render_template(
        "admin/team.html", team=team, form=form, members=directory.member_count(team), action=ActionForm()
    ), status


@bp.route("/teams/<int:team_id>/delete", methods=["GET", "POST"])
@allow("admin")
def delete_team(team_id: int):
    """Delete a team; one with members asks first, naming how many. Its people stay."""
    team = org_team(team_id)
    members = directory.member_count(team)
    form = ConfirmForm()
    if request.method == "POST":
        confirmed = form.validate_on_submit()
        if members and not confirmed:
            return redirect(url_for(".delete_team", team_id=team.id))
        if confirmed or ActionForm().validate_on_submit():
            name = team.name
            people_admin.delete_team(team)
            flash(f"Team “{name}” deleted; its {members} {_people(members)} stay in the organisation.", "success")
            return redirect(url_for(".teams"))
        flash("The form had expired. Please press the button again.", "error")
        return redirect(url_for(".team", team_id=team.id))
    return render_template("admin/confirm_delete_team.html", team=team, members=members, form=form)


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
