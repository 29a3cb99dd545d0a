"""Certification cycles in the database: each organisation's per-role rules, each person's cycles,
certifying when the evidence meets the rule (on the learning-event path), opening recertification
cycles before expiry with the work assigned again in a recertification cohort, and admins' overrides.
The rules themselves are ``evidence.certification``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from literacy.cohorts.tables import Cohort, CohortAssignment, CohortMember
from literacy.content.types import Catalogue
from literacy.evidence import audit, certification
from literacy.evidence.certification import Cycle, Rule, Standing
from literacy.evidence.tables import Certification, CertificationRule, Policy, PolicyAcknowledgement
from literacy.insights.tables import Evidence
from literacy.learning.assessment import ASSESSED
from literacy.learning.tables import Attempt, LessonCompletion
from literacy.mail import messages, outbox
from literacy.people.tables import Team, User
from literacy.platform.clock import utcnow
from literacy.platform.database import column_rows
from literacy.platform.extensions import db
from literacy.workflows.readiness import EVIDENCE_DAYS, SkillEvidence


class Refused(Exception):
    """An override or a rule that cannot be saved; the message says why."""


# --- rules -------------------------------------------------------------------------------------


def rules(org_id: int, catalogue: Catalogue) -> dict[str, Rule]:
    """Every role's rule in the organisation: its own setting, or the defaults."""
    query = select(CertificationRule).where(CertificationRule.org_id == org_id)
    stored = {r.role: r for r in db.session.scalars(query)}
    return {role: _rule(stored.get(role), role) for role in catalogue.roles}


def _rule(row: CertificationRule | None, role: str) -> Rule:
    if row is None:
        return Rule(role)
    skills = tuple(s for s in row.skills.split(",") if s)
    return Rule(role, row.valid_months, row.renew_days, row.require_policy, skills)


def set_rule(org_id: int, catalogue: Catalogue, rule: Rule) -> None:
    """Save one role's rule (an audit entry says what changed). Cycles already certified keep their
    expiry; the new rule applies to the next certification."""
    if rule.role not in catalogue.roles:
        raise Refused("Choose one of the roles.")
    if not 1 <= rule.valid_months <= certification.MAX_VALID_MONTHS:
        raise Refused(f"A certification is valid for 1 to {certification.MAX_VALID_MONTHS} months.")
    if not 1 <= rule.renew_days <= 180:
        raise Refused("Recertification opens 1 to 180 days before expiry.")
    unknown = [s for s in rule.skills if s not in catalogue.skills]
    if unknown:
        raise Refused(f"Unknown skills: {', '.join(unknown)}.")
    query = select(CertificationRule).where(CertificationRule.org_id == org_id, CertificationRule.role == rule.role)
    row = db.session.scalar(query) or CertificationRule(org_id=org_id, role=rule.role)
    before = _rule(row if row.id else None, rule.role)
    row.valid_months, row.renew_days = rule.valid_months, rule.renew_days
    row.require_policy, row.skills = rule.require_policy, ",".join(rule.skills)
    db.session.add(row)
    db.session.flush()
    changed = {k: v for k, v in rule.__dict__.items() if getattr(before, k) != v and k != "role"}
    if changed:
        was = {k: getattr(before, k) for k in changed}
        audit.record(org_id, "certification.rule", catalogue.roles[rule.role].name, **_plain(changed), was=_plain(was))
        # a relaxed rule may be met already: certified from now, when the rule changed
        people = select(User.id).where(User.org_id == org_id, User.role == rule.role, User.active.is_(True))
        refresh(catalogue, list(db.session.scalars(people)), not_before=utcnow())


