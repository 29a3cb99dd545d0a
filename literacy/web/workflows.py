"""The AI-workflow registry: the list with the organisation's figures, a workflow's page with what
blocks it, editing, reviews, stages, data sources, and the cohort that fixes unready operators.

Admins and leaders edit every workflow; owners edit their own; managers see their teams'; everyone
sees the ones they operate. Anything else is a 404 that reveals nothing."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from literacy.cohorts.services import NameTaken as CohortNameTaken
from literacy.people import queries as people_queries
from literacy.platform.access import allow
from literacy.platform.clock import utcnow
from literacy.platform.paging import paginate
from literacy.web import catalogue
from literacy.web.exports import csv_response, json_response
from literacy.web.forms import ActionForm
from literacy.web.workflow_forms import (
    CohortFromWorkflowForm,
    RegistryFileForm,
    ReviewForm,
    SourceForm,
    StageForm,
    WorkflowForm,
)
from literacy.workflows import queries, readiness, registry_file, services
from literacy.workflows.services import Details, NameTaken, NotReadyForProduction

bp = Blueprint("workflows", __name__, url_prefix="/workflows")
log = logging.getLogger(__name__)
PAGE_SIZE = 50


def visible(workflow_id: int):
    """A workflow the signed-in person may see, with its readiness; else a 404."""
    workflow = queries.workflow(workflow_id)
    if workflow is None or not services.can_view(current_user, workflow):
        log.warning("denied workflow access: user=%s workflow=%s", current_user.id, workflow_id)
        abort(404)
    return workflow


def editable(workflow_id: int):
    workflow = visible(workflow_id)
    if not services.can_edit(current_user, workflow):
        abort(403)
    return workflow


def can_build_cohort(workflow) -> bool:
    return current_user.access == "admin" or (
        current_user.access == "manager" and workflow.team_id in {t.id for t in current_user.teams}
    )


@bp.route("/")
@allow("user")
def index():
    cat, now = catalogue(), utcnow()
    entries = queries.assess(cat, queries.visible_to(current_user), now)
    everyone = current_user.access in ("admin", "leader")
    figures = readiness.figures((e.assessed for e in entries), now.date()) if everyone else None
    search = request.args.get("q", "").strip()
    stage = request.args.get("stage", "")
    shown = [e for e in entries if stage not in readiness.STAGES or e.workflow.stage == stage]
    shown = [e for e in shown if search.lower() in e.workflow.name.lower()]
    page = paginate(shown, request.args.get("page", 1, type=int), size=PAGE_SIZE)
    return render_template(
        "workflows/index.html",
        page=page,
        figures=figures,
        search=search,
        stage=stage,
        stages=readiness.STAGES,
        today=now.date(),
        can_create=services.can_create(current_user),
        sprawl_days=readiness.PILOT_SPRAWL_DAYS,
    )


def _choices(form: WorkflowForm) -> None:
    cat = catalogue()
    people = people_queries.people(current_user.org_id)
    named = [SelectChoice("", "Nobody yet")] + [SelectChoice(str(p.id), f"{p.name} ({p.email})") for p in people]
    form.owner.choices, form.approver.choices = named, named
    teams = people_queries.teams(current_user.org_id)
    form.team.choices = [SelectChoice("", "No team")] + [SelectChoice(str(t.id), t.name) for t in teams]
    kinds = cat.workflow_kinds.values()
    form.kind.choices = [SelectChoice("", "Other")] + [SelectChoice(k.id, k.name) for k in kinds]
    form.roles.choices = [SelectChoice(r.id, r.name) for r in cat.roles.values()]
    form.required_skills.choices = [SelectChoice(s.id, s.name) for s in cat.skills.values()]
    form.required_scenarios.choices = [SelectChoice(s.id, s.title) for s in cat.scenarios.values()]


def _details(form: WorkflowForm) -> tuple[Details | None, list[str]]:
    """The form as :class:`Details`, with operators looked up by email; the emails not found."""
    emails = [line.strip() for line in (form.operators.data or "").splitlines() if line.strip()]
    found, unknown = queries.people_by_email(current_user.org_id, emails)

    def person(value: str) -> int | None:
        return int(value) if value else None

    return (
        Details(
            name=form.name.data,
            kind=form.kind.data or "",
            purpose=form.purpose.data or "",
            owner_id=person(form.owner.data),
            team_id=person(form.team.data),
            tools=form.tools.data or "",
            ai_may=form.ai_may.data or "",
            needs_approval=form.needs_approval.data or "",
            approver_id=person(form.approver.data),
            outcome_measure=form.outcome_measure.data or "",
            tracing=form.tracing.data or "",
            fault_noticed=form.fault_noticed.data or "",
            fault_contact=form.fault_contact.data or "",
            fault_stop=form.fault_stop.data or "",
            review_days=form.review_days.data,
            touches_revenue=form.touches_revenue.data,
            touches_reputation=form.touches_reputation.data,
            touches_customer_data=form.touches_customer_data.data,
            roles=tuple(form.roles.data or ()),
            required_skills=tuple(form.required_skills.data or ()),
            required_scenarios=tuple(form.required_scenarios.data or ()),
            operator_ids=tuple(found),
        ),
        unknown,
    )


def _fill(form: WorkflowForm, workflow) -> None:
    for name in ("name", "kind", "purpose", "tools", "ai_may", "needs_approval", "outcome_measure", "tracing"):
        getattr(form, name).data = getattr(workflow, name)
    for name in ("fault_noticed", "fault_contact", "fault_stop", "review_days"):
        getattr(form, name).data = getattr(workflow, name)
    for name in ("touches_revenue", "touches_reputation", "touches_customer_data"):
        getattr(form, name).data = getattr(workflow, name)
    form.stage.data = workflow.stage
    form.owner.data = str(workflow.owner_id or "")
    form.approver.data = str(workflow.approver_id or "")
    form.team.data = str(workflow.team_id or "")
    form.roles.data, form.required_skills.data = workflow.roles, workflow.required_skills
    form.required_scenarios.data = workflow.required_scenarios
    form.operators.data = "\n".join(u.email for u in workflow.operators)


def _save(form: WorkflowForm, workflow):
    """Create or update from a valid form; the workflow, or None with the form's errors set."""
    details, unknown = _details(form)
    if unknown:
        form.operators.errors.append(
            "Not people of your organisation: " + ", ".join(unknown[:20]) + (" and more" if len(unknown) > 20 else "")
        )
        return None
    today = utcnow().date()
    try:
        if workflow is None:
            return services.create(current_user.org_id, current_user, details, form.stage.data, today)
        services.update(workflow, current_user, details)
        services.change_stage(workflow, current_user, form.stage.data, today)
        return workflow
    except NameTaken:
        form.name.errors.append("Another workflow of your organisation has this name.")
    except NotReadyForProduction as refused:
        form.stage.errors.append("Production needs these first: " + ", ".join(refused.missing) + ".")
    return None


