"""Enablement managers run cohorts: create, roster, dashboard, drill-down, patterns, follow-up, export."""

from __future__ import annotations

import logging
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from literacy.cohorts import dashboard
from literacy.cohorts import services as cohorts
from literacy.cohorts.assignments import describe, work_for
from literacy.cohorts.models import REQUIREMENTS, Cohort, CohortMember
from literacy.cohorts.status import DONE, IN_PROGRESS, NOT_STARTED, follow_up
from literacy.insights.metrics import percent
from literacy.learning import queries as learning_queries
from literacy.people import invitations
from literacy.people.models import Team, User
from literacy.platform.access import allow
from literacy.platform.extensions import db
from literacy.web import catalogue
from literacy.web.exports import csv_response, json_response
from literacy.web.forms import ActionForm, AddLearnerForm, CohortForm, RosterForm, role_choices
from literacy.xapi import outbox

bp = Blueprint("cohorts", __name__, url_prefix="/cohorts")
log = logging.getLogger(__name__)
PAGE_SIZE = 100
STATUSES = {NOT_STARTED: "Not started", IN_PROGRESS: "In progress", DONE: "Done"}
SORTS = {
    "name": lambda r: r.facts.name.lower(),
    "progress": lambda r: r.progress,
    "activity": lambda r: r.facts.last_activity.isoformat() if r.facts.last_activity else "",
    "attempts": lambda r: r.facts.attempts,
}


def managed(cohort_id: int) -> Cohort:
    """A cohort the signed-in manager runs; anything else is a 404 that reveals nothing."""
    cohort = db.session.get(Cohort, cohort_id)
    if not cohorts.can_manage(current_user, cohort):
        log.warning("denied cohort access: user=%s cohort=%s", current_user.id, cohort_id)
        abort(404)
    return cohort


def today() -> date:
    return date.today()


@bp.route("/")
@allow("manager")
def index():
    items = [(c, dashboard.build(c, catalogue(), today()).summary) for c in cohorts.managed_by(current_user)]
    return render_template("cohorts/index.html", items=items, today=today())


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
    people = db.session.scalars(
        select(User)
        .where(User.org_id == current_user.org_id, User.access.in_(("manager", "admin")))
        .order_by(User.name)
    )
    form.managers.choices = [SelectChoice(str(u.id), f"{u.name} ({u.email})") for u in people]
    if request.method == "GET":
        form.assignments.data = [f"{a.kind}:{a.ref}" for a in cohort.assignments] if cohort else ["track:"]
        form.managers.data = [str(m.id) for m in cohort.managers] if cohort else [str(current_user.id)]
    return form


def _save(form: CohortForm, cohort: Cohort) -> None:
    """Copy only the allowlisted fields; the organisation comes from the manager, never the form."""
    cohort.name, cohort.description = form.name.data.strip(), (form.description.data or "").strip()
    cohort.starts_on, cohort.due_on = form.starts_on.data, form.due_on.data
    cohort.requirement, cohort.stall_days = form.requirement.data, form.stall_days.data
    cohorts.set_assignments(
        cohort, [tuple(v.split(":", 1)) for v in form.assignments.data]
    )  # validated against the choices
    ids = {int(i) for i in form.managers.data} | {current_user.id}
    cohort.managers = list(db.session.scalars(select(User).where(User.id.in_(ids), User.org_id == current_user.org_id)))


