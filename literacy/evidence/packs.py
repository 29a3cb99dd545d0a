"""Evidence packs: gather a person's, a team's or the organisation's evidence as of a date (a fixed
number of queries per chunk of people), render it as CSV, JSON or a PDF report, and build requested
packs in the background with their progress saved, so any page (or server) can show it. The lines
and figures are ``evidence.pack``'s; docs/compliance.md says what each supports."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import Flask, render_template
from sqlalchemy import event, or_, select, update

from literacy.cohorts import assignments
from literacy.cohorts.tables import Cohort, CohortAssignment, CohortMember
from literacy.content.types import Catalogue
from literacy.evidence import audit, certification, cycles, pack
from literacy.evidence.cycles import plain
from literacy.evidence.tables import Certification, EvidencePack, Policy, PolicyAcknowledgement
from literacy.insights import metrics
from literacy.learning.assessment import ASSESSED
from literacy.learning.tables import Attempt, LessonCompletion, SkillScore
from literacy.people.tables import Organization, Team, User, team_members
from literacy.platform import origin
from literacy.platform.clock import utcnow
from literacy.platform.csvsafe import to_csv
from literacy.platform.extensions import db
from literacy.workflows.tables import Workflow, workflow_operators
from literacy.xapi.tables import OutboxStatement

CHUNK = 500  # people gathered per round of queries: bounds memory, and is the unit of progress
STALLED_AFTER = timedelta(minutes=30)  # a build with no progress for this long stopped (its server went away)
TRACK = "Role track (certification)"


class Refused(Exception):
    """The pack cannot be requested as asked; the message says why."""


@dataclass(frozen=True)
class Scope:
    org_id: int
    kind: str  # "organisation", "team" or "person"
    team_id: int | None = None
    user_id: int | None = None


def end_of(day: date) -> datetime:
    """The first moment after ``day``: evidence up to the end of the as-of date counts."""
    return datetime.combine(day + timedelta(days=1), time())


def people_in(scope: Scope, as_of: date) -> list[int]:
    """The ids of the people a pack covers: accounts created by the as-of date, or with learning
    history from before it (history imported into an account made later), deactivated ones too (an
    auditor asks about whoever was there), by name."""
    until = end_of(as_of)
    active_then = or_(
        User.created_at < until,
        User.id.in_(select(Attempt.user_id).where(Attempt.started_at < until)),
        User.id.in_(select(LessonCompletion.user_id).where(LessonCompletion.completed_at < until)),
    )
    query = select(User.id).where(User.org_id == scope.org_id, active_then)
    if scope.kind == "team":
        query = query.join(team_members, team_members.c.user_id == User.id).where(
            team_members.c.team_id == scope.team_id
        )
    elif scope.kind == "person":
        query = query.where(User.id == scope.user_id)
    return list(db.session.scalars(query.order_by(User.name, User.id)))


def gather(
    catalogue: Catalogue, scope: Scope, as_of: date, progress: Callable[[int, int], None] | None = None
) -> list[pack.PersonPack]:
    """Every covered person's lines as of the end of ``as_of``, CHUNK people at a time."""
    ids = people_in(scope, as_of)
    until = end_of(as_of)
    policy = _policy_at(scope.org_id, until)
    found: list[pack.PersonPack] = []
    if progress:
        progress(0, len(ids))
    for start in range(0, len(ids), CHUNK):
        found += _chunk(catalogue, ids[start : start + CHUNK], until, policy)
        if progress:
            progress(len(found), len(ids))
    return found


def _policy_at(org_id: int, until: datetime) -> Policy | None:
    query = select(Policy).where(Policy.org_id == org_id, Policy.published_at < until).order_by(Policy.id.desc())
    return db.session.scalar(query.limit(1))


