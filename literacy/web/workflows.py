"""The AI-workflow registry: the list with the organisation's figures, a workflow's page with what
blocks it, editing, reviews, stages, data sources, and the cohort that fixes unready operators.

Admins and leaders edit every workflow; owners edit their own; managers see their teams'; everyone
sees the ones they operate. Anything else is a 404 that reveals nothing."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
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


def window() -> int:
    return current_app.config["EVIDENCE_WINDOW_DAYS"]


def assessed(workflows):
    return queries.assess(catalogue(), workflows, utcnow(), window())


def can_build_cohort(workflow) -> bool:
    return current_user.access == "admin" or services.manages_team(current_user, workflow)


@bp.route("/")
@allow("user")
def index():
    now = utcnow()
    entries = assessed(queries.visible_to(current_user))
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
        sprawl={e.workflow.id for e in entries if readiness.is_sprawl(e.assessed.facts, now.date())},
    )


def _choices(form: WorkflowForm, workflow=None) -> None:
    cat = catalogue()
    current = {workflow.owner_id, workflow.approver_id} if workflow else set()
    people = [p for p in people_queries.people(current_user.org_id) if p.active or p.id in current]
    named = [SelectChoice("", "Nobody yet")] + [SelectChoice(str(p.id), f"{p.name} ({p.email})") for p in people]
    form.owner.choices, form.approver.choices = named, named
    teams = people_queries.teams(current_user.org_id)
    form.team.choices = [SelectChoice("", "No team")] + [SelectChoice(str(t.id), t.name) for t in teams]
    kinds = cat.workflow_kinds.values()
    form.kind.choices = [SelectChoice("", "Other")] + [SelectChoice(k.id, k.name) for k in kinds]
    form.roles.choices = [SelectChoice(r.id, r.name) for r in cat.roles.values()]
    form.required_skills.choices = [SelectChoice(s.id, s.name) for s in cat.skills.values()]
    form.required_scenarios.choices = [SelectChoice(s.id, s.title) for s in cat.scenarios.values()]
    if workflow is None:  # production needs data sources and a review, which live on the workflow's page
        form.stage.choices = [c for c in form.stage.choices if c.value != "production"]


def _details(form: WorkflowForm, workflow) -> tuple[Details | None, list[str]]:
    """The form as :class:`Details`, with operators looked up by email; the emails not found. Someone
    who may not name operators keeps the workflow's."""
    if workflow is not None and not services.can_name_operators(current_user):
        found, unknown = [u.id for u in workflow.operators], []
    else:
        emails = [line.strip() for line in (form.operators.data or "").splitlines() if line.strip()]
        found, unknown = queries.people_by_email(current_user.org_id, emails)

    def person(value: str) -> int | None:
        return int(value) if value else None

    return (
        Details(
            name=form.name.data,
            owner_id=person(form.owner.data),
            team_id=person(form.team.data),
            approver_id=person(form.approver.data),
            roles=tuple(form.roles.data or ()),
            required_skills=tuple(form.required_skills.data or ()),
            required_scenarios=tuple(form.required_scenarios.data or ()),
            operator_ids=tuple(found),
            **{name: _typed(getattr(form, name).data, name) for name in services.PLAIN_FIELDS},
        ),
        unknown,
    )


def _typed(value, name: str):
    """A form value as Details holds it: text fields never None."""
    return (value or "") if name in services.TEXT_FIELDS else value


def _fill(form: WorkflowForm, workflow) -> None:
    for name in ("name", *services.PLAIN_FIELDS):
        getattr(form, name).data = getattr(workflow, name)
    form.stage.data = workflow.stage
    form.owner.data = str(workflow.owner_id or "")
    form.approver.data = str(workflow.approver_id or "")
    form.team.data = str(workflow.team_id or "")
    form.roles.data, form.required_skills.data = workflow.roles, workflow.required_skills
    form.required_scenarios.data = workflow.required_scenarios
    form.operators.data = "\n".join(u.email for u in workflow.operators)
    form.seen.data = queries.latest_change(workflow.id)


def _save(form: WorkflowForm, workflow):
    """Create or update from a valid form; the workflow and how many fields changed, or None with
    the form's errors set (nothing is saved then: the refused request rolls back)."""
    details, unknown = _details(form, workflow)
    if unknown:
        form.operators.errors.append(
            "Not people of your organisation: " + ", ".join(unknown[:20]) + (" and more" if len(unknown) > 20 else "")
        )
        return None
    if workflow is not None and (form.seen.data or 0) != queries.latest_change(workflow.id):
        form.seen.errors.append(
            "Someone else saved this workflow while you were editing it. Open it again to see their"
            " changes, then make yours: nothing you typed here was saved."
        )
        return None
    today = utcnow().date()
    try:
        if workflow is None:
            return services.create(current_user.org_id, current_user, details, form.stage.data, today), 1
        changed = services.update(workflow, current_user, details, stage=form.stage.data)
        changed += services.change_stage(workflow, current_user, form.stage.data, today)
        return workflow, changed
    except NameTaken:
        form.name.errors.append("Another workflow of your organisation has this name.")
    except NotReadyForProduction as refused:
        form.stage.errors.append(
            "Production needs these first: " + ", ".join(refused.missing) + "."
            " Data sources and reviews are added on the workflow's page."
        )
    return None


