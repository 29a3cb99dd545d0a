"""Demo organisation: teams per role, learners with realistic history, a manager and a leader.

Idempotent: running it again finds the organisation and changes nothing. The history is written in
bulk, as an import would be, and `learning.record.history_imported` then applies what follows from
it (read models, xAPI statements), the same consequences live recording has.
"""

from __future__ import annotations

import functools
import json
import random
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from literacy.cohorts.tables import Cohort, CohortAssignment, CohortMember
from literacy.content.types import Catalogue, Scenario
from literacy.evidence import cycles
from literacy.evidence import policy as policies
from literacy.evidence.certification import Rule
from literacy.evidence.tables import PolicyAcknowledgement
from literacy.insights.metrics import critical_skills
from literacy.learning import assessment, engine, record
from literacy.learning.tables import AttemptStep, LessonCompletion
from literacy.people.tables import Organization, Team, User
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db
from literacy.workflows import services

ORG_SLUG = "northbeam"
PASSWORD = "demo-password"
FIRST = ["Priya", "Tom", "Amara", "Lukas", "Sofia", "Daniel", "Mei", "Jonas", "Chloe", "Rafael", "Nadia", "Owen"]
LAST = ["Shah", "Becker", "Okafor", "Meyer", "Rossi", "Kim", "Chen", "Larsen", "Dubois", "Silva", "Haddad", "Walsh"]
LEARNERS_PER_ROLE = 8
# people of agencies working on Northbeam's AI (EU AI Act Article 4 covers them too): a paid-media
# contractor and a PR agency's account lead, both operators of their team's workflows, and a
# content studio's copywriter
EXTERNAL = {
    "paid-media.2@northbeam.example": "Northlight Media",
    "pr.3@northbeam.example": "Brightpath PR",
    "content-brand.7@northbeam.example": "Fernwood Content Studio",
}


def load_demo(catalogue: Catalogue, seed: int = 7) -> list[tuple[str, str, str]]:
    """Create the demo organisation once; return (email, password, description) for each login."""
    org = db.session.scalar(select(Organization).where(Organization.slug == ORG_SLUG))
    if org is None:
        _create(catalogue, random.Random(seed))
    logins = [
        ("leader@northbeam.example", PASSWORD, "leader (sees the whole organisation)"),
        ("manager@northbeam.example", PASSWORD, "enablement manager"),
        ("admin@northbeam.example", PASSWORD, "administrator"),
    ]
    for role in catalogue.roles:
        logins.append((f"{role}.1@northbeam.example", PASSWORD, f"learner, {catalogue.roles[role].name}"))
    return logins


def _create(catalogue: Catalogue, rng: random.Random) -> None:
    org = Organization(name="Northbeam Retail", slug=ORG_SLUG)
    db.session.add(org)
    first_role = next(iter(catalogue.roles))
    for access in ("leader", "manager", "admin"):
        _user(org, f"{access}@northbeam.example", f"{access.capitalize()} Demo", first_role, access)
    names = iter(f"{first} {last}" for last in LAST for first in FIRST)
    now = utcnow()
    learners: list[User] = []
    for role in catalogue.roles.values():
        team = Team(organization=org, name=f"{role.name} team", role=role.id)
        db.session.add(team)
        for n in range(1, LEARNERS_PER_ROLE + 1):
            user = _user(org, f"{role.id}.{n}@northbeam.example", next(names), role.id, "learner")
            team.members.append(user)
            learners.append(user)
            db.session.flush()
            _history(user, catalogue, role.id, rng, now, skill=rng.uniform(0.3, 0.95), activity=n)
    _cohorts(org, catalogue, learners, now.date())
    _policy_and_rules(org, catalogue, learners, rng, now)
    # read models, certifications and xAPI statements
    record.history_imported(catalogue, [u.id for u in learners])
    _workflows(org, catalogue, learners, now.date())
    cycles.renew_due(catalogue, now)  # recertification cohorts for certifications about to expire
    db.session.commit()


FINISHERS = (3, 4, 5)  # learners of each role who finish their track (see _history)
SHORT_CERTIFICATION_ROLE = "pr"  # certified for three months, so the demo shows renewals and lapses


