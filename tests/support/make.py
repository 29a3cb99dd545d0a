"""Factories: organisations, teams, people, cohorts and learning history, written straight to the database.

Each factory adds its rows to the session of the current app context and flushes, so the objects
have their ids; none commits. ``saved`` is the app context to build in: it commits at the end::

    with make.saved(app):
        org = make.organization("Org A")
        kim = make.user("kim@example.com", org=org, teams=[make.team(org, "CRM team")])
        make.cohort(org, managers=[make.user("boss@example.com", org=org, access="manager")], members=[kim])
        make.attempt(kim, STRONG)  # a finished attempt along support.STRONG; make.attempt(kim) is the same

Wherever a factory takes an organisation, team, user or cohort, it takes the object or its id.

History (attempts, lesson completions) then gets the consequences the app gives history written in
bulk (``learning.record.history_imported``): read models refreshed, xAPI statements stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import TypeVar

from flask import Flask, current_app

from literacy.cohorts.tables import Cohort, CohortAssignment, CohortMember
from literacy.evidence.tables import EvidencePack
from literacy.learning import engine, record
from literacy.learning.assessment import ASSESSED
from literacy.learning.tables import Attempt, AttemptStep, LessonCompletion
from literacy.people.tables import Organization, Team, User
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db

from . import PASSWORD

Model = TypeVar("Model", bound=db.Model)
Choices = Sequence[tuple[str, int]]  # (node id, choice index) for each decision, in order


@contextmanager
def saved(app: Flask) -> Iterator[None]:
    """An app context whose rows are committed at the end (and rolled back if the block fails)."""
    with app.app_context():
        try:
            yield
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()


def organization(name: str = "Org A", slug: str | None = None) -> Organization:
    org = Organization(name=name, slug=slug or name.lower().replace(" ", "-"))
    return _added(org)


def team(org: Organization | int, name: str = "CRM team", role: str | None = "ops") -> Team:
    return _added(Team(org_id=_id(org), name=name, role=role))


def user(
    email: str = "someone@example.com",
    *,
    org: Organization | int | None = None,
    name: str | None = None,
    role: str = "ops",
    access: str = "learner",
    password: str | None = PASSWORD,
    teams: Iterable[Team | int] = (),
    **extra,
) -> User:
    """A person; ``password=None`` leaves the account without one (an invited learner who has not
    set it yet). The name defaults to the email's local part."""
    person = User(
        email=email,
        name=name if name is not None else email.split("@")[0],
        role=role,
        access=access,
        org_id=_id(org) if org is not None else None,
        **extra,
    )
    if password is None:
        person.password_hash = ""
    else:
        person.set_password(password)  # the app's configured method: fast in tests
    person.teams.extend(_get(Team, t) for t in teams)
    return _added(person)


def cohort(
    org: Organization | int,
    name: str = "Pilot cohort",
    *,
    managers: Iterable[User | int] = (),
    members: Iterable[User | int] = (),
    assignments: Iterable[tuple[str, str]] = (("track", ""),),
    starts_on: date | None = None,
    due_on: date | None = None,
    **extra,
) -> Cohort:
    """A cohort running from ``starts_on`` (today) to ``due_on`` (in 30 days). ``assignments`` are
    (kind, ref) pairs: ('track', '') for each learner's own track, ('course', role), ('scenario', id)."""
    starts_on = starts_on or date.today()
    group = Cohort(
        org_id=_id(org), name=name, starts_on=starts_on, due_on=due_on or starts_on + timedelta(days=30), **extra
    )
    group.managers.extend(_get(User, m) for m in managers)
    group.assignments.extend(CohortAssignment(kind=kind, ref=ref) for kind, ref in assignments)
    _added(group)
    add_members(group, members)
    return group


