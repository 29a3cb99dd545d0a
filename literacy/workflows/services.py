"""Writes to the workflow registry. Every change of a field is kept in the append-only history (who,
which field, from what, to what, when); a review is a change with its note. Services flush; the
request or command that called them commits."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field, fields, replace
from datetime import date

from sqlalchemy import select

from literacy.cohorts import services as cohorts
from literacy.cohorts.services import CohortDetails
from literacy.cohorts.tables import Cohort
from literacy.evidence import audit
from literacy.people.tables import Organization, Team, User
from literacy.platform.database import lock_row
from literacy.platform.extensions import db
from literacy.workflows import readiness, registry_file
from literacy.workflows.queries import Entry, filled
from literacy.workflows.tables import Workflow, WorkflowChange, WorkflowSource


@dataclass(frozen=True)
class Details:
    """What an editor may set on a workflow (an allowlist: the organisation comes from the editor).
    People and teams are ids already checked to belong to the organisation."""

    name: str
    kind: str = ""
    purpose: str = ""
    owner_id: int | None = None
    team_id: int | None = None
    tools: str = ""
    ai_may: str = ""
    needs_approval: str = ""
    approver_id: int | None = None
    outcome_measure: str = ""
    tracing: str = ""
    fault_noticed: str = ""
    fault_contact: str = ""
    fault_stop: str = ""
    review_days: int | None = None
    touches_revenue: bool = False
    touches_reputation: bool = False
    touches_customer_data: bool = False
    roles: tuple[str, ...] = ()
    required_skills: tuple[str, ...] = ()
    required_scenarios: tuple[str, ...] = ()
    operator_ids: tuple[int, ...] = field(default=())


JSON_FIELDS = {"roles": "roles_json", "required_skills": "skills_json", "required_scenarios": "scenarios_json"}
# Fields that are the same value on a workflow, in Details, in a form and in a registry file.
TEXT_FIELDS = (
    "kind",
    "purpose",
    "tools",
    "ai_may",
    "needs_approval",
    "outcome_measure",
    "tracing",
    "fault_noticed",
    "fault_contact",
    "fault_stop",
)
PLAIN_FIELDS = (*TEXT_FIELDS, "review_days", "touches_revenue", "touches_reputation", "touches_customer_data")


class NameTaken(Exception):
    """Another workflow of the organisation already has this name (ignoring case)."""


class NotReadyForProduction(Exception):
    """Promotion to production refused: the fields an auditor asks for are missing."""

    def __init__(self, missing: list[str]):
        super().__init__(", ".join(missing))
        self.missing = missing


def manages_team(user: User, workflow: Workflow) -> bool:
    """A manager of the team that runs the workflow."""
    return user.access == "manager" and workflow.team_id in {t.id for t in user.teams}


def can_edit(user: User, workflow: Workflow) -> bool:
    """Admins and leaders edit every workflow of their organisation; owners edit their own."""
    if user.org_id != workflow.org_id:
        return False
    return user.access in ("admin", "leader") or workflow.owner_id == user.id


def can_name_operators(user: User) -> bool:
    """Choosing who operates a workflow lets one see their assessed evidence on its page, so it is
    for admins and leaders, not for an owner who may be anyone."""
    return user.access in ("admin", "leader")


def can_see_evidence(user: User, workflow: Workflow) -> bool:
    """Every operator's checks and figures: editors and the managers of the workflow's team. An
    operator sees only their own."""
    if user.org_id != workflow.org_id:
        return False
    return can_edit(user, workflow) or manages_team(user, workflow)


def can_create(user: User) -> bool:
    return user.access in ("admin", "leader")


def can_view(user: User, workflow: Workflow) -> bool:
    """Editors, managers of the workflow's team, and its operators."""
    if user.org_id != workflow.org_id:
        return False
    if can_edit(user, workflow) or any(u.id == user.id for u in workflow.operators):
        return True
    return manages_team(user, workflow)


