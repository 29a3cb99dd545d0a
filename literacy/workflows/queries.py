"""Reads for the workflow registry: workflows in an organisation, and their operators' readiness
from the assessed evidence, in a fixed number of queries whatever the number of operators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from literacy.content.types import Catalogue
from literacy.evidence import cycles
from literacy.insights import metrics, rollups
from literacy.insights.tables import Evidence
from literacy.people.tables import User
from literacy.platform.extensions import db
from literacy.platform.paging import Page, page_of
from literacy.workflows import readiness
from literacy.workflows.readiness import Assessed, Facts, SkillEvidence, Source
from literacy.workflows.tables import Workflow, WorkflowChange, workflow_operators


def filled(workflow: Workflow) -> frozenset[str]:
    """The REQUIRED_FIELDS a workflow has filled in."""
    values = {
        "purpose": workflow.purpose,
        "owner": workflow.owner_id,
        "team": workflow.team_id,
        "tools": workflow.tools,
        "sources": workflow.sources,
        "ai_may": workflow.ai_may,
        "needs_approval": workflow.needs_approval,
        "approver": workflow.approver_id,
        "outcome_measure": workflow.outcome_measure,
        "tracing": workflow.tracing,
        "fault_noticed": workflow.fault_noticed,
        "fault_contact": workflow.fault_contact,
        "fault_stop": workflow.fault_stop,
        "review_days": workflow.review_days,
        "reviewed_on": workflow.reviewed_on,
        "roles": workflow.roles,
        "operators": workflow.operators,
        "required_skills": workflow.required_skills,
    }
    return frozenset(key for key, value in values.items() if value not in (None, "", [], ()) and str(value).strip())


def pilot_starts(workflow_ids: list[int]) -> dict[int, date]:
    """When each workflow's current run as a pilot began: the first move to pilot since it was last
    in production or retired, so stepping back to experiment and again to pilot restarts nothing."""
    if not workflow_ids:
        return {}
    rows = db.session.execute(
        select(WorkflowChange.workflow_id, WorkflowChange.new, WorkflowChange.at)
        .where(WorkflowChange.workflow_id.in_(workflow_ids), WorkflowChange.field == "stage")
        .order_by(WorkflowChange.id)
    )
    starts: dict[int, date] = {}
    for workflow_id, stage, at in rows:
        if stage in ("production", "retired"):
            starts.pop(workflow_id, None)
        elif stage == "pilot":
            starts.setdefault(workflow_id, at.date())
    return starts


def facts(workflow: Workflow, pilot_since: date | None = None) -> Facts:
    return Facts(
        stage=workflow.stage,
        stage_since=workflow.stage_since,
        filled=filled(workflow),
        owner_active=workflow.owner is not None and workflow.owner.active,
        sources=tuple(Source(s.name, s.rating, s.checked_on) for s in workflow.sources),
        review_days=workflow.review_days,
        reviewed_on=workflow.reviewed_on,
        pilot_since=min(pilot_since, workflow.stage_since) if pilot_since else workflow.stage_since,
    )


def skill_evidence(user_ids: set[int], since: datetime) -> dict[int, dict[str, SkillEvidence]]:
    """Per person and skill: points earned and available over fresh evidence, and the newest date."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(
            Evidence.user_id,
            Evidence.skill_id,
            *rollups.fresh_sums(since),
            func.max(Evidence.finished_at),
        )
        .where(Evidence.user_id.in_(user_ids))
        .group_by(Evidence.user_id, Evidence.skill_id)
    )
    found: dict[int, dict[str, SkillEvidence]] = {}
    for user_id, skill, earned, available, attempts, last in rows:
        found.setdefault(user_id, {})[skill] = SkillEvidence(float(earned or 0), float(available or 0), attempts, last)
    return found