@bp.route("/new", methods=["GET", "POST"])
@allow("leader")
def create():
    form = WorkflowForm()
    _choices(form)
    if form.validate_on_submit() and (saved := _save(form, None)) is not None:
        flash(f"Workflow {saved[0].name} added to the registry.", "success")
        return redirect(url_for(".show", workflow_id=saved[0].id))
    return render_template("workflows/form.html", form=form, workflow=None, **_form_context(None)), (
        400 if form.errors else 200
    )


@bp.route("/<int:workflow_id>/edit", methods=["GET", "POST"])
@allow("user")
def edit(workflow_id: int):
    workflow = editable(workflow_id)
    form = WorkflowForm()
    _choices(form, workflow)
    if request.method == "GET":
        _fill(form, workflow)
    elif form.validate_on_submit() and (saved := _save(form, workflow)) is not None:
        flash("Changes saved and recorded in the history." if saved[1] else "Nothing had changed.", "success")
        return redirect(url_for(".show", workflow_id=workflow.id))
    return render_template("workflows/form.html", form=form, workflow=workflow, **_form_context(workflow)), (
        400 if form.errors else 200
    )


def _form_context(workflow) -> dict:
    return {"may_name_operators": services.can_name_operators(current_user)}


@bp.route("/<int:workflow_id>")
@allow("user")
def show(workflow_id: int):
    return _page(visible(workflow_id))


def _page(workflow, status: int = 200, **forms):
    """The workflow's page; ``forms``: a refused form to show again with what was typed."""
    cat, now = catalogue(), utcnow()
    [entry] = assessed([workflow])
    required = workflow.required_scenarios
    suggested = [s for s in cat.scenarios_for_workflow(workflow.kind) if s.id not in required] if workflow.kind else []
    default_forms = {
        "review_form": ReviewForm(formdata=None, reviewed_on=now.date()),
        "source_form": SourceForm(formdata=None, checked_on=now.date()),
        "stage_form": StageForm(formdata=None, stage=workflow.stage),
        "cohort_form": CohortFromWorkflowForm(formdata=None, due_on=now.date() + timedelta(days=21)),
    }
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
        see_evidence=services.can_see_evidence(current_user, workflow),
        can_build_cohort=can_build_cohort(workflow) and any(not o.ready for o in entry.assessed.operators),
        action=ActionForm(),
        today=now.date(),
        review_due=readiness.review_due(entry.assessed.facts),
        sprawl=readiness.is_sprawl(entry.assessed.facts, now.date()),
        statuses=readiness.OPERATOR_STATUSES,
        ratings=readiness.SOURCE_RATINGS,
        stages=readiness.STAGES,
        labels=FIELD_LABELS,
        window=window(),
        **{**default_forms, **forms},
    ), status


FIELD_LABELS = {
    **readiness.REQUIRED_FIELDS,
    "created": "Created",
    "name": "Name",
    "kind": "Kind of workflow",
    "stage": "Stage",
    "stage_since": "In its stage since",
    "owner_id": "Owner",
    "team_id": "Team",
    "approver_id": "Who approves",
    "operator_ids": "Named operators",
    "review": "Review",
    "source": "Data source",
    "touches_revenue": "Touches revenue",
    "touches_reputation": "Touches reputation",
    "touches_customer_data": "Touches customer data",
}


def _back(workflow_id: int, anchor: str = ""):
    return redirect(url_for(".show", workflow_id=workflow_id, _anchor=anchor or None))


@bp.route("/<int:workflow_id>/review", methods=["POST"])
@allow("user")
def review(workflow_id: int):
    workflow = editable(workflow_id)
    form = ReviewForm()
    if form.validate_on_submit() and form.reviewed_on.data > utcnow().date():
        form.reviewed_on.errors.append("A review cannot be dated in the future.")
    elif form.validate_on_submit():
        services.log_review(workflow, current_user, form.note.data, form.reviewed_on.data)
        flash("Review logged.", "success")
        return _back(workflow.id, "reviews")
    return _page(workflow, 400, review_form=form)  # the note stays as typed