def add_members(group: Cohort | int, people: Iterable[User | int]) -> list[CohortMember]:
    """Put people in a cohort."""
    rows = [CohortMember(cohort_id=_id(group), user_id=_id(person)) for person in people]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def attempt(
    person: User | int,
    path: Choices | None = None,
    scenario: str = "ops-send",
    *,
    at: datetime | None = None,
    scores: dict[str, int] | None = None,
    kind: str = ASSESSED,
) -> Attempt:
    """An attempt at ``scenario``, played through the real engine along ``path``: its steps, and the
    node, flags and totals the engine ends on. A path that reaches an ending (the default: the
    scenario's strongest path) finishes the attempt with the ending's outcome and its skill scores,
    the engine's or ``scores`` set by hand; a shorter path leaves it unfinished.

    Every timestamp (start, each step, finish) is ``at``, default now."""
    catalogue = current_app.extensions["catalogue"]
    played = catalogue.scenarios[scenario]
    path = played.strongest_path if path is None else path
    at = at or utcnow()
    state = engine.start(played)
    row = _added(
        Attempt(
            user_id=_id(person),
            scenario_id=played.id,
            role=played.role,
            content_version=played.version,
            node_id=state.node_id,
            started_at=at,
            updated_at=at,
            kind=kind,
        )
    )
    for node, choice in path:
        assert state.node_id == node, f"the path expects node '{node}', the attempt is at '{state.node_id}'"
        result = engine.advance(played, state, choice)
        db.session.add(
            AttemptStep(
                attempt_id=row.id,
                step=result.state.step,
                node_id=state.node_id,
                choice_index=result.choice.index,
                choice_label=result.choice.label,
                target_id=result.state.node_id,
                created_at=at,
            )
        )
        state = result.state
    row.node_id, row.step = state.node_id, state.step
    row.flags_json, row.totals_json = json.dumps(sorted(state.flags)), json.dumps(state.totals)
    if state.finished(played):
        row.finished_at, row.outcome = at, state.node(played).outcome
        earned = engine.score(played, state.totals) if scores is None else scores
        record.add_scores(row.id, earned, state.totals)
    else:
        assert scores is None, "only a finished attempt has scores"
    record.history_imported(catalogue, [row.user_id])
    return row


def lesson_completed(person: User | int, lesson: str = "first", at: datetime | None = None) -> LessonCompletion:
    """A lesson marked complete at ``at`` (default now)."""
    row = _added(LessonCompletion(user_id=_id(person), lesson_id=lesson, completed_at=at or utcnow()))
    record.history_imported(current_app.extensions["catalogue"], [row.user_id])
    return row


def evidence_pack(org: Organization | int, content: bytes = b"email,name\n", fmt: str = "csv") -> EvidencePack:
    """A built evidence pack of the organisation, ready to download."""
    return _added(
        EvidencePack(
            org_id=_id(org),
            scope="organisation",
            label="The whole organisation",
            as_of=date.today(),
            format=fmt,
            status="ready",
            content=content,
            filename=f"evidence.{fmt}",
            finished_at=utcnow(),
        )
    )


def _added(row: Model) -> Model:
    db.session.add(row)
    db.session.flush()
    return row


def _id(thing: db.Model | int) -> int:
    return thing if isinstance(thing, int) else thing.id


def _get(model: type[Model], thing: Model | int) -> Model:
    return db.session.get(model, thing) if isinstance(thing, int) else thing


def signup_domain(app: Flask, email: str) -> int:
    """Let people with ``email``'s domain sign up: the id of the organisation that has it as a
    sign-up domain, made ("Sign-up org") if none has."""
    from literacy.people.onboarding import organization_for

    with saved(app):
        found = organization_for(email)
        if found is None:
            found = organization("Sign-up org", f"signup-{email.rpartition('@')[2]}")
            found.signup_domains = email.rpartition("@")[2]
            db.session.flush()
        return found.id


def link_in_mail(app: Flask, email: str, kind: str) -> str:
    """The path of the first app link in the newest message of ``kind`` to ``email`` in the outbox."""
    import re

    from literacy.mail.tables import MailMessage

    with app.app_context():
        message = db.session.scalar(
            db.select(MailMessage)
            .where(MailMessage.to_address == email.lower(), MailMessage.kind == kind)
            .order_by(MailMessage.id.desc())
        )
        assert message is not None, f"no {kind} message to {email}"
        public = app.config["PUBLIC_URL"].rstrip("/")
        found = re.search(re.escape(public) + r"(/\S*)", message.text_body)
        assert found, f"no link in the {kind} message to {email}"
        return found.group(1)


def workflows(org_a: Organization, org_b: Organization, team: Team, operator: int) -> dict[str, int]:
    """A pilot workflow of ``team`` in org A, operated by ``operator``, with one data source, and a
    workflow of org B: their ids as ``workflow``, ``source`` and ``workflow_b``."""
    from literacy.workflows import services

    today = date.today()
    details = services.Details(
        name="Send audience builder", kind="audience-building", team_id=team.id, operator_ids=(operator,)
    )
    workflow = services.create(org_a.id, None, details, "pilot", today)
    source = services.save_source(workflow, None, None, "CRM suppression list", "ready", today)
    secret = services.create(org_b.id, None, services.Details(name="Secret B workflow"), "experiment", today)
    return {"workflow": workflow.id, "source": source.id, "workflow_b": secret.id}