@bp.route("/new", methods=["GET", "POST"])
@allow("leader")
def create():
    form = WorkflowForm()
    _choices(form)
    if form.validate_on_submit() and (workflow := _save(form, None)) is not None:
        flash(f"Workflow {workflow.name} added to the registry.", "success")
        return redirect(url_for(".show", workflow_id=workflow.id))
    return render_template("workflows/form.html", form=form, workflow=None), 400 if form.errors else 200


@bp.route("/<int:workflow_id>/edit", methods=["GET", "POST"])
@allow("user")
def edit(workflow_id: int):
    workflow = editable(workflow_id)
    form = WorkflowForm()
    _choices(form)
    if request.method == "GET":
        _fill(form, workflow)
    elif form.validate_on_submit() and _save(form, workflow) is not None:
        flash("Changes saved and recorded in the history.", "success")
        return redirect(url_for(".show", workflow_id=workflow.id))
    return render_template("workflows/form.html", form=form, workflow=workflow), 400 if form.errors else 200


@bp.route("/<int:workflow_id>")
@allow("user")
def show(workflow_id: int):
    workflow = visible(workflow_id)
    cat, now = catalogue(), utcnow()
    [entry] = queries.assess(cat, [workflow], now)
    required = workflow.required_scenarios
    suggested = [s for s in cat.scenarios_for_workflow(workflow.kind) if s.id not in required] if workflow.kind else []
    return render_template(
        "workflows/show.html",
        workflow=workflow,
        entry=entry,
        operators=dict(zip([u.id for u in workflow.operators], entry.assessed.operators, strict=True)),
        catalogue=cat,
        names={
            "roles": [cat.roles[r].name for r in workflow.roles if r in cat.roles],
            "skills": [cat.skills[s].name for s in workflow.required_skills if s in cat.skills],
            "scenarios": [cat.scenarios[s].title for s in required if s in cat.scenarios],
        },
        suggested=suggested,
        history=queries.history(workflow.id, request.args.get("page", 1, type=int)),
        can_edit=services.can_edit(current_user, workflow),
        can_build_cohort=can_build_cohort(workflow) and any(not o.ready for o in entry.assessed.operators),
        review_form=ReviewForm(reviewed_on=now.date()),
        source_form=SourceForm(checked_on=now.date()),
        stage_form=StageForm(stage=workflow.stage),
        cohort_form=CohortFromWorkflowForm(due_on=now.date() + timedelta(days=21)),
        action=ActionForm(),
        today=now.date(),
        review_due=readiness.review_due(entry.assessed.facts),
        sprawl=readiness.is_sprawl(entry.assessed.facts, now.date()),
        statuses=readiness.OPERATOR_STATUSES,
        ratings=readiness.SOURCE_RATINGS,
        stages=readiness.STAGES,
        fields=readiness.REQUIRED_FIELDS,
    )


def _back(workflow_id: int, anchor: str = ""):
    return redirect(url_for(".show", workflow_id=workflow_id, _anchor=anchor or None))