@bp.route("/new", methods=["GET", "POST"])
@allow("manager")
def create():
    if current_user.org_id is None:
        abort(403)
    form = _form()
    if form.validate_on_submit():
        cohort = Cohort(org_id=current_user.org_id)
        _save(form, cohort)
        db.session.add(cohort)
        db.session.commit()
        flash(f"Cohort “{cohort.name}” created. Now add learners.", "success")
        return redirect(url_for(".roster", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=None)


@bp.route("/<int:cohort_id>/edit", methods=["GET", "POST"])
@allow("manager")
def edit(cohort_id: int):
    cohort = managed(cohort_id)
    form = _form(cohort)
    if form.validate_on_submit():
        _save(form, cohort)
        db.session.commit()
        flash("Cohort updated.", "success")
        return redirect(url_for(".show", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=cohort)


@bp.route("/<int:cohort_id>")
@allow("manager")
def show(cohort_id: int):
    cohort = managed(cohort_id)
    board = dashboard.build(cohort, catalogue(), today())
    status, role = request.args.get("status", ""), request.args.get("role", "")
    sort = request.args.get("sort", "name") if request.args.get("sort") in SORTS else "name"
    rows = [
        r
        for r in board.rows
        if (
            not status
            or r.status == status
            or (status == "overdue" and r.overdue)
            or (status == "stalled" and r.stalled)
        )
        and (not role or r.facts.role == role)
    ]
    rows.sort(key=SORTS[sort], reverse=request.args.get("order") == "desc")
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    summary, skills = board.summary, catalogue().skills
    funnel_chart = [(label, percent(summary.funnel[key], summary.learners), None) for key, label in STATUSES.items()]
    skill_chart = [(skills[k.skill_id].name, k.average, k.target if k.learners else None) for k in summary.skills]
    return render_template(
        "cohorts/dashboard.html",
        cohort=cohort,
        board=board,
        rows=shown,
        matching=len(rows),
        page=page,
        pages=pages,
        statuses=STATUSES,
        funnel_chart=funnel_chart,
        skill_chart=skill_chart,
        status=status,
        role=role,
        sort=sort,
        order=request.args.get("order", "asc"),
        skills=catalogue().skills,
        roles=catalogue().roles,
        requirement=REQUIREMENTS[cohort.requirement],
        work=[describe(catalogue(), a.kind, a.ref) for a in cohort.assignments],
    )


@bp.route("/<int:cohort_id>/roster", methods=["GET", "POST"])
@allow("manager")
def roster(cohort_id: int):
    cohort = managed(cohort_id)
    form = _learner_form(cohort)
    if form.validate_on_submit():
        return _add_learner(cohort, form)
    return _roster_page(cohort, form, RosterForm())


def _learner_form(cohort: Cohort) -> AddLearnerForm:
    form = AddLearnerForm()
    form.role.choices = [SelectChoice("", "Choose a role")] + role_choices(catalogue())
    teams = db.session.scalars(select(Team).where(Team.org_id == cohort.org_id).order_by(Team.name))
    form.team.choices = [SelectChoice("", "Choose a team")] + [SelectChoice(str(t.id), t.name) for t in teams]
    return form


def _roster_page(cohort, form, upload, result=None, links=None, status=200):
    members = db.session.scalars(
        select(User)
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == cohort.id)
        .order_by(User.name)
    ).all()
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
    email = form.email.data.strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    invite = None
    if user is not None and user.org_id != cohort.org_id:
        form.email.errors.append("This person belongs to another organisation.")
        return _roster_page(cohort, form, RosterForm(), status=400)
    if user is None:
        team_id = form.team.data or ""
        team = db.session.get(Team, int(team_id)) if team_id.isdigit() else None
        if not form.name.data or not form.role.data or team is None or team.org_id != cohort.org_id:
            form.email.errors.append("No account has this email yet: give a name, role and team to invite them.")
            return _roster_page(cohort, form, RosterForm(), status=400)
        user = User(
            email=email,
            name=form.name.data.strip(),
            role=form.role.data,
            access="learner",
            org_id=cohort.org_id,
            password_hash="",
        )
        user.teams.append(team)
        db.session.add(user)
        db.session.flush()
        invite = invitations.issue(user)
    added = cohorts.add_member(cohort, user)
    db.session.commit()
    if invite:
        link = url_for("auth.accept_invitation", token=invite, _external=True)
        log.info("invitation for %s (cohort %s): %s", user.email, cohort.id, link)
        flash(f"{user.name} was invited. Send them this link to set a password: {link}", "success")
    else:
        flash(f"{user.name} {'added to' if added else 'is already in'} the cohort.", "success" if added else "info")
    return redirect(url_for(".roster", cohort_id=cohort.id))


@bp.route("/<int:cohort_id>/import", methods=["POST"])
@allow("manager")
def import_roster(cohort_id: int):
    cohort = managed(cohort_id)
    upload = RosterForm()
    if not upload.validate_on_submit():
        return _roster_page(cohort, _learner_form(cohort), upload, status=400)
    file = upload.file.data
    result = cohorts.import_roster(cohort, file.read(), file.filename or "", set(catalogue().roles))
    if result.errors:
        return _roster_page(cohort, _learner_form(cohort), upload, result=result, status=400)
    links = [(user, url_for("auth.accept_invitation", token=token, _external=True)) for user, token in result.invited]
    for user, link in links:
        log.info("invitation for %s (cohort %s): %s", user.email, cohort.id, link)
    flash(f"Imported: {result.added} added, {result.already} already in the cohort, {len(links)} invited.", "success")
    return _roster_page(cohort, _learner_form(cohort), RosterForm(), links=links)


@bp.route("/<int:cohort_id>/members/<int:user_id>/remove", methods=["POST"])
@allow("manager")
def remove_member(cohort_id: int, user_id: int):
    cohort = managed(cohort_id)
    member = db.session.scalar(
        select(CohortMember).where(CohortMember.cohort_id == cohort.id, CohortMember.user_id == user_id)
    ) or abort(404)
    if ActionForm().validate_on_submit():
        db.session.delete(member)
        db.session.commit()
        flash("Learner removed from the cohort. Their attempts are kept.", "info")
    return redirect(url_for(".roster", cohort_id=cohort.id))


@bp.route("/<int:cohort_id>/learners/<int:user_id>")
@allow("manager")
def learner(cohort_id: int, user_id: int):
    cohort = managed(cohort_id)
    member = db.session.scalar(
        select(CohortMember).where(CohortMember.cohort_id == cohort.id, CohortMember.user_id == user_id)
    ) or abort(404)
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
    rows = [
        (r.facts.name, r.facts.email, r.facts.role, "; ".join(reasons), r.progress)
        for r, reasons in follow_up(board.rows)
    ]
    return csv_response(
        f"cohort-{cohort.id}-follow-up.csv", ["name", "email", "role", "reasons", "progress_percent"], rows
    )


@bp.route("/<int:cohort_id>/export.csv")
@allow("manager")
def export(cohort_id: int):
    cohort = managed(cohort_id)
    board = dashboard.build(cohort, catalogue(), today())
    header = [
        "name",
        "email",
        "role",
        "teams",
        "status",
        "overdue",
        "stalled",
        "progress_percent",
        "lessons_done",
        "lessons_assigned",
        "scenarios_done",
        "scenarios_assigned",
        "attempts",
        "last_activity",
        "skill",
        "score",
        "target",
        "at_target",
    ]
    rows = []
    for r in board.rows:
        f = r.facts
        base = [
            f.name,
            f.email,
            f.role,
            "; ".join(f.teams),
            r.status,
            r.overdue,
            r.stalled,
            r.progress,
            f.lessons_done,
            f.lessons_total,
            f.scenarios_done,
            f.scenarios_total,
            f.attempts,
            f.last_activity.isoformat(timespec="seconds") if f.last_activity else "",
        ]
        for skill, target in (f.targets or {"": 0}).items():
            score = f.scores.get(skill)
            rows.append(
                base
                + [
                    skill,
                    "" if score is None else score,
                    target if skill else "",
                    "" if score is None else score >= target,
                ]
            )
    return csv_response(f"cohort-{cohort.id}.csv", header, rows)