def _plain(values: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


# --- reading cycles ----------------------------------------------------------------------------


def _cycles(user_ids: Iterable[int]) -> dict[int, list[Certification]]:
    ids = list(set(user_ids))
    found: dict[int, list[Certification]] = {uid: [] for uid in ids}
    if ids:
        query = select(Certification).where(Certification.user_id.in_(ids)).order_by(Certification.number)
        for row in db.session.scalars(query):
            found[row.user_id].append(row)
    return found


def plain(row: Certification) -> Cycle:
    return Cycle(row.number, row.role, row.opened_at, row.certified_at, row.expires_at, row.revoked_at)


def standings(people: Iterable[User], as_of: datetime | None = None, among=None) -> dict[int, Standing]:
    """Each person's standing in their current role at ``as_of`` (now by default), in one query.
    ``people``: users, or rows with their ``id`` and ``role``; ``among``: a select of (at least) their
    ids, to read their cycles with instead of a list of the ids (ids beyond ``people`` are ignored)."""
    people = list(people)
    as_of = as_of or utcnow()
    found: dict[int, list[Cycle]] = {}
    if people:  # the fields ``plain`` copies, read as columns: no object for every cycle
        c = Certification
        query = (
            select(c.user_id, c.number, c.role, c.opened_at, c.certified_at, c.expires_at, c.revoked_at)
            .where(c.user_id.in_(among if among is not None else list({p.id for p in people})))
            .order_by(c.number)
        )
        for user_id, *cycle in column_rows(query):
            found.setdefault(user_id, []).append(Cycle(*cycle))
    never = certification.standing((), "", as_of)  # without cycles the role makes no difference: one for all
    return {p.id: certification.standing(found[p.id], p.role, as_of) if p.id in found else never for p in people}


def history(user: User) -> list[Certification]:
    """Every cycle of the person, newest first: the archive of earlier cycles."""
    return list(reversed(_cycles([user.id])[user.id]))


def attempts_per_cycle(user: User, rows: list[Certification]) -> dict[int, int]:
    """How many assessed attempts the person finished in each of their cycles (one query)."""
    query = select(Attempt.finished_at).where(
        Attempt.user_id == user.id, Attempt.kind == ASSESSED, Attempt.finished_at.is_not(None)
    )
    return certification.attempts_per_cycle([plain(r) for r in rows], db.session.scalars(query))


# --- certifying on the learning-event path -----------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    user: User
    cycle: Certification | None  # the open cycle; None: a first certification in this role, not stored yet

    @property
    def since(self) -> datetime | None:
        return self.cycle.opened_at if self.cycle is not None else None


def refresh(
    catalogue: Catalogue, user_ids: list[int], now: datetime | None = None, not_before: datetime | None = None
) -> int:
    """Certify whoever of ``user_ids`` now meets their role's rule inside their open cycle (or, with
    no cycle in their role yet, on all their evidence). Called by ``learning.record`` after the read
    models, and after a policy acknowledgement, in the same transaction. How many were certified."""
    now = now or utcnow()
    candidates = _candidates(user_ids)
    if not candidates:
        return 0
    progress = _progress(catalogue, candidates, now)
    certified = 0
    rules_by_org: dict[int, dict[str, Rule]] = {}
    for candidate in candidates:
        user = candidate.user
        rule = rules_by_org.setdefault(user.org_id, rules(user.org_id, catalogue))[user.role]
        targets = catalogue.roles[user.role].targets
        found = progress[user.id]
        if certification.met(certification.requirements(rule, targets, found)):
            # certified when the rule was met: the newest evidence it counts (history imported in
            # bulk keeps its dates), never before the cycle opened
            moments = [t for t in (found.latest_at, candidate.since, not_before) if t]
            _certify(candidate, rule, max(moments, default=now))
            certified += 1
    db.session.flush()
    return certified


def _candidates(user_ids: list[int]) -> list[Candidate]:
    people = [
        u for u in db.session.scalars(select(User).where(User.id.in_(user_ids))) if u.org_id is not None and u.active
    ]
    cycles = _cycles(u.id for u in people)
    found = []
    for user in people:
        rows, open_row = cycles[user.id], _open_row(cycles[user.id], user.role)
        if open_row is not None or not any(c.role == user.role for c in rows):
            found.append(Candidate(user, open_row))
    return found


def _open_row(rows: list[Certification], role: str) -> Certification | None:
    """The cycle the person works in for ``role``: the newest of the role, if not certified yet."""
    mine = [c for c in rows if c.role == role]
    return mine[-1] if mine and mine[-1].certified_at is None else None


def requirements_for(catalogue: Catalogue, user: User, now: datetime | None = None) -> list[certification.Requirement]:
    """What the person still needs for their open cycle (or first certification): each part of the rule."""
    now = now or utcnow()
    if user.org_id is None or user.role not in catalogue.roles:
        return []
    candidate = Candidate(user, _open_row(_cycles([user.id])[user.id], user.role))
    rule = rules(user.org_id, catalogue)[user.role]
    progress = _progress(catalogue, [candidate], now)[user.id]
    return certification.requirements(rule, catalogue.roles[user.role].targets, progress)


def _progress(catalogue: Catalogue, candidates: list[Candidate], now: datetime) -> dict[int, certification.Progress]:
    """Each candidate's evidence inside their cycle, in three queries (evidence, lessons, policy)."""
    ids = [c.user.id for c in candidates]
    evidence: dict[int, list] = {uid: [] for uid in ids}
    columns = (Evidence.scenario_id, Evidence.skill_id, Evidence.earned, Evidence.available, Evidence.finished_at)
    query = select(Evidence.user_id, *columns).where(Evidence.user_id.in_(ids))
    for row in db.session.execute(query):
        evidence[row.user_id].append(row)
    lessons: dict[int, dict[str, datetime]] = {uid: {} for uid in ids}
    query = select(LessonCompletion.user_id, LessonCompletion.lesson_id, LessonCompletion.completed_at)
    for uid, lesson_id, at in db.session.execute(query.where(LessonCompletion.user_id.in_(ids))):
        lessons[uid][lesson_id] = at
    policies = _policy_status(candidates)
    fresh_from = now - timedelta(days=EVIDENCE_DAYS)
    found = {}
    for candidate in candidates:
        user, since = candidate.user, candidate.since
        inside = [r for r in evidence[user.id] if since is None or r.finished_at >= since]
        course = catalogue.courses.get(user.role)
        course_lessons = tuple(lesson.id for lesson in course.lessons) if course else ()
        version, signed_at = policies.get(user.id, (None, None))
        moments = [lessons[user.id][i] for i in course_lessons if i in lessons[user.id]]
        moments += [r.finished_at for r in inside] + ([signed_at] if signed_at else [])
        found[user.id] = certification.Progress(
            lessons=course_lessons,
            lessons_done=frozenset(lessons[user.id]),
            scenarios=tuple(s.id for s in catalogue.role_scenarios(user.role)),
            scenarios_done=frozenset(r.scenario_id for r in inside),
            skills=_skill_evidence(inside, fresh_from),
            policy_version=version,
            policy_acknowledged=signed_at is not None,
            latest_at=max(moments, default=None),
        )
    return found


def _skill_evidence(rows: list, fresh_from: datetime) -> dict[str, SkillEvidence]:
    """Per skill: points over the fresh rows, how many, and the newest date (the registry's model)."""
    found: dict[str, list] = {}
    for row in rows:
        found.setdefault(row.skill_id, []).append(row)
    return {
        skill: SkillEvidence(
            sum(r.earned for r in skill_rows if r.finished_at >= fresh_from),
            sum(r.available for r in skill_rows if r.finished_at >= fresh_from),
            sum(r.finished_at >= fresh_from for r in skill_rows),
            max(r.finished_at for r in skill_rows),
        )
        for skill, skill_rows in found.items()
    }


def _policy_status(candidates: list[Candidate]) -> dict[int, tuple[str | None, datetime | None]]:
    """Per person: their organisation's current policy version and when they acknowledged it."""
    orgs = {c.user.org_id for c in candidates}
    current: dict[int, Policy] = {}
    for policy in db.session.scalars(select(Policy).where(Policy.org_id.in_(orgs)).order_by(Policy.id)):
        current[policy.org_id] = policy  # the newest wins
    if not current:
        return {}
    query = select(PolicyAcknowledgement.user_id, PolicyAcknowledgement.policy_id, PolicyAcknowledgement.at).where(
        PolicyAcknowledgement.policy_id.in_([p.id for p in current.values()]),
        PolicyAcknowledgement.user_id.in_([c.user.id for c in candidates]),
    )
    signed = {(uid, pid): at for uid, pid, at in db.session.execute(query)}
    found = {}
    for candidate in candidates:
        policy = current.get(candidate.user.org_id)
        if policy is not None:
            found[candidate.user.id] = (policy.version, signed.get((candidate.user.id, policy.id)))
    return found


def _certify(candidate: Candidate, rule: Rule, now: datetime, reason: str = "") -> Certification:
    row = candidate.cycle or _new_cycle(candidate.user, None)
    row.certified_at, row.expires_at = now, certification.add_months(now, rule.valid_months)
    row.override = reason
    db.session.add(row)
    return row


def _new_cycle(user: User, opened_at: datetime | None) -> Certification:
    newest = select(func.max(Certification.number)).where(Certification.user_id == user.id)
    number = (db.session.scalar(newest) or 0) + 1
    row = Certification(org_id=user.org_id, user_id=user.id, number=number, role=user.role, opened_at=opened_at)
    db.session.add(row)
    db.session.flush()
    return row


# --- recertification ---------------------------------------------------------------------------


def renew_due(catalogue: Catalogue, now: datetime | None = None) -> int:
    """Open a recertification cycle for everyone whose certification expires within their rule's
    renewal days (or has lapsed), put them in their role's recertification cohort for the month
    it is due, and tell them by email; take people who left or changed role out of those cohorts.
    Safe to run often: nobody gets a second open cycle. How many cycles were opened."""
    now = now or utcnow()
    _tidy_cohorts()
    latest = {}
    for row in db.session.scalars(select(Certification).order_by(Certification.number)):
        latest.setdefault(row.user_id, []).append(row)
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(latest), User.active.is_(True)))}
    opened = 0
    rules_by_org: dict[int, dict[str, Rule]] = {}
    for user_id, rows in latest.items():
        user = people.get(user_id)
        if user is None or user.org_id is None or user.role not in catalogue.roles:
            continue
        rule = rules_by_org.setdefault(user.org_id, rules(user.org_id, catalogue))[user.role]
        if certification.due_for_renewal([plain(r) for r in rows], rule, now):
            _open_recertification(catalogue, user, rows, now)
            opened += 1
    db.session.flush()
    return opened