@bp.route("/<int:workflow_id>/review", methods=["POST"])
@allow("user")
def review(workflow_id: int):
    workflow = editable(workflow_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return _back(workflow.id, "reviews")
    if form.reviewed_on.data > utcnow().date():
        flash("A review cannot be dated in the future.", "error")
        return _back(workflow.id, "reviews")
    services.log_review(workflow, current_user, form.note.data, form.reviewed_on.data)
    flash("Review logged.", "success")
    return _back(workflow.id, "reviews")


@bp.route("/<int:workflow_id>/stage", methods=["POST"])
@allow("user")
def stage(workflow_id: int):
    workflow = editable(workflow_id)
    form = StageForm()
    if not form.validate_on_submit():
        flash("Choose a stage.", "error")
        return _back(workflow.id)
    try:
        moved = services.change_stage(workflow, current_user, form.stage.data, utcnow().date())
    except NotReadyForProduction as refused:
        flash("Production needs these first: " + ", ".join(refused.missing) + ".", "error")
        return _back(workflow.id, "blockers")
    flash(f"Moved to {readiness.STAGES[form.stage.data]}." if moved else "It is already at that stage.", "success")
    return _back(workflow.id)


@bp.route("/<int:workflow_id>/sources", methods=["POST"])
@allow("user")
def add_source(workflow_id: int):
    workflow = editable(workflow_id)
    form = SourceForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return _back(workflow.id, "sources")
    source_id = request.form.get("source_id", type=int)
    if source_id and not any(s.id == source_id for s in workflow.sources):
        abort(404)
    services.save_source(workflow, current_user, source_id, form.name.data, form.rating.data, form.checked_on.data)
    flash("Data source saved.", "success")
    return _back(workflow.id, "sources")


@bp.route("/<int:workflow_id>/sources/<int:source_id>/remove", methods=["POST"])
@allow("user")
def remove_source(workflow_id: int, source_id: int):
    workflow = editable(workflow_id)
    if not ActionForm().validate_on_submit():
        flash("That button was out of date. Please try again.", "error")
    elif services.remove_source(workflow, current_user, source_id):
        flash("Data source removed.", "success")
    else:
        abort(404)
    return _back(workflow.id, "sources")


@bp.route("/<int:workflow_id>/cohort", methods=["POST"])
@allow("manager")
def build_cohort(workflow_id: int):
    workflow = visible(workflow_id)
    if not can_build_cohort(workflow):
        abort(404)
    form = CohortFromWorkflowForm()
    today = utcnow().date()
    if not form.validate_on_submit() or form.due_on.data < today:
        flash("Give a due date from today on.", "error")
        return _back(workflow.id, "operators")
    [entry] = queries.assess(catalogue(), [workflow], utcnow())
    if all(o.ready for o in entry.assessed.operators):
        flash("Every operator is ready: there is no one to train.", "success")
        return _back(workflow.id, "operators")
    scenarios = workflow.required_scenarios or [s.id for s in catalogue().scenarios_for_workflow(workflow.kind)]
    try:
        cohort = services.cohort_for_unready(entry, current_user, today, form.due_on.data, scenarios or [])
    except CohortNameTaken:
        flash("A cohort for this workflow was already made today: it is in your cohorts.", "error")
        return _back(workflow.id, "operators")
    flash(f"Cohort {cohort.name} created with {len(cohort.members)} operator(s).", "success")
    return redirect(url_for("cohorts.show", cohort_id=cohort.id))


@bp.route("/export.<format>")
@allow("leader")
def export(format: str):
    if format not in ("csv", "json"):
        abort(404)
    records = [services.record_of(w) for w in queries.in_organisation(current_user.org_id)]
    if format == "json":
        return json_response("workflows.json", registry_file.to_json(records))
    header, rows = registry_file.csv_rows(records)
    return csv_response("workflows.csv", header, rows)


@bp.route("/import", methods=["GET", "POST"])
@allow("leader")
def import_registry():
    """All or nothing: every row is checked, and one bad row keeps the registry as it was."""
    form = RegistryFileForm()
    errors: list[tuple[int, str]] = []
    if form.validate_on_submit():
        cat = catalogue()
        known = registry_file.Known(
            frozenset(cat.workflow_kinds), frozenset(cat.roles), frozenset(cat.skills), frozenset(cat.scenarios)
        )
        upload = form.file.data
        parsed = registry_file.parse(upload.read(), upload.filename or "", known)
        errors = parsed.errors
        if parsed.ok:
            result = services.import_records(current_user.org_id, current_user, parsed.records, utcnow().date())
            errors = sorted(result.errors)
            if not errors:
                flash(f"Imported: {result.created} workflow(s) added, {result.updated} updated.", "success")
                return redirect(url_for(".index"))
    # a 400 rolls the request's transaction back: one bad row and nothing of the file is kept
    status = 400 if errors or form.errors else 200
    shown, more = errors[:200], max(0, len(errors) - 200)
    return render_template("workflows/import.html", form=form, errors=shown, more=more), status