@bp.route("/<int:workflow_id>/stage", methods=["POST"])
@allow("user")
def stage(workflow_id: int):
    """Moving a production workflow out of production asks first (its operators stop counting)."""
    workflow = editable(workflow_id)
    form = StageForm()
    if not form.validate_on_submit():
        return _page(workflow, 400, stage_form=form)
    if workflow.stage == "production" and form.stage.data != "production" and request.form.get("confirm") != "yes":
        return render_template("workflows/confirm_stage.html", workflow=workflow, form=form, stages=readiness.STAGES)
    try:
        moved = services.change_stage(workflow, current_user, form.stage.data, utcnow().date())
    except NotReadyForProduction as refused:
        form.stage.errors.append("Production needs these first: " + ", ".join(refused.missing) + ".")
        return _page(workflow, 400, stage_form=form)
    flash(f"Moved to {readiness.STAGES[form.stage.data]}." if moved else "It is already at that stage.", "success")
    return _back(workflow.id)


def _source_date_problem(form: SourceForm) -> bool:
    if form.checked_on.data and form.checked_on.data > utcnow().date():
        form.checked_on.errors.append("A check cannot be dated in the future.")
        return True
    return False


@bp.route("/<int:workflow_id>/sources", methods=["POST"])
@allow("user")
def add_source(workflow_id: int):
    """Add a data source, or record a new check of one (``source_id``): its rating and date."""
    workflow = editable(workflow_id)
    form = SourceForm()
    source_id = request.form.get("source_id", type=int)
    source = next((s for s in workflow.sources if s.id == source_id), None) if source_id else None
    if source_id and source is None:
        abort(404)
    if source is not None and not form.name.data:
        form.name.data = source.name  # a re-check keeps the name
    if not form.validate_on_submit() or _source_date_problem(form):
        return _page(workflow, 400, source_form=form)
    services.save_source(workflow, current_user, source_id, form.name.data, form.rating.data, form.checked_on.data)
    flash("Check recorded." if source else "Data source added.", "success")
    return _back(workflow.id, "sources")


@bp.route("/<int:workflow_id>/sources/<int:source_id>/remove", methods=["GET", "POST"])
@allow("user")
def remove_source(workflow_id: int, source_id: int):
    """A confirmation page, then the removal."""
    workflow = editable(workflow_id)
    source = next((s for s in workflow.sources if s.id == source_id), None) or abort(404)
    form = ActionForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("workflows/confirm_remove_source.html", workflow=workflow, source=source, form=form)
    services.remove_source(workflow, current_user, source_id)
    flash(f"Data source {source.name} removed (the history keeps it).", "success")
    return _back(workflow.id, "sources")


@bp.route("/<int:workflow_id>/cohort", methods=["POST"])
@allow("manager")
def build_cohort(workflow_id: int):
    workflow = visible(workflow_id)
    if not can_build_cohort(workflow):
        abort(404)
    form = CohortFromWorkflowForm()
    today = utcnow().date()
    if form.validate_on_submit() and form.due_on.data < today:
        form.due_on.errors.append("Give a due date from today on.")
    if not form.validate_on_submit() or form.due_on.errors:
        return _page(workflow, 400, cohort_form=form)
    [entry] = assessed([workflow])
    if not workflow.operators:
        flash("This workflow has no named operators yet: there is no one to train.", "error")
        return _back(workflow.id, "operators")
    if all(o.ready for o in entry.assessed.operators):
        flash("Every operator is ready: there is no one to train.", "success")
        return _back(workflow.id, "operators")
    scenarios = workflow.required_scenarios or [s.id for s in catalogue().scenarios_for_workflow(workflow.kind)]
    try:
        cohort, left_out = services.cohort_for_unready(entry, current_user, today, form.due_on.data, scenarios)
    except CohortNameTaken:
        flash("A cohort for this workflow was already made today; find it under Cohorts.", "error")
        return _back(workflow.id, "operators")
    message = f"Cohort {cohort.name} created with {len(cohort.members)} operator(s)."
    if left_out:
        message += f" {left_out} operator(s) outside your teams were left out: an admin can add them."
    flash(message, "success")
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
            frozenset(cat.workflow_kinds),
            frozenset(cat.roles),
            frozenset(cat.skills),
            frozenset(cat.scenarios),
            today=utcnow().date(),
        )
        upload = form.file.data
        parsed = registry_file.parse(upload.read(), upload.filename or "", known)
        errors = parsed.errors
        if parsed.ok:
            result = services.import_records(current_user.org_id, current_user, parsed.records, utcnow().date())
            errors = sorted(result.errors)
            if not errors:
                unchanged = len(parsed.records) - result.created - result.updated
                flash(
                    f"Imported: {result.created} workflow(s) added, {result.updated} updated, {unchanged} unchanged.",
                    "success",
                )
                return redirect(url_for(".index"))
    # a 400 rolls the request's transaction back: one bad row and nothing of the file is kept
    status = 400 if errors or form.errors else 200
    shown, more = errors[:200], max(0, len(errors) - 200)
    return render_template("workflows/import.html", form=form, errors=shown, more=more), status