def _open_recertification(catalogue: Catalogue, user: User, rows: list[Certification], now: datetime) -> None:
    standing = certification.standing([plain(r) for r in rows], user.role, now)
    cycle = _new_cycle(user, now)
    due_on = certification.recertification_due_on(standing, now.date())
    cohort = _recertification_cohort(catalogue, user, due_on, now.date())
    if not any(m.user_id == user.id for m in cohort.members):
        cohort.members.append(CohortMember(user_id=user.id, added_at=now))
    cycle.cohort_id = cohort.id
    _add_team_managers(cohort, user)
    role = catalogue.roles[user.role].name
    audit.record(
        user.org_id, "certification.renewal", user.email, cycle=cycle.number, cohort=cohort.name, due=str(due_on)
    )
    state = {"revoked": "was revoked", "lapsed": "has expired"}.get(standing.status, "expires")
    outbox.queue(
        "recertification",
        user.email,
        f"Recertify by {due_on:%d %B %Y}: your {role} certification {state}",
        "recertification",
        org_id=user.org_id,
        user_id=user.id,
        dedupe_key=f"recertification:{cycle.id}",
        person=user,
        role=role,
        standing=standing,
        due_on=due_on,
        org_name=messages.org_name(user),
        link=outbox.link("learn.home"),
    )