def _policy_and_rules(org: Organization, catalogue: Catalogue, learners: list[User], rng, now: datetime) -> None:
    """The AI-use policy, published five months ago and signed by most people (at the dates they
    would have), and a shorter certification period for one role."""
    db.session.flush()
    policy = policies.publish(org.id, "2026-v1", DEMO_POLICY)
    policy.published_at = now - timedelta(days=150)
    for user in learners:
        if rng.random() < 0.8:
            signed_at = policy.published_at + timedelta(days=rng.randint(1, 140), hours=rng.randint(0, 9))
            db.session.add(PolicyAcknowledgement(policy_id=policy.id, user_id=user.id, name=user.name, at=signed_at))
    if SHORT_CERTIFICATION_ROLE in catalogue.roles:
        cycles.set_rule(org.id, catalogue, Rule(SHORT_CERTIFICATION_ROLE, valid_months=3, renew_days=30))
    db.session.flush()


DEMO_POLICY = """## Northbeam's AI-use policy

1. **Approved tools only.** Use the AI tools on the approved list in the workflow registry. A new tool
   needs a registry entry with an owner before any customer data goes near it.
2. **No customer data in open tools.** Personal data (names, emails, order history, support
   transcripts) stays out of tools that are not approved for it, whatever the tool's settings say.
3. **A human approves what goes out.** Anything published, sent to customers or spent (copy, offers,
   budgets, press statements) is approved by the person named in the workflow's approval step.
4. **Label what the law asks you to label.** AI-generated or manipulated images, audio and video,
   and AI-written text published to inform the public on matters of public interest without human
   editorial review, are disclosed as the EU AI Act (Article 50) and our brand guidelines require.
5. **Say when it goes wrong.** A fault, a complaint or a result you cannot explain goes to the
   workflow's named contact the same day; stopping a workflow is never wrong.
"""


def _cohorts(org: Organization, catalogue: Catalogue, learners: list[User], today) -> None:
    """A running programme for everyone, and an overdue sprint for one role."""
    manager = db.session.scalar(select(User).where(User.email == "manager@northbeam.example"))
    manager.teams.extend(org.teams)  # the enablement manager sees every team's insights
    programme = Cohort(
        org_id=org.id,
        name="Autumn AI judgment programme",
        starts_on=today - timedelta(days=120),
        due_on=today + timedelta(days=21),
        requirement="at-target",
        stall_days=14,
        description="Every marketer takes their own role track: course and scenarios.",
    )
    programme.managers.append(manager)
    programme.assignments.append(CohortAssignment(kind="track", ref=""))
    programme.members.extend(CohortMember(user=u) for u in learners)
    db.session.add(programme)
    role = next(iter(catalogue.roles))
    sprint = Cohort(
        org_id=org.id,
        name=f"{catalogue.roles[role].name} scenario sprint",
        starts_on=today - timedelta(days=60),
        due_on=today - timedelta(days=5),
        requirement="complete",
        stall_days=7,
        description="Two scenarios in a fortnight, then a team debrief.",
    )
    sprint.managers.append(manager)
    for scenario in catalogue.role_scenarios(role)[:2]:
        sprint.assignments.append(CohortAssignment(kind="scenario", ref=scenario.id))
    sprint.members.extend(CohortMember(user=u) for u in learners if u.role == role)
    db.session.add(sprint)


