"""Enablement managers run cohorts: create, roster, dashboard, drill-down, patterns, follow-up, export,
item due dates, archive and restore. An archived cohort stays readable; every change to it is refused
with a message until it is restored."""

from __future__ import annotations

import logging
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import DateField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from literacy.cohorts import dashboard, queries, services
from literacy.cohorts.assignments import describe, work_for
from literacy.cohorts.status import DONE, IN_PROGRESS, NOT_STARTED, follow_up
from literacy.cohorts.tables import REQUIREMENTS, Cohort
from literacy.evidence import queries as evidence_queries
from literacy.insights.metrics import percent
from literacy.learning import queries as learning_queries
from literacy.people import invitations
from literacy.people import queries as people_queries
from literacy.platform.access import allow
from literacy.platform.paging import paginate
from literacy.platform.text import plain
from literacy.web import catalogue, links_to_show
from literacy.web.exports import csv_response, json_response
from literacy.web.forms import ActionForm, AddLearnerForm, BaseForm, CohortForm, RosterForm, role_choices
from literacy.xapi import outbox

bp = Blueprint("cohorts", __name__, url_prefix="/cohorts")
log = logging.getLogger(__name__)
STATUSES = {NOT_STARTED: "Not started", IN_PROGRESS: "In progress", DONE: "Done"}


def managed(cohort_id: int) -> Cohort:
    """A cohort the signed-in manager runs; anything else is a 404 that reveals nothing."""
    cohort = queries.cohort(cohort_id)
    if not queries.can_manage(current_user, cohort):
        log.warning("denied cohort access: user=%s cohort=%s", current_user.id, cohort_id)
        abort(404)
    return cohort


def today() -> date:
    return date.today()


@bp.route("/")
@allow("manager")
def index():
    archived = request.args.get("view") == "archived"
    cohorts = queries.managed_by(current_user, archived=archived)
    items = [(c, dashboard.build(c, catalogue(), today()).summary) for c in cohorts]
    return render_template(
        "cohorts/index.html",
        items=items,
        today=today(),
        archived=archived,
        archived_count=len(cohorts) if archived else queries.archived_count(current_user),
    )


def _form(cohort: Cohort | None = None) -> CohortForm:
    form = CohortForm(obj=cohort)
    cat = catalogue()
    form.requirement.choices = [SelectChoice(k, v) for k, v in REQUIREMENTS.items()]
    options = [("track:", describe(cat, "track", ""))] + [
        (f"track:{role}", describe(cat, "track", role)) for role in cat.roles
    ]
    options += [(f"course:{role}", describe(cat, "course", role)) for role in cat.courses]
    options += [(f"scenario:{s.id}", f"Scenario ({cat.roles[s.role].name}): {s.title}") for s in cat.scenarios.values()]
    form.assignments.choices = [SelectChoice(v, label) for v, label in options]
    people = people_queries.people_with_access(current_user.org_id, ("manager", "admin"))
    form.managers.choices = [SelectChoice(str(u.id), f"{u.name} ({u.email})") for u in people]
    if request.method == "GET":
        form.assignments.data = [f"{a.kind}:{a.ref}" for a in cohort.assignments] if cohort else ["track:"]
        form.managers.data = [str(m.id) for m in cohort.managers] if cohort else [str(current_user.id)]
    return form


def _details(form: CohortForm) -> services.CohortDetails:
    return services.CohortDetails(
        name=form.name.data,
        description=form.description.data or "",
        starts_on=form.starts_on.data,
        due_on=form.due_on.data,
        requirement=form.requirement.data,
        stall_days=form.stall_days.data,
        assignments=[tuple(v.split(":", 1)) for v in form.assignments.data],  # validated against the choices
        manager_ids={int(i) for i in form.managers.data},
    )