def _recertification_cohort(catalogue: Catalogue, user: User, due_on: date, today: date) -> Cohort:
    name = f"Recertification: {catalogue.roles[user.role].name}, due {due_on:%d %b %Y}"
    query = select(Cohort).where(Cohort.org_id == user.org_id, Cohort.name == name)
    cohort = db.session.scalar(query)
    if cohort is None:
        cohort = Cohort(
            org_id=user.org_id,
            name=name,
            description="Created by the platform: people whose certification in this role comes up for "
            "renewal. Only scenarios finished after joining count.",
            starts_on=today,
            due_on=due_on,
            requirement="at-target",
            recertification=True,
        )
        cohort.assignments.append(CohortAssignment(kind="track", ref=""))
        db.session.add(cohort)
        db.session.flush()
    return cohort


def _add_team_managers(cohort: Cohort, user: User) -> None:
    """The managers of the person's teams run the cohort with whoever ran it already."""
    managers = db.session.scalars(
        select(User)
        .join(User.teams)
        .where(Team.id.in_([t.id for t in user.teams]), User.access == "manager", User.active.is_(True))
    )
    for manager in managers:
        if manager not in cohort.managers:
            cohort.managers.append(manager)


def _tidy_cohorts() -> None:
    """Keep recertification cohorts up to date: people deactivated, or whose open cycle is of another
    role than theirs now, leave them."""
    query = (
        select(CohortMember, User)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .join(User, User.id == CohortMember.user_id)
        .where(Cohort.recertification.is_(True), Cohort.archived_at.is_(None))
    )
    rows = db.session.execute(query).all()
    open_roles = {
        (c.user_id, c.cohort_id): c.role
        for c in db.session.scalars(select(Certification).where(Certification.cohort_id.is_not(None)))
    }
    left = [m for m, user in rows if not user.active or open_roles.get((user.id, m.cohort_id), user.role) != user.role]
    for member in left:
        db.session.delete(member)
    db.session.flush()
    for cohort_id in {m.cohort_id for m in left}:
        db.session.expire(db.session.get(Cohort, cohort_id), ["members"])