def _chunk(catalogue: Catalogue, ids: list[int], until: datetime, policy: Policy | None) -> list[pack.PersonPack]:
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    teams = _grouped(select(team_members.c.user_id, Team.name).join(Team).where(team_members.c.user_id.in_(ids)))
    operated = _operated(ids)
    assigned = _assigned(ids, until)
    lessons = _lessons(ids, until)
    attempts, scores = _attempts(ids, until, catalogue)
    statements = _statements(ids, until)
    acknowledged = _acknowledged(ids, policy, until)
    cycle_rows = _grouped(select(Certification.user_id, Certification).where(Certification.user_id.in_(ids)))
    found = []
    for uid in ids:
        user = users[uid]
        history = [plain(c) for c in cycle_rows.get(uid, [])]
        # today's role is known; a past date's is the role of the newest cycle by then
        role_id = user.role if until > utcnow() else certification.role_at(history, until, user.role)
        role = catalogue.roles.get(role_id)
        person = pack.Person(
            uid,
            user.name,
            user.email,
            role_id,
            role.name if role else role_id,
            tuple(sorted(teams.get(uid, []))),
            user.external,
            user.agency,
            user.active,
        )
        skills = {s: catalogue.skills[s].name for s in (role.targets if role else {}) if s in catalogue.skills}
        by_attempt = {
            a.id: _statement_ids(statements, uid, f"scenario:{a.scenario_id}", a.finished_at)
            for a in attempts.get(uid, [])
        }
        found.append(
            pack.PersonPack(
                person=person,
                standing=certification.standing(history, role_id, until),
                policy_version=policy.version if policy else None,
                policy_acknowledged_at=acknowledged.get(uid),
                workflows=tuple(operated.get(uid, [])),
                work=_work(
                    catalogue,
                    user.id,
                    role_id,
                    assigned.get(uid, {}),
                    lessons.get(uid, {}),
                    attempts.get(uid, []),
                    statements,
                ),
                skills=pack.skill_lines(scores.get(uid, []), skills, role.targets if role else {}, by_attempt),
            )
        )
    return found


def _grouped(query) -> dict[int, list]:
    found: dict[int, list] = {}
    for key, value in db.session.execute(query):
        found.setdefault(key, []).append(value)
    return found


def _operated(ids: list[int]) -> dict[int, list[pack.Operated]]:
    query = (
        select(workflow_operators.c.user_id, Workflow.name, Workflow.stage, Workflow.tools)
        .join(Workflow, Workflow.id == workflow_operators.c.workflow_id)
        .where(workflow_operators.c.user_id.in_(ids))
        .order_by(Workflow.name)
    )
    found: dict[int, list[pack.Operated]] = {}
    for uid, name, stage, tools in db.session.execute(query):
        found.setdefault(uid, []).append(pack.Operated(name, stage, tools or ""))
    return found


def _assigned(ids: list[int], until: datetime) -> dict[int, dict[str, list[tuple[str, str]]]]:
    """Per person: each cohort they had joined by then, with its (kind, ref) assignments."""
    query = (
        select(CohortMember.user_id, Cohort.name, CohortAssignment.kind, CohortAssignment.ref)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .join(CohortAssignment, CohortAssignment.cohort_id == Cohort.id)
        .where(CohortMember.user_id.in_(ids), CohortMember.added_at < until)
    )
    found: dict[int, dict[str, list[tuple[str, str]]]] = {}
    for uid, cohort, kind, ref in db.session.execute(query):
        found.setdefault(uid, {}).setdefault(cohort, []).append((kind, ref))
    return found


def _lessons(ids: list[int], until: datetime) -> dict[int, dict[str, datetime]]:
    query = select(LessonCompletion.user_id, LessonCompletion.lesson_id, LessonCompletion.completed_at).where(
        LessonCompletion.user_id.in_(ids), LessonCompletion.completed_at < until
    )
    found: dict[int, dict[str, datetime]] = {}
    for uid, lesson, at in db.session.execute(query):
        found.setdefault(uid, {})[lesson] = at
    return found