def scenario_finishes(user_ids: set[int]) -> dict[int, dict[str, datetime]]:
    """Per person and scenario: when their newest assessed attempt finished."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(Evidence.user_id, Evidence.scenario_id, func.max(Evidence.finished_at))
        .where(Evidence.user_id.in_(user_ids))
        .group_by(Evidence.user_id, Evidence.scenario_id)
    )
    found: dict[int, dict[str, datetime]] = {}
    for user_id, scenario, at in rows:
        found.setdefault(user_id, {})[scenario] = at
    return found


@dataclass(frozen=True)
class Entry:
    workflow: Workflow
    assessed: Assessed


def assess(
    catalogue: Catalogue, workflows: list[Workflow], now: datetime, window: int = readiness.EVIDENCE_DAYS
) -> list[Entry]:
    """Each workflow with its operators' readiness and its blockers (three queries in all, whatever
    the number of workflows and operators). ``window``: the evidence window in days."""
    people = {u.id: u for w in workflows for u in w.operators}
    since = now - timedelta(days=window)
    skills, finishes = skill_evidence(set(people), since), scenario_finishes(set(people))
    pilots = pilot_starts([w.id for w in workflows if w.stage == "pilot"])
    names = {uid: u.name for uid, u in people.items()}
    lapsed = lapsed_certifications(people.values(), now)
    entries = []
    for workflow in workflows:
        operators = tuple(
            readiness.operator_readiness(
                user.id,
                catalogue.roles[user.role].targets if user.role in catalogue.roles else {},
                workflow.required_skills,
                workflow.required_scenarios,
                skills.get(user.id, {}),
                finishes.get(user.id, {}),
                since,
                window,
                lapsed.get(user.id),
            )
            if user.active
            else readiness.deactivated(user.id)
            for user in workflow.operators
        )
        known = facts(workflow, pilots.get(workflow.id))
        found = readiness.blockers(known, operators, now.date(), names)
        entries.append(Entry(workflow, Assessed(known, operators, tuple(found))))
    return entries


def lapsed_certifications(people, now: datetime) -> dict[int, str]:
    """Per operator whose certification lapsed or was revoked: the reason, in words (one query)."""
    found = {}
    for user_id, standing in cycles.standings(people, now).items():
        if standing.status == "revoked":
            found[user_id] = "certification revoked by an admin"
        elif standing.lapsed:
            found[user_id] = f"certification expired on {standing.expires_at.date().isoformat()}"
    return found


def operating_counts(
    catalogue: Catalogue, org_id: int, team_ids: tuple[int, ...] | None, now: datetime, window: int
) -> metrics.OperatingCounts:
    """The registry's counts for the maturity levels: the organisation's workflows, or its teams'."""
    workflows = in_organisation(org_id)
    if team_ids is not None:
        workflows = [w for w in workflows if w.team_id in team_ids]
    entries = assess(catalogue, [w for w in workflows if w.stage in ("production", "pilot")], now, window)
    found = readiness.figures((e.assessed for e in entries), now.date())
    return metrics.OperatingCounts(
        production=found.production,
        production_ready=found.production_ready,
        reviews_on_time=found.production - found.overdue_reviews,
        pilots=found.pilots,
        pilots_in_time=found.pilots - found.sprawl,
    )


def _loaded():
    return select(Workflow).options(
        selectinload(Workflow.sources),
        selectinload(Workflow.operators),
        selectinload(Workflow.owner),
        selectinload(Workflow.team),
    )


def workflow(workflow_id: int) -> Workflow | None:
    return db.session.scalar(_loaded().where(Workflow.id == workflow_id))


def people_by_email(org_id: int, emails: list[str]) -> tuple[list[int], list[str]]:
    """Ids of the organisation's people with these emails (any case), and the emails not found."""
    wanted = {e.strip().lower(): e.strip() for e in emails if e.strip()}
    if not wanted:
        return [], []
    found = dict(
        db.session.execute(
            select(func.lower(User.email), User.id).where(User.org_id == org_id, func.lower(User.email).in_(wanted))
        ).all()
    )
    return [found[e] for e in wanted if e in found], [shown for e, shown in wanted.items() if e not in found]


def in_organisation(org_id: int) -> list[Workflow]:
    return list(db.session.scalars(_loaded().where(Workflow.org_id == org_id).order_by(Workflow.name)))


def visible_to(user: User) -> list[Workflow]:
    """The workflows a person may see: every one for admins and leaders; managers their teams' and
    their own; everyone the ones they own or operate."""
    query = _loaded().where(Workflow.org_id == user.org_id)
    if user.access not in ("admin", "leader"):
        operated = select(workflow_operators.c.workflow_id).where(workflow_operators.c.user_id == user.id)
        allowed = [Workflow.owner_id == user.id, Workflow.id.in_(operated)]
        if user.access == "manager":
            allowed.append(Workflow.team_id.in_([t.id for t in user.teams]))
        query = query.where(or_(*allowed))
    return list(db.session.scalars(query.order_by(Workflow.name)))


def operated_by(user: User) -> list[Workflow]:
    operated = select(workflow_operators.c.workflow_id).where(workflow_operators.c.user_id == user.id)
    return list(db.session.scalars(_loaded().where(Workflow.id.in_(operated)).order_by(Workflow.name)))


def latest_change(workflow_id: int) -> int:
    """The id of the workflow's newest history entry (0 for none): a form remembers it, to notice
    that someone else saved the workflow meanwhile."""
    return db.session.scalar(select(func.max(WorkflowChange.id)).where(WorkflowChange.workflow_id == workflow_id)) or 0


def history(workflow_id: int, page: int, size: int = 50) -> Page:
    """A workflow's changes, newest first, one page at a time (the history only grows)."""
    where = WorkflowChange.workflow_id == workflow_id
    total = db.session.scalar(select(func.count()).select_from(WorkflowChange).where(where))
    number, pages, offset = page_of(total, page, size)
    query = (
        select(WorkflowChange)
        .options(selectinload(WorkflowChange.user))
        .where(where)
        .order_by(WorkflowChange.at.desc(), WorkflowChange.id.desc())
        .offset(offset)
        .limit(size)
    )
    return Page(list(db.session.scalars(query)), number, pages, total)