# --- overrides ---------------------------------------------------------------------------------


def _leave_cohort(row: Certification) -> None:
    if row.cohort_id is not None:
        query = select(CohortMember).where(CohortMember.cohort_id == row.cohort_id, CohortMember.user_id == row.user_id)
        for member in db.session.scalars(query):
            db.session.delete(member)


def override(catalogue: Catalogue, user: User, action: str, reason: str, now: datetime | None = None) -> None:
    """An admin certifies a person by hand (``certify``) or revokes their certification (``revoke``),
    with a reason; both are audit entries and the cycle keeps the reason."""
    now = now or utcnow()
    reason = " ".join(reason.split())
    if not reason:
        raise Refused("Give the reason for the override: it is kept with the cycle and in the audit log.")
    if user.org_id is None or user.role not in catalogue.roles:
        raise Refused("This person has no role to be certified in.")
    cycles = _cycles([user.id])[user.id]
    found = certification.standing([plain(c) for c in cycles], user.role, now)
    if action == "certify":
        if found.status in ("certified", "renewing"):
            raise Refused("Already certified.")
        rule = rules(user.org_id, catalogue)[user.role]
        row = _certify(Candidate(user, _open_row(cycles, user.role)), rule, now, f"Certified by hand: {reason}")
        _leave_cohort(row)  # its work is no longer asked for: no reminders, no overdue nudges
    elif action == "revoke":
        if found.status not in ("certified", "renewing"):
            raise Refused("There is no valid certification to revoke.")
        row = next(c for c in cycles if c.number == found.cycle)
        row.revoked_at = now
        row.override = " · ".join(filter(None, (row.override, f"Revoked: {reason}")))
    else:
        raise Refused("Choose to certify or to revoke.")
    db.session.flush()
    audit.record(user.org_id, "certification.override", user.email, change=action, cycle=row.number, reason=reason)


# --- reading for the pages ---------------------------------------------------------------------


def in_organisation(
    org_id: int, as_of: datetime | None = None, team_ids=None, user_ids=None
) -> list[tuple[User, Standing]]:
    """Every active person of the organisation (or of ``team_ids``, or among ``user_ids``) with their
    standing, by name (two queries, whatever the size)."""
    query = select(User).where(User.org_id == org_id, User.active.is_(True)).order_by(User.name, User.id)
    if team_ids is not None:
        query = query.where(User.teams.any(Team.id.in_(team_ids)))
    if user_ids is not None:
        query = query.where(User.id.in_(user_ids))
    people = list(db.session.scalars(query))
    found = standings(people, as_of)
    return [(person, found[person.id]) for person in people]


def counts(rows: Iterable[tuple[User, Standing]]) -> dict[str, int]:
    """How many people stand in each status (every status listed, zero included)."""
    found = dict.fromkeys(certification.STATUSES, 0)
    for _, standing in rows:
        found[standing.status] += 1
    return found