def _shown(workflow: Workflow, name: str) -> str:
    """A field's value as the history shows it."""
    if name in JSON_FIELDS:
        return ", ".join(getattr(workflow, name))
    if name == "operator_ids":
        return ", ".join(sorted(u.name for u in workflow.operators))
    value = getattr(workflow, name)
    if name in ("owner_id", "approver_id"):
        person = db.session.get(User, value) if value else None
        return person.name if person else ""
    if name == "team_id":
        team = db.session.get(Team, value) if value else None
        return team.name if team else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _assign(workflow: Workflow, name: str, value) -> None:
    if name in JSON_FIELDS:
        setattr(workflow, JSON_FIELDS[name], json.dumps(list(value)))
    elif name == "operator_ids":
        wanted = set(value)
        people = select(User).where(User.id.in_(wanted), User.org_id == workflow.org_id) if wanted else None
        workflow.operators = list(db.session.scalars(people)) if people is not None else []
    elif isinstance(value, str):
        setattr(workflow, name, value.strip())
    else:
        setattr(workflow, name, value)


def _record(workflow: Workflow, actor: User | None, name: str, old: str, new: str, note: str = "") -> None:
    """The workflow's own history, and the organisation's audit log."""
    db.session.add(
        WorkflowChange(
            workflow_id=workflow.id, user_id=actor.id if actor else None, field=name, old=old, new=new, note=note
        )
    )
    action = "workflow.created" if name == "created" else "workflow.changed"
    audit.record(workflow.org_id, action, workflow.name, actor=actor, field=name, old=old, new=new)


def _folded(name: str) -> str:
    """A name as compared for uniqueness: Unicode case and spacing folded (SQL's lower() is ASCII-only
    on SQLite)."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _check_name(org_id: int, name: str, except_id: int | None) -> None:
    lock_row(Organization, org_id, "name")
    others = db.session.execute(select(Workflow.id, Workflow.name).where(Workflow.org_id == org_id))
    if any(_folded(other) == _folded(name) and wid != except_id for wid, other in others):
        raise NameTaken(name.strip())


def create(org_id: int, actor: User | None, details: Details, stage: str, today: date) -> Workflow:
    """A new workflow at ``stage``; production asks for every required field first."""
    _check_name(org_id, details.name, None)
    workflow = Workflow(org_id=org_id, name=details.name.strip(), stage="experiment", stage_since=today)
    db.session.add(workflow)
    db.session.flush()
    _record(workflow, actor, "created", "", workflow.name)
    update(workflow, actor, details, stage=stage)  # every first value goes into the history too
    if stage != "experiment":
        change_stage(workflow, actor, stage, today)
    return workflow


def update(workflow: Workflow, actor: User | None, details: Details, stage: str | None = None) -> int:
    """Copy ``details``, recording each changed field; the number of fields changed. ``stage``: the
    stage the workflow is about to move to (default: its own), whose gate the new values must pass:
    a production workflow keeps every required field, a retiring one need not."""
    if _folded(details.name) != _folded(workflow.name):
        _check_name(workflow.org_id, details.name, workflow.id)
    changed = 0
    for item in fields(Details):
        old = _shown(workflow, item.name)
        if item.name in JSON_FIELDS and set(getattr(workflow, item.name)) == set(getattr(details, item.name)):
            continue  # the same choices in another order are no change
        _assign(workflow, item.name, getattr(details, item.name))
        db.session.flush()
        new = _shown(workflow, item.name)
        if old != new:
            changed += 1
            _record(workflow, actor, item.name, old, new)
    if (stage or workflow.stage) == "production" and (missing := missing_for_production(workflow)):
        raise NotReadyForProduction(missing)
    return changed


def missing_for_production(workflow: Workflow) -> list[str]:
    """The required fields (labels) a workflow lacks; promotion to production needs them all."""
    have = filled(workflow)
    return [label for key, label in readiness.REQUIRED_FIELDS.items() if key not in have]


def change_stage(workflow: Workflow, actor: User | None, stage: str, today: date) -> bool:
    """Move the workflow to ``stage`` from today; False if it is already there.
    :class:`NotReadyForProduction` lists what production needs first."""
    if stage not in readiness.STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    if stage == workflow.stage:
        return False
    if stage == "production" and (missing := missing_for_production(workflow)):
        raise NotReadyForProduction(missing)
    _record(workflow, actor, "stage", workflow.stage, stage)
    workflow.stage, workflow.stage_since = stage, today
    db.session.flush()
    return True


def log_review(workflow: Workflow, actor: User | None, note: str, on: date) -> None:
    """A review took place on ``on``: the note is kept in the history, and the last review moves to
    ``on`` unless a later one is already recorded (logging an old review never makes one overdue)."""
    before = workflow.reviewed_on.isoformat() if workflow.reviewed_on else ""
    _record(workflow, actor, "review", before, on.isoformat(), note.strip())
    workflow.reviewed_on = max(on, workflow.reviewed_on) if workflow.reviewed_on else on
    db.session.flush()


def save_source(
    workflow: Workflow, actor: User | None, source_id: int | None, name: str, rating: str, checked_on: date | None
) -> WorkflowSource:
    """Add a data source (``source_id`` None) or change one of this workflow's."""
    if rating not in readiness.SOURCE_RATINGS:
        raise ValueError(f"unknown rating {rating!r}")
    source = next((s for s in workflow.sources if s.id == source_id), None) if source_id else None
    before = f"{source.name}: {source.rating}, checked {source.checked_on or 'never'}" if source else ""
    if source is None:
        source = WorkflowSource()
        workflow.sources.append(source)
    source.name, source.rating, source.checked_on = name.strip(), rating, checked_on
    db.session.flush()
    _record(workflow, actor, "source", before, f"{source.name}: {rating}, checked {checked_on or 'never'}")
    return source