# The registry a 200-person marketing organisation starts with (the domain brief's list of where AI
# already influences decisions), in every stage and state: (name, role of the team that runs it,
# kind, stage, days in that stage, days since the last review, data sources as (name, rating, days
# since checked), fields left empty, whether it has an owner).
DEMO_WORKFLOWS = [
    (
        "Win-back audience builder",
        "lifecycle",
        "audience-building",
        "production",
        210,
        20,
        [("CRM suppression list", "ready", 7), ("Order history", "ready", 20)],
        (),
        True,
    ),
    (
        "Vendor predictive lead score v2",
        "revops",
        "lead-scoring",
        "production",
        300,
        130,
        [("CRM outcomes, last 24 months", "gaps", 130)],
        (),
        True,
    ),
    (
        "Paid social bid strategy",
        "paid-media",
        "bid-budget-automation",
        "production",
        160,
        30,
        [("Conversions API feed", "gaps", 30), ("Offline sales upload", "ready", 12)],
        (),
        True,
    ),
    (
        "Firmographic enrichment vendor",
        "revops",
        "data-enrichment",
        "production",
        400,
        45,
        [("Vendor firmographic feed", "not-ready", 10)],
        (),
        True,
    ),
    (
        "Product page copy generator",
        "content-brand",
        "content-generation",
        "production",
        90,
        10,
        [("Product information system", "ready", 5), ("Claims register", "ready", 10)],
        (),
        True,
    ),
    (
        "Press statement drafting assistant",
        "pr",
        "content-generation",
        "pilot",
        200,
        0,
        [("Approved facts library", "gaps", 60)],
        ("fault_stop", "tracing"),
        True,
    ),
    (
        "Media-monitoring summariser",
        "pr",
        "press-social-monitoring",
        "pilot",
        60,
        0,
        [("Monitoring vendor feed", "gaps", 20)],
        ("fault_noticed", "fault_contact", "fault_stop"),
        False,
    ),
    (
        "SDR email agent",
        "revops",
        "automated-follow-up",
        "pilot",
        45,
        0,
        [("CRM contacts and opt-outs", "gaps", 3)],
        ("outcome_measure",),
        True,
    ),
    (
        "Social reply assistant",
        "social-community",
        "support-routing",
        "pilot",
        150,
        0,
        [("Help-centre articles", "gaps", 90)],
        (),
        False,
    ),
    (
        "Weekly pipeline reporting agent",
        "revops",
        "campaign-reporting",
        "experiment",
        20,
        0,
        [],
        ("tracing", "fault_stop"),
        True,
    ),
    ("Creative variant generator", "paid-media", "creative-versioning", "retired", 30, 0, [], (), True),
]


def _workflows(org: Organization, catalogue: Catalogue, learners: list[User], today) -> None:
    """About ten realistic AI workflows, each run by the team of its role, through the registry's own
    services so their history starts as a real one would."""
    admin = db.session.scalar(select(User).where(User.email == "admin@northbeam.example"))
    leader = db.session.scalar(select(User).where(User.email == "leader@northbeam.example"))
    teams = {t.role: t for t in org.teams}
    for name, role, kind, stage, days, reviewed, sources, empty, owned in DEMO_WORKFLOWS:
        if role not in catalogue.roles:
            continue
        people = [u for u in learners if u.role == role]
        filled = {
            "purpose": f"{name}: where AI already influences {catalogue.workflow_kinds[kind].name.lower()} decisions.",
            "tools": "Vendor platform with AI features; model version pinned in the change log.",
            "ai_may": "Propose and prepare; act alone only within the limits in the runbook.",
            "needs_approval": "Anything that changes spend, audience, claims or a customer-facing message.",
            "outcome_measure": "Incremental result against a holdout, reported monthly.",
            "tracing": "Each run logs its inputs, rule version and model version.",
            "fault_noticed": "Alert on the daily QA sample and on complaint or anomaly thresholds.",
            "fault_contact": f"The owner, then the head of the {catalogue.roles[role].name.lower()} team.",
            "fault_stop": "Pause switch in the platform; the runbook lists the manual fallback.",
        }
        details = services.Details(
            name=name,
            kind=kind if kind in catalogue.workflow_kinds else "",
            owner_id=people[0].id if owned and people else None,
            team_id=teams[role].id,
            approver_id=leader.id,
            review_days=90,
            touches_revenue=kind in ("lead-scoring", "bid-budget-automation", "audience-building"),
            touches_reputation=kind in ("content-generation", "support-routing", "press-social-monitoring"),
            touches_customer_data=kind in ("audience-building", "data-enrichment", "automated-follow-up"),
            roles=(role,),
            required_skills=tuple(sorted(critical_skills(catalogue.roles[role].targets))),
            operator_ids=tuple(u.id for u in people[:4]),
            **{field: ("" if field in empty else value) for field, value in filled.items()},
        )
        workflow = services.create(org.id, admin, details, "experiment", today)
        for source, rating, checked in sources:
            services.save_source(workflow, admin, None, source, rating, today - timedelta(days=checked))
        if reviewed or stage == "production":
            services.log_review(workflow, admin, "Quarterly review with the owner.", today - timedelta(days=reviewed))
        services.change_stage(workflow, admin, stage, today)
        workflow.stage_since = today - timedelta(days=days)
    db.session.flush()