@bp.route("/new", methods=["GET", "POST"])
@allow("manager")
def create():
    if current_user.org_id is None:
        abort(403)
    form = _form()
    if form.validate_on_submit():
        try:
            cohort = services.create(current_user, _details(form))
        except services.NameTaken as taken:
            return _name_taken(form, None, str(taken))
        flash(f"Cohort “{cohort.name}” created. Now add learners.", "success")
        return redirect(url_for(".roster", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=None)


def _name_taken(form: CohortForm, cohort: Cohort | None, name: str):
    form.name.errors.append(
        f"A cohort named “{name}” already exists in your organisation (names ignore case): choose another name."
    )
    return render_template("cohorts/form.html", form=form, cohort=cohort), 400


def _read_only(cohort: Cohort, target: str = ".show"):
    """The answer to a change of an archived cohort: nothing changes, and the manager is told why."""
    flash(f"“{cohort.name}” is archived, so it is read-only: restore it to change it.", "error")
    return redirect(url_for(target, cohort_id=cohort.id))


@bp.route("/<int:cohort_id>/edit", methods=["GET", "POST"])
@allow("manager")
def edit(cohort_id: int):
    cohort = managed(cohort_id)
    if cohort.archived:
        return _read_only(cohort)
    form = _form(cohort)
    if form.validate_on_submit():
        try:
            services.update(cohort, current_user, _details(form))
        except services.NameTaken as taken:
            return _name_taken(form, cohort, str(taken))
        flash(f"Cohort “{cohort.name}” updated.", "success")
        return redirect(url_for(".show", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=cohort)


@bp.route("/<int:cohort_id>/archive", methods=["GET", "POST"])
@allow("manager")
def archive(cohort_id: int):
    """GET: the confirmation page naming the cohort; POST (its Confirm button): archive it."""
    cohort = managed(cohort_id)
    if cohort.archived:
        flash(f"“{cohort.name}” is already archived.", "info")
        return redirect(url_for(".show", cohort_id=cohort.id))
    form = ActionForm()
    if form.validate_on_submit():
        services.archive(cohort)
        flash(f"Cohort “{cohort.name}” archived. It is read-only until restored.", "success")
        return redirect(url_for(".index"))
    return render_template("cohorts/confirm_archive.html", cohort=cohort, form=form)


@bp.route("/<int:cohort_id>/restore", methods=["POST"])
@allow("manager")
def restore(cohort_id: int):
    cohort = managed(cohort_id)
    if ActionForm().validate_on_submit() and services.restore(cohort):
        flash(f"Cohort “{cohort.name}” restored.", "success")
    return redirect(url_for(".show", cohort_id=cohort.id))


def _due_dates_form(cohort: Cohort):
    """A form with one optional date per assigned item (blank: the cohort's due date)."""
    cat = catalogue()

    def on_or_after_start(form, field):
        if field.data and field.data < cohort.starts_on:
            raise ValidationError(f"The date must be on or after the cohort's start, {cohort.starts_on:%d %b %Y}.")

    fields = {
        f"due_{a.id}": DateField(
            f"Due date for {describe(cat, a.kind, a.ref)}", validators=[Optional(), on_or_after_start]
        )
        for a in cohort.assignments
    }
    form = type("DueDatesForm", (BaseForm,), fields)()
    if request.method == "GET":
        for a in cohort.assignments:
            form[f"due_{a.id}"].data = a.due_on
    return form


@bp.route("/<int:cohort_id>/due-dates", methods=["GET", "POST"])
@allow("manager")
def due_dates(cohort_id: int):
    """Each assigned item's own due date; blank means the cohort's."""
    cohort = managed(cohort_id)
    if cohort.archived:
        return _read_only(cohort)
    form = _due_dates_form(cohort)
    if form.validate_on_submit():
        changed = services.set_due_dates(cohort, {a.id: form[f"due_{a.id}"].data for a in cohort.assignments})
        flash(f"Due dates of “{cohort.name}” saved: {changed} item{'s' if changed != 1 else ''} changed.", "success")
        return redirect(url_for(".show", cohort_id=cohort.id))
    items = [(a, form[f"due_{a.id}"]) for a in cohort.assignments]
    return render_template("cohorts/due_dates.html", cohort=cohort, form=form, items=items), (
        400 if form.errors else 200
    )


@bp.route("/<int:cohort_id>")
@allow("manager")
def show(cohort_id: int):
    cohort = managed(cohort_id)
    board = dashboard.build(cohort, catalogue(), today())
    status, role, sort = request.args.get("status", ""), request.args.get("role", ""), request.args.get("sort", "name")
    search = plain(request.args.get("q", ""))[:200].strip()  # no control or invisible characters
    sort = sort if sort in dashboard.SORTS else "name"
    order = "desc" if request.args.get("order") == "desc" else "asc"
    rows = dashboard.matching(board.rows, status, role, sort, descending=order == "desc", search=search)
    page = paginate(rows, request.args.get("page", 1, type=int), size=dashboard.PAGE_SIZE)
    summary, skills = board.summary, catalogue().skills
    funnel_chart = [(label, percent(summary.funnel[key], summary.learners), None) for key, label in STATUSES.items()]
    skill_chart = [(skills[k.skill_id].name, k.average, k.target if k.learners else None) for k in summary.skills]
    return render_template(
        "cohorts/dashboard.html",
        cohort=cohort,
        board=board,
        compliance=evidence_queries.compliance(cohort.org_id, user_ids=queries.member_ids(cohort.id)),
        rows=page.items,
        matching=page.total,
        page=page.number,
        pages=page.pages,
        statuses=STATUSES,
        funnel_chart=funnel_chart,
        skill_chart=skill_chart,
        status=status,
        role=role,
        sort=sort,
        order=order,
        q=search,
        page_size=dashboard.PAGE_SIZE,
        short=dashboard.short_names({k: catalogue().skills[k].name for k in board.skills}),
        skills=catalogue().skills,
        roles=catalogue().roles,
        requirement=REQUIREMENTS[cohort.requirement],
        work=[(describe(catalogue(), a.kind, a.ref), a.due_on or cohort.due_on) for a in cohort.assignments],
        action=ActionForm(),
    )


@bp.route("/<int:cohort_id>/roster", methods=["GET", "POST"])
@allow("manager")
def roster(cohort_id: int):
    cohort = managed(cohort_id)
    if request.method == "POST" and cohort.archived:
        return _read_only(cohort, ".roster")
    form = _learner_form(cohort)
    if form.validate_on_submit():
        return _add_learner(cohort, form)
    return _roster_page(cohort, form, RosterForm(), status=400 if request.method == "POST" else 200)


def _learner_form(cohort: Cohort) -> AddLearnerForm:
    form = AddLearnerForm()
    form.role.choices = [SelectChoice("", "Choose a role"), *role_choices(catalogue())]
    allowed = services.editor_teams(current_user)  # a manager invites new people into their own teams
    teams = [t for t in people_queries.teams(cohort.org_id) if allowed is None or t.id in allowed]
    form.team.choices = [SelectChoice("", "Choose a team")] + [SelectChoice(str(t.id), t.name) for t in teams]
    return form


def _roster_page(cohort, form, upload, result=None, links=None, status=200):
    members = queries.members(cohort.id)
    return render_template(
        "cohorts/roster.html",
        cohort=cohort,
        form=form,
        upload=upload,
        members=members,
        result=result,
        links=links or [],
        action=ActionForm(),
        roles=catalogue().roles,
    ), status


def _add_learner(cohort: Cohort, form: AddLearnerForm):
    result = services.add_learner(
        cohort,
        current_user,
        form.email.data,
        form.name.data or "",
        form.role.data or "",
        form.team.data or "",
        external=form.is_external,
        agency=form.firm,
    )
    if result.problem:
        form.email.errors.append(result.problem)
        return _roster_page(cohort, form, RosterForm(), status=400)
    user = result.user
    if result.invitation and links_to_show([result.invitation]):
        link = result.invitation
        flash(f"{result.invited_as} was invited. No mail server is set: send them this link: {link}", "success")
    elif result.invitation:
        flash(f"{result.invited_as} was invited: the invitation email is on its way to {form.email.data}.", "success")
    else:
        added = result.added
        flash(f"{user.name} {'added to' if added else 'is already in'} the cohort.", "success" if added else "info")
    return redirect(url_for(".roster", cohort_id=cohort.id))


@bp.route("/join/<token>", methods=["GET", "POST"])
@allow("public")
def join(token: str):
    """An invitation for an account of no organisation to join a cohort: a page, then a button."""
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        cohort = services.join(token)
        if cohort is None:
            return render_template("auth/invite_invalid.html"), 404
        flash(
            f"You have joined {cohort.name}. Sign in with your usual password to see it on your home page.", "success"
        )
        return redirect(url_for("learn.home"))
    link = invitations.find(token, "join")
    if link is None:
        return render_template("auth/invite_invalid.html"), 404
    return render_template("cohorts/join.html", cohort=queries.cohort(link.cohort_id), form=form)


@bp.route("/<int:cohort_id>/import", methods=["POST"])
@allow("manager")
def import_roster(cohort_id: int):
    cohort = managed(cohort_id)
    if cohort.archived:
        return _read_only(cohort, ".roster")
    upload = RosterForm()
    if not upload.validate_on_submit():
        return _roster_page(cohort, _learner_form(cohort), upload, status=400)
    file = upload.file.data
    result = services.import_roster(cohort, current_user, file.read(), file.filename or "", set(catalogue().roles))
    if result.errors:
        return _roster_page(cohort, _learner_form(cohort), upload, result=result, status=400)
    invited = len(result.invited)
    flash(
        f"Imported: {result.added} added, {result.already} already in the cohort, {invited} invited.",
        "success",
    )
    return _roster_page(cohort, _learner_form(cohort), RosterForm(), links=links_to_show(result.invited))


@bp.route("/<int:cohort_id>/members/<int:user_id>/remove", methods=["GET", "POST"])
@allow("manager")
def remove_member(cohort_id: int, user_id: int):
    """GET: the confirmation page naming the learner; POST (its Confirm button): take them out."""
    cohort = managed(cohort_id)
    member = queries.membership(cohort.id, user_id) or abort(404)
    if cohort.archived:
        return _read_only(cohort, ".roster")
    form = ActionForm()
    if form.validate_on_submit():
        person = member.user
        services.remove_member(member)
        flash(f"{person.name} ({person.email}) removed from “{cohort.name}”. Their attempts are kept.", "success")
        return redirect(url_for(".roster", cohort_id=cohort.id))
    return render_template("cohorts/confirm_remove.html", cohort=cohort, person=member.user, form=form)


@bp.route("/<int:cohort_id>/learners/<int:user_id>")
@allow("manager")
def learner(cohort_id: int, user_id: int):
    cohort = managed(cohort_id)
    member = queries.membership(cohort.id, user_id) or abort(404)
    cat = catalogue()
    work = work_for(cat, [(a.kind, a.ref) for a in cohort.assignments], member.user.role)
    row = dashboard.learner(cohort, cat, today(), user_id)
    return render_template(
        "cohorts/learner.html",
        cohort=cohort,
        person=member.user,
        row=row,
        work=work,
        attempts=learning_queries.learner_attempts(user_id, work.scenarios),
        catalogue=cat,
        completed=learning_queries.completed_lessons(user_id),
        statuses=STATUSES,
    )


@bp.route("/<int:cohort_id>/learners/<int:user_id>/statements.json")
@allow("manager")
def learner_statements(cohort_id: int, user_id: int):
    """One member's xAPI statements on the cohort's assigned work, for an LRS import."""
    cohort = managed(cohort_id)
    activities = outbox.cohort_activities(catalogue(), cohort)
    if user_id not in activities:
        abort(404)
    return json_response(f"cohort-{cohort.id}-user-{user_id}-statements.json", outbox.statements([user_id], activities))


@bp.route("/<int:cohort_id>/statements.json")
@allow("manager")
def statements(cohort_id: int):
    """Every member's xAPI statements on the cohort's assigned work, for an LRS import."""
    cohort = managed(cohort_id)
    activities = outbox.cohort_activities(catalogue(), cohort)
    return json_response(f"cohort-{cohort.id}-statements.json", outbox.statements(activities, activities))


@bp.route("/<int:cohort_id>/patterns")
@allow("manager")
def patterns(cohort_id: int):
    cohort = managed(cohort_id)
    board = dashboard.build(cohort, catalogue(), today())
    found = [dashboard.patterns(cohort, catalogue().scenarios[s]) for s in board.scenarios]
    return render_template("cohorts/patterns.html", cohort=cohort, patterns=found, floor=dashboard.PRIVACY_FLOOR)


@bp.route("/<int:cohort_id>/follow-up")
@allow("manager")
def follow_up_list(cohort_id: int):
    cohort = managed(cohort_id)
    board = dashboard.build(cohort, catalogue(), today())
    return render_template(
        "cohorts/follow_up.html",
        cohort=cohort,
        items=follow_up(board.rows),
        skills=catalogue().skills,
        home=url_for("learn.home", _external=True),
    )


@bp.route("/<int:cohort_id>/follow-up.csv")
@allow("manager")
def follow_up_csv(cohort_id: int):
    cohort = managed(cohort_id)
    board = dashboard.build(cohort, catalogue(), today())
    return csv_response(
        f"cohort-{cohort.id}-follow-up.csv", dashboard.FOLLOW_UP_HEADER, dashboard.follow_up_rows(board)
    )


@bp.route("/<int:cohort_id>/export.csv")
@allow("manager")
def export(cohort_id: int):
    cohort = managed(cohort_id)
    board = dashboard.build(cohort, catalogue(), today())
    return csv_response(f"cohort-{cohort.id}.csv", dashboard.EXPORT_HEADER, dashboard.export_rows(board))