def remove_source(workflow: Workflow, actor: User | None, source_id: int) -> bool:
    source = next((s for s in workflow.sources if s.id == source_id), None)
    if source is None:
        return False
    _record(workflow, actor, "source", f"{source.name}: {source.rating}, checked {source.checked_on or 'never'}", "")
    workflow.sources.remove(source)
    db.session.flush()
    return True


def cohort_for_unready(
    entry: Entry, manager: User, today: date, due_on: date, scenarios: list[str]
) -> tuple[Cohort, int]:
    """A cohort of the workflow's operators who are not ready, assigned ``scenarios`` (the workflow's
    required scenarios, else the ones that train its kind, else each learner's role track), due on
    ``due_on``. Only people a manager may add to a cohort are added: learners of the manager's own
    teams (any learner of the organisation for an admin). The cohort and how many were left out."""
    unready = {o.user_id for o in entry.assessed.operators if not o.ready and o.status != "deactivated"}
    teams = cohorts.editor_teams(manager)
    wanted = [u for u in entry.workflow.operators if u.id in unready]
    allowed = [u for u in wanted if u.access == "learner" and (teams is None or any(t.id in teams for t in u.teams))]
    name = f"{entry.workflow.name[:150]}: operator readiness {today.isoformat()}"
    details = CohortDetails(
        name=name,
        description=f"Operators of the {entry.workflow.name} workflow who are not yet ready to run it.",
        starts_on=today,
        due_on=due_on,
        requirement="at-target",
        stall_days=7,
        assignments=[("scenario", s) for s in scenarios] or [("track", "")],  # no scenarios named: the role track
        manager_ids=set(),
    )
    cohort = cohorts.create(manager, details)
    db.session.flush()
    for user in allowed:
        cohorts.add_member(cohort, user)
    db.session.flush()
    return cohort, len(wanted) - len(allowed)