def _attempts(ids: list[int], until: datetime, catalogue: Catalogue):
    """Per person: their finished assessed attempts by then, and each one's skill scores with the
    points its scenario can award in the skill."""
    query = (
        select(
            Attempt.id,
            Attempt.user_id,
            Attempt.scenario_id,
            Attempt.content_version,
            Attempt.finished_at,
            SkillScore.skill_id,
            SkillScore.score,
        )
        .join(SkillScore, SkillScore.attempt_id == Attempt.id)
        .where(Attempt.user_id.in_(ids), Attempt.kind == ASSESSED, Attempt.finished_at < until)
        .order_by(Attempt.id)
    )
    best = {sid: s.best for sid, s in catalogue.scenarios.items()}
    attempts: dict[int, dict[int, object]] = {}
    scores: dict[int, list[pack.Attempted]] = {}
    for row in db.session.execute(query):
        attempts.setdefault(row.user_id, {})[row.id] = row
        available = best.get(row.scenario_id, {}).get(row.skill_id, 0)
        scores.setdefault(row.user_id, []).append(
            pack.Attempted(row.id, row.scenario_id, row.skill_id, row.score, available, row.finished_at)
        )
    return {uid: list(rows.values()) for uid, rows in attempts.items()}, scores


def _statements(ids: list[int], until: datetime) -> dict[tuple[int, str, datetime], tuple[str, ...]]:
    """The ids of the xAPI statements that record completions: per (person, activity, moment)."""
    query = (
        select(
            OutboxStatement.user_id, OutboxStatement.activity, OutboxStatement.timestamp, OutboxStatement.statement_id
        )
        .where(
            OutboxStatement.user_id.in_(ids),
            OutboxStatement.timestamp < until,
            OutboxStatement.verb.in_(("completed", "passed", "failed")),
        )
        .order_by(OutboxStatement.id)
    )
    found: dict[tuple[int, str, datetime], tuple[str, ...]] = {}
    for uid, activity, at, statement_id in db.session.execute(query):
        key = (uid, activity, _ms(at))
        found[key] = (*found.get(key, ()), statement_id)
    return found