def _user(org: Organization, email: str, name: str, role: str, access: str) -> User:
    user = User(organization=org, email=email, name=name, role=role, access=access, password_hash=_demo_hash())
    user.external, user.agency = email in EXTERNAL, EXTERNAL.get(email, "")
    db.session.add(user)
    return user


@functools.cache
def _demo_hash() -> str:
    """Every demo account shares one password, so hash it once (a strong hash takes a moment)."""
    return generate_password_hash(PASSWORD, method=current_app.config["PASSWORD_HASH_METHOD"])


def _history(
    user: User, catalogue: Catalogue, role: str, rng: random.Random, now: datetime, skill: float, activity: int
) -> None:
    """Lessons read and scenario attempts spread over the last six months; learner 1 starts fresh.
    Learners 3 to 5 of each role finish their track, starting up to eleven months ago, so the demo
    has certifications of every age."""
    if activity == 1:
        return
    course = catalogue.courses.get(role)
    lessons = course.lessons if course else ()
    finisher = activity in FINISHERS
    when = now - timedelta(days=rng.randint(150, 330) if finisher else rng.randint(60, 180))
    skill = max(skill, 0.96) if finisher else skill
    for lesson in lessons if finisher else lessons[: rng.randint(1, len(lessons))]:
        when += timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 8))
        db.session.add(LessonCompletion(user_id=user.id, lesson_id=lesson.id, completed_at=min(when, now)))
    cooldown = current_app.config["ASSESSMENT_COOLDOWN_DAYS"]
    for scenario in catalogue.role_scenarios(role):
        past: list[assessment.PastAttempt] = []
        attempts = rng.choice([0, 1, 1, 2, 3]) if activity > 2 else 1
        for attempt_no in range(max(attempts, 1) if finisher else attempts):
            when += timedelta(days=rng.randint(2, 20), hours=rng.randint(0, 10))
            if when >= now:
                return
            # learners improve with practice: later attempts choose well more often
            finish = not (activity == 2 and attempt_no == 0)
            kind = assessment.next_attempt(past, scenario.version, when, cooldown).kind
            past.append(_attempt(user, scenario, rng, when, min(0.98, skill + 0.12 * attempt_no), finish, kind))


def _attempt(
    user: User, scenario: Scenario, rng: random.Random, when: datetime, skill: float, finish: bool, kind: str
) -> assessment.PastAttempt:
    """Play a scenario with a learner who picks the best-scoring option with probability ``skill``."""
    state = engine.start(scenario)
    attempt = record.new_attempt(user.id, scenario, when, kind)
    stop_at = None if finish else rng.randint(1, 2)
    while not state.finished(scenario) and state.step != stop_at:
        options = engine.offered(scenario, state)
        best = max(options, key=lambda c: sum(c.effects.values()))
        choice = best if rng.random() < skill else rng.choice(options)
        when += timedelta(seconds=rng.randint(40, 180))
        result = engine.advance(scenario, state, choice.index)
        db.session.add(
            AttemptStep(
                attempt_id=attempt.id,
                step=result.state.step,
                node_id=state.node_id,
                choice_index=choice.index,
                choice_label=choice.label,
                target_id=result.state.node_id,
                created_at=when,
            )
        )
        state = result.state
    attempt.node_id, attempt.step, attempt.updated_at = state.node_id, state.step, when
    attempt.flags_json, attempt.totals_json = json.dumps(sorted(state.flags)), json.dumps(state.totals)
    if state.finished(scenario):
        attempt.finished_at, attempt.outcome = when, state.node(scenario).outcome
        record.add_scores(attempt.id, engine.score(scenario, state.totals), state.totals)
    return assessment.PastAttempt(attempt.id, kind, scenario.version, attempt.started_at, attempt.finished_at)