def record_of(workflow: Workflow) -> registry_file.Record:
    """A workflow as the registry file holds it."""
    return registry_file.Record(
        name=workflow.name,
        stage=workflow.stage,
        stage_since=workflow.stage_since.isoformat(),
        owner=workflow.owner.email if workflow.owner else "",
        team=workflow.team.name if workflow.team else "",
        approver=workflow.approver.email if workflow.approver else "",
        reviewed_on=workflow.reviewed_on.isoformat() if workflow.reviewed_on else "",
        roles=tuple(workflow.roles),
        required_skills=tuple(workflow.required_skills),
        required_scenarios=tuple(workflow.required_scenarios),
        operators=tuple(u.email for u in workflow.operators),
        sources=tuple(
            registry_file.SourceRecord(s.name, s.rating, s.checked_on.isoformat() if s.checked_on else "")
            for s in workflow.sources
        ),
        **{name: getattr(workflow, name) for name in PLAIN_FIELDS},
    )


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def import_records(org_id: int, actor: User | None, records: list[registry_file.Record], today: date) -> ImportResult:
    """Create or update (matched by name) every record, or nothing: on any error the caller rolls back.
    A column the file leaves out keeps each existing workflow's value. People are looked up by email
    and teams by name within the organisation."""
    result = ImportResult()
    people = {u.email.lower(): u for u in db.session.scalars(select(User).where(User.org_id == org_id))}
    teams = {t.name.lower(): t for t in db.session.scalars(select(Team).where(Team.org_id == org_id))}
    existing = {_folded(w.name): w for w in db.session.scalars(select(Workflow).where(Workflow.org_id == org_id))}
    for record in records:
        workflow = existing.get(_folded(record.name))
        if workflow is not None and record.columns:
            given = {c: getattr(record, c) for c in record.columns}
            record = replace(record_of(workflow), **given, line=record.line)
        named = [e for e in (record.owner, record.approver) if e]
        problems = [f"{e} is not a person of this organisation" for e in named if e not in people]
        problems += [f"operator {e} is not a person of this organisation" for e in record.operators if e not in people]
        if record.team and record.team.lower() not in teams:
            problems.append(f"unknown team '{record.team}'")
        if problems:
            result.errors.extend((record.line, p) for p in problems)
            continue
        details = Details(
            name=record.name,
            owner_id=people[record.owner].id if record.owner else None,
            team_id=teams[record.team.lower()].id if record.team else None,
            approver_id=people[record.approver].id if record.approver else None,
            roles=record.roles,
            required_skills=record.required_skills,
            required_scenarios=record.required_scenarios,
            operator_ids=tuple(people[e].id for e in record.operators),
            **{name: getattr(record, name) for name in PLAIN_FIELDS},
        )
        try:
            outcome = _import_one(org_id, actor, workflow, details, record, today)
        except NotReadyForProduction as refused:
            result.errors.append((record.line, "production needs: " + ", ".join(refused.missing)))
        except NameTaken:
            result.errors.append((record.line, f"the name {record.name} is taken"))
        else:
            result.created += outcome == "added"
            result.updated += outcome == "updated"
    return result


def _import_one(org_id, actor, workflow, details, record, today) -> str:
    """Apply one record: "added", "updated" or "unchanged"."""
    if workflow is None:
        workflow, changed, outcome = create(org_id, actor, details, "experiment", today), 1, "added"
    else:
        changed, outcome = update(workflow, actor, details, stage=record.stage), "updated"
    current = {(s.name, s.rating, s.checked_on) for s in workflow.sources}
    wanted = {(s.name, s.rating, date.fromisoformat(s.checked_on) if s.checked_on else None) for s in record.sources}
    for source in [s for s in workflow.sources if (s.name, s.rating, s.checked_on) not in wanted]:
        remove_source(workflow, actor, source.id)
        changed += 1
    for name, rating, checked in sorted(wanted - current, key=lambda s: s[0]):
        save_source(workflow, actor, None, name, rating, checked)
        changed += 1
    if record.review_date and record.review_date != workflow.reviewed_on:
        log_review(workflow, actor, "Imported from a registry file.", record.review_date)
        changed += 1
    changed += change_stage(workflow, actor, record.stage, today)
    if record.stage_date and record.stage_date != workflow.stage_since:
        _record(workflow, actor, "stage_since", workflow.stage_since.isoformat(), record.stage_date.isoformat())
        workflow.stage_since = record.stage_date
        changed += 1
    db.session.flush()
    return outcome if changed else "unchanged"