def _ms(moment: datetime) -> datetime:
    """xAPI timestamps keep milliseconds: a completion and its statement meet at that precision."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _statement_ids(statements: dict, user_id: int, activity: str, at: datetime | None) -> tuple[str, ...]:
    return statements.get((user_id, activity, _ms(at)), ()) if at else ()


def _acknowledged(ids: list[int], policy: Policy | None, until: datetime) -> dict[int, datetime]:
    if policy is None:
        return {}
    query = select(PolicyAcknowledgement.user_id, PolicyAcknowledgement.at).where(
        PolicyAcknowledgement.policy_id == policy.id,
        PolicyAcknowledgement.user_id.in_(ids),
        PolicyAcknowledgement.at < until,
    )
    return dict(db.session.execute(query).all())


def _work(catalogue, user_id, role, cohorts, lessons, attempts, statements) -> tuple[pack.Work, ...]:
    """The person's role track and whatever their cohorts assigned, each item once with the cohorts
    that assigned it; a scenario is done at its newest finished assessed attempt by then."""
    sources: dict[tuple[str, str], list[str]] = {}
    for name, pairs in [(TRACK, [("track", "")]), *sorted(cohorts.items())]:
        work = assignments.work_for(catalogue, pairs, role)
        for lesson in work.lessons:
            sources.setdefault(("lesson", lesson), []).append(name)
        for scenario in work.scenarios:
            sources.setdefault(("scenario", scenario), []).append(name)
    newest = {}
    for attempt in attempts:
        newest[attempt.scenario_id] = attempt  # attempts come in id order: the last is the newest
    found = []
    for (kind, ref), names in sources.items():
        if kind == "lesson":
            lesson = catalogue.lesson(ref)
            at = lessons.get(ref)
            ids = _statement_ids(statements, user_id, f"lesson:{ref}", at)
            found.append(
                pack.Work(
                    kind, ref, lesson.title if lesson else ref, tuple(names), lesson.version if lesson else "", at, ids
                )
            )
        else:
            scenario, attempt = catalogue.scenarios.get(ref), newest.get(ref)
            version = attempt.content_version if attempt else (scenario.version if scenario else "")
            at = attempt.finished_at if attempt else None
            ids = _statement_ids(statements, user_id, f"scenario:{ref}", at)
            found.append(pack.Work(kind, ref, scenario.title if scenario else ref, tuple(names), version, at, ids))
    return tuple(found)


# --- rendering -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    organisation: str
    label: str
    as_of: date
    generated_at: datetime
    people: list[pack.PersonPack]
    policy_version: str | None = None  # the AI-use policy version current at the as-of date
    rules: tuple = ()  # (role name, certification rule) in force when the pack was made


def render(fmt: str, found: Rendered, catalogue: Catalogue) -> bytes:
    if fmt == "csv":
        return to_csv(pack.CSV_HEADER, pack.csv_rows(found.people)).encode()
    if fmt == "json":
        body = {
            "organisation": found.organisation,
            "covers": found.label,
            "as_of": found.as_of.isoformat(),
            "generated_at": found.generated_at.isoformat(timespec="seconds"),
            "summary": _summary_json(pack.summary(found.people, found.policy_version)),
            "certification_rules": [_rule_json(name, rule, catalogue) for name, rule in found.rules],
            "methods": "docs/compliance.md",
            "people": [pack.person_json(p) for p in found.people],
        }
        return json.dumps(body, indent=2, ensure_ascii=False).encode()
    if fmt == "pdf":
        from weasyprint import HTML  # imported when needed: it loads Pango

        html = render_template(
            "evidence/pack.html",
            pack=found,
            summary=pack.summary(found.people, found.policy_version),
            firm_width=metrics.LOW_CONFIDENCE_WIDTH,
            teams=_by_team(found.people),
            catalogue=catalogue,
            statuses=certification.STATUSES,
        )
        return HTML(string=html).write_pdf()
    raise Refused(f"Unknown format {fmt!r}.")


def _rule_json(role: str, rule, catalogue: Catalogue) -> dict:
    targets = catalogue.roles[rule.role].targets
    return {
        "role": role,
        "valid_months": rule.valid_months,
        "renew_days_before_expiry": rule.renew_days,
        "policy_required": rule.require_policy,
        "skills": rule.skills_for(targets),
    }


def _summary_json(found: pack.Summary) -> dict:
    return {
        "people": found.people,
        "staff": found.staff,
        "external": found.external,
        "certification": found.statuses,
        "policy_version": found.policy_version,
        "policy_acknowledged": found.policy_acknowledged,
        "mean_change_by_skill": found.mean_change,
        "people_with_a_change_by_skill": found.changed,
    }


def _by_team(people: list[pack.PersonPack]) -> list[tuple[str, list[pack.PersonPack]]]:
    """The per-team tables: each team with its people (someone in two teams is in both), then those
    in no team."""
    teams: dict[str, list[pack.PersonPack]] = {}
    for p in people:
        for team in p.person.teams or ("No team",):
            teams.setdefault(team, []).append(p)
    return sorted(teams.items(), key=lambda item: (item[0] == "No team", item[0]))


def build_file(catalogue: Catalogue, scope: Scope, as_of: date, fmt: str, progress=None) -> tuple[bytes, str]:
    """The pack's file and its label: what the command line writes and the background build stores."""
    organisation = db.session.get(Organization, scope.org_id)
    label = describe(scope)
    people = gather(catalogue, scope, as_of, progress)
    policy = _policy_at(scope.org_id, end_of(as_of))
    rules = tuple((catalogue.roles[r].name, rule) for r, rule in cycles.rules(scope.org_id, catalogue).items())
    found = Rendered(organisation.name, label, as_of, utcnow(), people, policy.version if policy else None, rules)
    return render(fmt, found, catalogue), label


def describe(scope: Scope) -> str:
    if scope.kind == "team":
        team = db.session.get(Team, scope.team_id)
        return f"Team {team.name}" if team else "A team"
    if scope.kind == "person":
        user = db.session.get(User, scope.user_id)
        return f"{user.name} ({user.email})" if user else "A person"
    return "The whole organisation"


def filename(scope: Scope, as_of: date, fmt: str, slug: str) -> str:
    part = {"team": f"team-{scope.team_id}", "person": f"person-{scope.user_id}"}.get(scope.kind, "organisation")
    return f"evidence-{slug}-{part}-{as_of.isoformat()}.{fmt}"


# --- requested packs, built in the background ---------------------------------------------------


def request(scope: Scope, as_of: date, fmt: str, today: date) -> EvidencePack:
    """A queued pack (an audit entry says who asked for what); :class:`Refused` for a date in the
    future, an unknown format or a team or person not of the organisation."""
    if fmt not in pack.FORMATS:
        raise Refused("Choose CSV, JSON or PDF.")
    if as_of > today:
        raise Refused("The as-of date is in the future: evidence can only be shown up to today.")
    if scope.kind == "team" and db.session.scalar(select(Team.org_id).where(Team.id == scope.team_id)) != scope.org_id:
        raise Refused("Choose one of your organisation's teams.")
    if (
        scope.kind == "person"
        and db.session.scalar(select(User.org_id).where(User.id == scope.user_id)) != scope.org_id
    ):
        raise Refused("Choose someone of your organisation.")
    who = origin.actor.get()
    row = EvidencePack(
        org_id=scope.org_id,
        requested_by=who[1] if who else "command line",
        scope=scope.kind,
        team_id=scope.team_id,
        user_id=scope.user_id,
        label=describe(scope),
        as_of=as_of,
        format=fmt,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(scope.org_id, "evidence.pack", row.label, format=fmt, as_of=as_of.isoformat(), pack=row.id)
    return row


def scope_of(row: EvidencePack) -> Scope:
    return Scope(row.org_id, row.scope, row.team_id, row.user_id)


def build(catalogue: Catalogue, pack_id: int) -> None:
    """Build one queued pack, saving progress after each chunk and the file at the end (each in its
    own commit, so other requests see them); a failure is saved with its message."""
    row = db.session.get(EvidencePack, pack_id)
    if row is None or row.status not in ("queued", "building"):
        return
    slug = db.session.scalar(select(Organization.slug).where(Organization.id == row.org_id))
    _save(pack_id, status="building")

    def progress(done: int, total: int) -> None:
        _save(pack_id, done=done, total=total)

    try:
        content, _ = build_file(catalogue, scope_of(row), row.as_of, row.format, progress)
    except Exception as failure:  # saved for the page to show; the log has the traceback
        db.session.rollback()
        _save(pack_id, status="failed", error=str(failure)[:500], finished_at=utcnow())
        raise
    name = filename(scope_of(row), row.as_of, row.format, slug)
    _save(pack_id, status="ready", content=content, filename=name, finished_at=utcnow())


def _save(pack_id: int, **values) -> None:
    db.session.execute(update(EvidencePack).where(EvidencePack.id == pack_id).values(updated_at=utcnow(), **values))
    db.session.commit()


def start(app: Flask, pack_id: int) -> threading.Thread:
    """Build the pack in a thread of this process, with its own app context and database session."""

    def run() -> None:
        with app.app_context():
            try:
                build(app.extensions["catalogue"], pack_id)
            except Exception:  # already saved as failed; log it, do not kill the server
                app.logger.exception("evidence pack %s failed", pack_id)

    thread = threading.Thread(target=run, name=f"evidence-pack-{pack_id}", daemon=True)
    thread.start()
    return thread


def start_after_commit(app: Flask, pack_id: int) -> None:
    """Start the build once the request that queued the pack has committed it (a rolled-back request
    starts nothing), so the thread finds the row."""

    def go(_session) -> None:
        start(app, pack_id)

    event.listen(db.session(), "after_commit", go, once=True)


def requested(org_id: int, limit: int = 20) -> list[EvidencePack]:
    query = select(EvidencePack).where(EvidencePack.org_id == org_id).order_by(EvidencePack.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def one(org_id: int, pack_id: int) -> EvidencePack | None:
    """The organisation's pack (None for another's), marked failed if its build has stalled."""
    row = db.session.scalar(select(EvidencePack).where(EvidencePack.id == pack_id, EvidencePack.org_id == org_id))
    if row is not None and row.status in ("queued", "building") and utcnow() - row.updated_at > STALLED_AFTER:
        row.status, row.error = "failed", "The build stopped (its server restarted): request the pack again."
        db.session.flush()
    return row
