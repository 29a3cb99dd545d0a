"""The cohort dashboard's queries against the computation they replaced (kept here, verbatim, as
the reference).

- ``cohorts.queries.cohort_facts``: on hand-made history of several roles, with practice and
  unfinished attempts, work from before and after joining, lessons and scenarios of other roles,
  knowledge checks, evidence from scenarios not assigned and people outside the cohort, every
  learner's facts must be the same as the per-role queries made them, for a cohort of each kind:
  own tracks, mixed assignments with item due dates, a course or one scenario only, and a
  recertification cohort.
- ``evidence.queries.compliance`` (certification and policy standing, on the dashboard and the
  leaders' pages) and ``evidence.cycles.standings``: the same counts as when they loaded every
  person and cycle as objects, for cycles of every status, people gone inactive, staff and external
  people, a team filter and a cohort's members."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import and_, case, delete, func, insert, select, union_all
from support import make
from support.apps import make_app
from support.paths import ROOT

from literacy.cohorts import assignments, dashboard, queries
from literacy.cohorts.assignments import work_for
from literacy.cohorts.status import LearnerFacts
from literacy.cohorts.tables import Cohort, CohortMember
from literacy.evidence import certification, cycles, policy
from literacy.evidence import queries as evidence_queries
from literacy.evidence.queries import Compliance
from literacy.evidence.tables import Certification, Policy, PolicyAcknowledgement
from literacy.insights import metrics, readmodels, rollups, totals
from literacy.insights.tables import Evidence, TotalsState, TrackSkillPoints
from literacy.learning import attempts, engine, record
from literacy.learning.assessment import ASSESSED
from literacy.learning.tables import Attempt, CheckAnswer, LessonCompletion
from literacy.people.tables import Team, User, team_members
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db

JOINED = datetime(2026, 3, 1, 9, 0)
TODAY = date(2026, 4, 1)


# --- the reference: the per-role queries of 876307b ---------------------------------------------


def reference_facts(cohort, catalogue, user_id: int | None = None) -> list:
    """The code before the dashboard's queries were merged (876307b): a few queries per role."""
    membership = [CohortMember.cohort_id == cohort.id] + (
        [CohortMember.user_id == user_id] if user_id is not None else []
    )
    members = select(CohortMember.user_id).where(*membership).scalar_subquery()
    people = db.session.execute(
        select(User.id, User.name, User.email, User.role, CohortMember.added_at, User.external, User.agency)
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(*membership)
        .order_by(User.name)
    ).all()
    pairs = [(a.kind, a.ref) for a in cohort.assignments]
    work = {role: work_for(catalogue, pairs, role) for role in {p.role for p in people}}
    dated = [(a.kind, a.ref, a.due_on) for a in cohort.assignments]
    due = {role: assignments.item_due_dates(catalogue, dated, role, cohort.due_on) for role in work}
    fresh = cohort.id if cohort.recertification else None  # count only work done since joining
    done_items = _done_items(members, work, fresh) if any(a.due_on for a in cohort.assignments) else None
    teams = _teams_of(members)
    lessons, scenarios, scores = {}, {}, {}
    for role, assigned in work.items():
        lessons.update(_lessons_done(members, role, assigned.lessons))
        scenarios.update(_scenario_counts(members, role, assigned.scenarios, fresh))
        scores.update(_latest_scores(members, role, assigned.scenarios, fresh))
    activity = _last_activity(members)
    facts = []
    for uid, name, email, role, added_at, external, agency in people:
        assigned = work[role]
        targets = catalogue.roles[role].targets if role in catalogue.roles else {}
        done, attempts, practice = scenarios.get(uid, (0, 0, 0))
        # with no item dates of its own, every item is due with the cohort (LearnerFacts.due_on None)
        next_due = (
            assignments.next_due(due[role], *done_items.get(uid, (set(), set()))) if done_items is not None else None
        )
        facts.append(
            LearnerFacts(
                uid,
                name,
                email,
                role,
                tuple(teams.get(uid, ())),
                lessons.get(uid, 0),
                len(assigned.lessons),
                done,
                len(assigned.scenarios),
                attempts,
                activity.get(uid),
                {s: v for s, v in scores.get(uid, {}).items() if s in assigned.skills},
                {s: targets.get(s, 0) for s in assigned.skills},
                added_at,
                practice,
                next_due,
                external,
                agency,
            )
        )
    return facts


def _teams_of(members) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(team_members.c.user_id, Team.name)
        .join(Team, Team.id == team_members.c.team_id)
        .where(team_members.c.user_id.in_(members))
        .order_by(Team.name)
    )
    for uid, name in rows:
        result.setdefault(uid, []).append(name)
    return result


def _lessons_done(members, role: str, lesson_ids: tuple[str, ...]) -> dict[int, int]:
    if not lesson_ids:
        return {}
    rows = db.session.execute(
        select(LessonCompletion.user_id, func.count(LessonCompletion.id))
        .join(User, User.id == LessonCompletion.user_id)
        .where(LessonCompletion.user_id.in_(members), User.role == role, LessonCompletion.lesson_id.in_(lesson_ids))
        .group_by(LessonCompletion.user_id)
    )
    return dict(rows.all())


def _since_joining(query, user_column, finished_column, cohort_id: int | None):
    """For a recertification cohort (``cohort_id``), keep only what was finished after the learner joined."""
    if cohort_id is None:
        return query
    joined = and_(CohortMember.cohort_id == cohort_id, CohortMember.user_id == user_column)
    return query.join(CohortMember, joined).where(finished_column >= CohortMember.added_at)


def _done_items(members, work: dict, fresh: int | None = None) -> dict[int, tuple[set[str], set[str]]]:
    """Per learner: the assigned lessons completed and the assigned scenarios with a finished assessed
    attempt (since joining, in a recertification cohort), for the items' own due dates (two queries)."""
    lesson_ids = {i for w in work.values() for i in w.lessons}
    scenario_ids = {i for w in work.values() for i in w.scenarios}
    result: dict[int, tuple[set[str], set[str]]] = {}
    if lesson_ids:
        rows = db.session.execute(
            select(LessonCompletion.user_id, LessonCompletion.lesson_id)
            .where(LessonCompletion.user_id.in_(members), LessonCompletion.lesson_id.in_(lesson_ids))
            .distinct()
        )
        for uid, lesson_id in rows:
            result.setdefault(uid, (set(), set()))[0].add(lesson_id)
    if scenario_ids:
        query = select(Attempt.user_id, Attempt.scenario_id).where(
            Attempt.user_id.in_(members),
            Attempt.scenario_id.in_(scenario_ids),
            Attempt.kind == ASSESSED,
            Attempt.finished_at.is_not(None),
        )
        rows = db.session.execute(_since_joining(query, Attempt.user_id, Attempt.finished_at, fresh).distinct())
        for uid, scenario_id in rows:
            result.setdefault(uid, (set(), set()))[1].add(scenario_id)
    return result


def _scenario_counts(
    members, role: str, scenario_ids: tuple[str, ...], fresh: int | None = None
) -> dict[int, tuple[int, int, int]]:
    """Per learner: assigned scenarios with a finished assessed attempt, then assessed and practice
    attempts on assigned scenarios (since joining, in a recertification cohort)."""
    if not scenario_ids:
        return {}
    assessed = Attempt.kind == ASSESSED
    done = and_(assessed, Attempt.finished_at.is_not(None))
    finished = func.count(func.distinct(case((done, Attempt.scenario_id))))
    query = (
        select(Attempt.user_id, finished, func.count(case((assessed, 1))), func.count(case((~assessed, 1))))
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.user_id.in_(members), User.role == role, Attempt.scenario_id.in_(scenario_ids))
    )
    # an unfinished attempt begun since joining counts too: its updated_at is at least its start
    query = _since_joining(query, Attempt.user_id, Attempt.updated_at, fresh)
    rows = db.session.execute(query.group_by(Attempt.user_id))
    return {uid: (done, count, practice) for uid, done, count, practice in rows}


def _last_activity(members) -> dict[int, object]:
    events = union_all(
        select(Attempt.user_id.label("uid"), Attempt.updated_at.label("at")).where(Attempt.user_id.in_(members)),
        select(LessonCompletion.user_id, LessonCompletion.completed_at).where(LessonCompletion.user_id.in_(members)),
        select(CheckAnswer.user_id, CheckAnswer.answered_at).where(CheckAnswer.user_id.in_(members)),
    ).subquery()
    return dict(db.session.execute(select(events.c.uid, func.max(events.c.at)).group_by(events.c.uid)).all())


def _latest_scores(members, role: str, scenario_ids: tuple[str, ...], fresh: int | None = None) -> dict:
    """Per learner of ``role`` and skill: the proficiency estimate (docs/metrics.md) from the assessed
    evidence of the scenarios assigned to the role (since joining, in a recertification cohort), the
    same model as the leader figures.

    876307b read the scenarios assigned to anyone in the cohort, so a learner's score could move
    when someone of another role joined; the reference is per role, as the definition says."""
    if not scenario_ids:
        return {}
    query = select(Evidence.user_id, Evidence.skill_id, func.sum(Evidence.earned), func.sum(Evidence.available)).where(
        Evidence.user_id.in_(members), Evidence.scenario_id.in_(scenario_ids)
    )
    query = query.join(User, User.id == Evidence.user_id).where(User.role == role)
    query = _since_joining(query, Evidence.user_id, Evidence.finished_at, fresh)
    rows = db.session.execute(query.group_by(Evidence.user_id, Evidence.skill_id))
    result: dict[int, dict[str, int]] = {}
    for uid, skill, earned, available in rows:
        result.setdefault(uid, {})[skill] = round(100 * metrics.posterior(earned or 0.0, available or 0)[0])
    return result


# --- hand-made history ---------------------------------------------------------------------------


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path, content_root=ROOT)  # the shipped content: several roles and courses


def _history(app, seed: int = 7) -> dict[str, int]:
    """Learners of four roles in five cohorts, with varied history around the day they joined."""
    rng = random.Random(seed)
    with make.saved(app):
        catalogue = app.extensions["catalogue"]
        roles = list(catalogue.roles)[:4]
        org = make.organization()
        teams = [make.team(org, f"Team {n}") for n in range(3)]
        manager = make.user("boss@example.com", org=org, access="manager")
        people = []
        for n in range(24):
            picked = rng.sample(teams, rng.randint(0, 2))
            people.append(make.user(f"l{n:02d}@example.com", org=org, name=f"Learner {n:02d}", role=roles[n % 4],
                                    teams=picked, password=None))  # fmt: skip
        outsider = make.user("out@example.com", org=org, role=roles[0], password=None)
        other = roles[1]
        own = make.cohort(org, "Own tracks", managers=[manager], starts_on=date(2026, 2, 1), due_on=date(2026, 5, 1))
        mixed = make.cohort(
            org, "Mixed", managers=[manager], starts_on=date(2026, 2, 1), due_on=date(2026, 3, 20),
            assignments=[("track", ""), ("course", other), ("scenario", catalogue.role_scenarios(other)[0].id)],
        )  # fmt: skip
        recert = make.cohort(
            org, "Recertification", managers=[manager], recertification=True, starts_on=date(2026, 2, 1),
            due_on=date(2026, 6, 1), assignments=[("track", ""), ("scenario", catalogue.role_scenarios(other)[1].id)],
        )  # fmt: skip
        mixed.assignments[2].due_on = date(2026, 3, 10)  # an item date of its own, earlier than the cohort's
        recert.assignments[1].due_on = date(2026, 5, 1)
        db.session.flush()
        lessons_only = make.cohort(org, "Course only", managers=[manager], assignments=[("course", other)])
        one_scenario = make.cohort(
            org, "One scenario", managers=[manager], assignments=[("scenario", catalogue.role_scenarios(other)[0].id)]
        )
        retired = make.cohort(org, "Retired", managers=[manager], assignments=[("scenario", "no-longer-offered")])
        for group in (own, mixed, recert, lessons_only, one_scenario, retired):
            db.session.execute(
                insert(CohortMember),
                [{"cohort_id": group.id, "user_id": p.id, "added_at": JOINED + timedelta(hours=n)}
                 for n, p in enumerate(people[:-1])],  # the last learner is in no cohort
            )  # fmt: skip
        scenarios = list(catalogue.scenarios.values())
        for person in [*people[1:], outsider]:  # the first learner has done nothing at all
            mine = catalogue.role_scenarios(person.role)
            for _ in range(rng.randint(0, 7)):
                scenario = rng.choice(mine if rng.random() < 0.8 else scenarios)
                started = JOINED + timedelta(days=rng.randint(-20, 20), minutes=rng.randint(0, 600))
                updated = started + timedelta(hours=rng.randint(0, 30 * 24))
                finished = rng.choice([None, started + timedelta(minutes=30), updated])
                attempt = Attempt(
                    user_id=person.id, scenario_id=scenario.id, role=scenario.role, content_version=scenario.version,
                    node_id="end", started_at=started, updated_at=updated, finished_at=finished,
                    kind=rng.choice([ASSESSED, ASSESSED, "practice"]), outcome="strong" if finished else None,
                )  # fmt: skip
                db.session.add(attempt)
                db.session.flush()
                if finished and attempt.kind == ASSESSED:
                    for skill in scenario.skills:
                        available = rng.randint(0, 12)
                        db.session.merge(
                            Evidence(
                                user_id=person.id, scenario_id=scenario.id, skill_id=skill, attempt_id=attempt.id,
                                score=rng.randint(0, 100), earned=rng.uniform(0, available), available=available,
                                finished_at=finished,
                            )
                        )  # fmt: skip
            courses = [catalogue.courses[person.role], catalogue.courses[other]]
            for lesson in sorted({rng.choice(rng.choice(courses).lessons).id for _ in range(rng.randint(0, 6))}):
                at = JOINED + timedelta(days=rng.randint(-30, 25))
                db.session.add(LessonCompletion(user_id=person.id, lesson_id=lesson, completed_at=at))
            for question in range(rng.choice([0, 0, 1, 3])):
                at = JOINED + timedelta(days=rng.randint(-5, 40))
                db.session.add(CheckAnswer(user_id=person.id, lesson_id="any", question=question, option=0,
                                           correct=True, answered_at=at))  # fmt: skip
        db.session.flush()
        _sum_own_tracks(catalogue)
        cohorts = {"own": own, "mixed": mixed, "recert": recert, "course": lessons_only, "scenario": one_scenario}
        cohorts["retired"] = retired  # its only item left the catalogue: nothing to count, activity still shown
        return {**{k: c.id for k, c in cohorts.items()}, "first": people[0].id, "some": people[5].id}


def _sum_own_tracks(catalogue) -> None:
    """The kept sums over each learner's own track, from the hand-made evidence (as the read models'
    refresh derives them after writing the evidence)."""
    people = select(User.id.label("id"), User.role.label("role")).subquery("people")
    sums = rollups.track_skill_points(people, catalogue)
    db.session.execute(insert(TrackSkillPoints).from_select(list(sums.selected_columns.keys()), sums))


# --- the same figures ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [7, 8])
@pytest.mark.parametrize("kind", ["own", "mixed", "recert", "course", "scenario", "retired"])
def test_cohort_facts_match_the_per_role_queries(app, kind, seed):
    ids = _history(app, seed)
    with app.app_context():
        catalogue = app.extensions["catalogue"]
        cohort = db.session.get(Cohort, ids[kind])
        new, old = queries.cohort_facts(cohort, catalogue), reference_facts(cohort, catalogue)
        assert len(new) == 23 and new == old
        # the history is varied enough to test something: every figure takes several values
        counted = {"course": ("lessons_done",), "scenario": ("scenarios_done", "attempts"), "retired": ()}.get(
            kind, ("lessons_done", "scenarios_done", "attempts", "practice")
        )
        for field in (*counted, "last_activity", "teams"):
            assert len({getattr(f, field) for f in new}) > 1, field
        if kind not in ("course", "retired"):
            assert any(f.scores for f in new) and any(not f.scores for f in new)
        if kind in ("mixed", "recert"):
            assert len({f.due_on for f in new}) > 1
        for uid in (ids["first"], ids["some"]):  # one learner's row alone (the drill-down page)
            assert queries.cohort_facts(cohort, catalogue, uid) == reference_facts(cohort, catalogue, uid)
        board = dashboard.build(cohort, catalogue, TODAY)
        rows = [dashboard._row(cohort, f, TODAY) for f in old]
        assert board.rows == rows and board.summary == dashboard.status.summarise(rows, board.skills)


def _play(catalogue, person, scenario, rng, kind: str | None = None) -> None:
    """One attempt through the learning-event path with random choices, assessed or practice
    (``kind``, or at random)."""
    attempt = record.attempt_started(catalogue, person, scenario, kind or rng.choice((ASSESSED, "practice")))
    state = attempts.state_of(attempt)
    while not state.finished(scenario):
        result = engine.advance(scenario, state, rng.choice(engine.offered(scenario, state)).index)
        assert record.choice_made(catalogue, attempt, scenario, result)
        state = result.state


def _scores(cohort, catalogue) -> dict[int, dict[str, int]]:
    return {f.user_id: f.scores for f in queries.cohort_facts(cohort, catalogue)}


def _read_live(catalogue) -> None:
    """Mark the kept totals as built for other content: the pages read the live queries."""
    db.session.get(TotalsState, 1).fingerprint = "other content"
    db.session.flush()
    assert not totals.ready(catalogue)


def test_kept_track_sums_give_the_live_scores_through_the_event_path_and_a_rebuild(app):
    """Learners of three roles play their own and other roles' scenarios through the event path and
    one changes role; a cohort of own tracks shows the same scores from the kept sums as from the
    live query over the evidence, and again after a rebuild from history."""
    rng = random.Random(3)
    with make.saved(app):
        catalogue = app.extensions["catalogue"]
        org = make.organization()
        roles = [role for role in catalogue.roles if catalogue.role_scenarios(role)][:3]
        people = [make.user(f"p{n}@example.com", org=org, role=roles[n % 3], password=None) for n in range(6)]
        group = make.cohort(org, "Own tracks", members=people)
        everything = list(catalogue.scenarios.values())
        for _ in range(30):
            person = rng.choice(people)
            scenario = rng.choice(catalogue.role_scenarios(person.role) if rng.random() < 0.7 else everything)
            _play(catalogue, person, scenario, rng)
        for track in roles[:2]:  # the learner who changes role has evidence on their old and new tracks
            _play(catalogue, people[0], catalogue.role_scenarios(track)[0], rng, ASSESSED)
        record.role_changed(catalogue, people[0], roles[1])  # their evidence of their old track stops counting
        db.session.flush()
        assert totals.ready(catalogue)
        kept = _scores(group, catalogue)
        readmodels.rebuild(catalogue)
        rebuilt = _scores(group, catalogue)
        _read_live(catalogue)
        live = _scores(group, catalogue)
    assert kept == rebuilt == live
    assert sum(len(skills) for skills in live.values()) >= 10  # enough evidence to compare


def test_a_learners_scores_count_only_the_scenarios_assigned_to_them(app):
    """A revops learner who also played a lifecycle scenario: in a cohort of own tracks their scores
    are the same whether or not a lifecycle learner is in it, from the kept sums and from the live
    query (the scenarios assigned to someone else are not theirs)."""
    rng = random.Random(4)
    with make.saved(app):
        catalogue = app.extensions["catalogue"]
        org = make.organization()
        revops = make.user("r@example.com", org=org, role="revops", password=None)
        lifecycle = make.user("l@example.com", org=org, role="lifecycle", password=None)
        alone = make.cohort(org, "Revops alone", members=[revops])
        together = make.cohort(org, "Both roles", members=[revops, lifecycle])
        for scenario in (catalogue.role_scenarios("revops")[0], catalogue.role_scenarios("lifecycle")[0]):
            _play(catalogue, revops, scenario, rng, ASSESSED)
        db.session.flush()
        played = set(db.session.scalars(select(Evidence.scenario_id).where(Evidence.user_id == revops.id)))
        kept = (_scores(alone, catalogue)[revops.id], _scores(together, catalogue)[revops.id])
        _read_live(catalogue)
        live = (_scores(alone, catalogue)[revops.id], _scores(together, catalogue)[revops.id])
    assert len(played) == 2  # evidence from their own track and from the lifecycle one
    assert live[0] and live[1] == live[0]  # the lifecycle learner's joining adds no points
    assert kept == live


def test_the_dashboard_reads_the_evidence_when_the_kept_sums_do_not_apply(app):
    """The kept sums emptied: a cohort of own tracks still shows every score when the totals were
    built for other content, and so does a cohort that assigns one scenario, or a recertification
    cohort; with the totals current, the own-track cohort reads the (emptied) kept sums."""
    with make.saved(app):
        catalogue = app.extensions["catalogue"]
        org = make.organization()
        person = make.user("p@example.com", org=org, role="revops", password=None)
        first = catalogue.role_scenarios("revops")[0]
        own = make.cohort(org, "Own track", members=[person])
        one = make.cohort(org, "One scenario", members=[person], assignments=[("scenario", first.id)])
        recert = make.cohort(org, "Recertification", members=[person], recertification=True)
        _play(catalogue, person, first, random.Random(5), ASSESSED)
        db.session.flush()
        before = _scores(own, catalogue)[person.id]
        db.session.execute(delete(TrackSkillPoints))
        emptied = _scores(own, catalogue)[person.id]
        partial, fresh = _scores(one, catalogue)[person.id], _scores(recert, catalogue)[person.id]
        _read_live(catalogue)
        stale = _scores(own, catalogue)[person.id]
    assert before and emptied == {}
    assert stale == partial == fresh == before


def test_which_cohorts_read_the_kept_sums(app):
    """With the kept sums emptied, a cohort that reads them shows no scores. A cohort that names the
    learner's role track reads them, and so does one of own tracks with a learner whose role has no
    scenarios (nothing to count for them either way); a cohort that assigns the revops track to a
    lifecycle learner too reads the evidence for both, but its drill-down into the revops learner
    alone reads the sums."""
    with make.saved(app):
        catalogue = app.extensions["catalogue"]
        org = make.organization()
        revops = make.user("r@example.com", org=org, role="revops", password=None)
        lifecycle = make.user("l@example.com", org=org, role="lifecycle", password=None)
        retired = make.user("x@example.com", org=org, role="no-longer-offered", password=None)
        named = make.cohort(org, "Revops track", members=[revops], assignments=[("track", "revops")])
        own = make.cohort(org, "Own tracks", members=[revops, retired])
        both = make.cohort(org, "Revops track, two roles", members=[revops, lifecycle],
                           assignments=[("track", "revops")])  # fmt: skip
        scenario = catalogue.role_scenarios("revops")[0]
        for person in (revops, lifecycle):
            _play(catalogue, person, scenario, random.Random(7), ASSESSED)
        db.session.flush()
        before = _scores(both, catalogue)
        db.session.execute(delete(TrackSkillPoints))
        found = {
            "named": _scores(named, catalogue),
            "own": _scores(own, catalogue),
            "both": _scores(both, catalogue),
            "one of both": _scores_of(both, catalogue, revops.id),
            "other of both": _scores_of(both, catalogue, lifecycle.id),
        }
        revops, lifecycle, retired = revops.id, lifecycle.id, retired.id
    assert before[revops] and before[lifecycle]
    assert found == {
        "named": {revops: {}},
        "own": {revops: {}, retired: {}},
        "both": before,
        "one of both": {},
        "other of both": before[lifecycle],
    }


def _scores_of(cohort, catalogue, user_id: int) -> dict[str, int]:
    """One learner's scores on their drill-down page."""
    (facts,) = queries.cohort_facts(cohort, catalogue, user_id)
    return facts.scores


def test_the_dashboard_reads_the_evidence_until_this_release_rebuilds_the_kept_sums(app):
    """A server of an earlier release rewrites evidence but not the kept sums: a database migrated
    with people, or rebuilt by an earlier release (its rebuild moves the totals' ``built_at`` alone),
    shows the scores from the evidence while the sums are emptied; this release's rebuild makes the
    own-track cohort read the sums again."""
    with make.saved(app):
        catalogue = app.extensions["catalogue"]
        org = make.organization()
        person = make.user("p@example.com", org=org, role="revops", password=None)
        own = make.cohort(org, "Own track", members=[person])
        _play(catalogue, person, catalogue.role_scenarios("revops")[0], random.Random(6), ASSESSED)
        db.session.flush()
        before = _scores(own, catalogue)[person.id]
        state = db.session.get(TotalsState, 1)
        seen = {}
        for case_name, built_at, sums_built_at in (
            ("migrated with people", state.built_at, None),
            ("rebuilt by an earlier release", state.built_at + timedelta(minutes=5), state.built_at),
        ):
            db.session.execute(delete(TrackSkillPoints))
            state.built_at, state.sums_built_at = built_at, sums_built_at
            db.session.flush()
            assert totals.ready(catalogue) and not totals.sums_ready(catalogue)
            seen[case_name] = _scores(own, catalogue)[person.id]
        readmodels.rebuild(catalogue)
        rebuilt = _scores(own, catalogue)[person.id]
        db.session.execute(delete(TrackSkillPoints))
        emptied = _scores(own, catalogue)[person.id]
    assert before and seen == {"migrated with people": before, "rebuilt by an earlier release": before}
    assert rebuilt == before and emptied == {}  # the rebuilt sums are read


# --- certification and policy standing --------------------------------------------------------------


def reference_standings(people, as_of=None):
    """evidence.cycles.standings of 876307b: every cycle loaded as an object."""
    people = list(people)
    as_of = as_of or utcnow()
    found = {p.id: [] for p in people}
    if found:
        query = select(Certification).where(Certification.user_id.in_(list(found))).order_by(Certification.number)
        for row in db.session.scalars(query):
            found[row.user_id].append(row)
    return {p.id: certification.standing([cycles.plain(c) for c in found[p.id]], p.role, as_of) for p in people}


def reference_compliance(org_id, team_ids=None, user_ids=None) -> Compliance:
    """evidence.queries.compliance of 876307b, on cycles.in_organisation as it was (people as objects)."""
    query = select(User).where(User.org_id == org_id, User.active.is_(True)).order_by(User.name, User.id)
    if team_ids is not None:
        query = query.where(User.teams.any(Team.id.in_(team_ids)))
    if user_ids is not None:
        query = query.where(User.id.in_(user_ids))
    people = list(db.session.scalars(query))
    found = reference_standings(people)
    rows = [(person, found[person.id]) for person in people]
    current = policy.current(org_id)
    signed = set()
    if current is not None:
        signed = set(db.session.scalars(select(PolicyAcknowledgement.user_id).where(
            PolicyAcknowledgement.policy_id == current.id)))  # fmt: skip
    return Compliance(
        people=len(rows),
        external=sum(person.external for person, _ in rows),
        statuses=cycles.counts(rows),
        policy_version=current.version if current else None,
        acknowledged=sum(person.id in signed for person, _ in rows),
        lapsed_ids=frozenset(person.id for person, standing in rows if standing.lapsed),
    )


def _certified_history(app, seed: int) -> dict:
    """People of two roles with cycles of every kind, some gone inactive or external, two policy versions."""
    rng = random.Random(seed)
    now = utcnow()
    with make.saved(app):
        roles = list(app.extensions["catalogue"].roles)[:2]
        org, other = make.organization(), make.organization("Org B")
        teams = [make.team(org, f"Team {n}") for n in range(2)]
        people = [
            make.user(f"p{n:02d}@example.com", org=org, role=roles[n % 2], teams=rng.sample(teams, rng.randint(0, 2)),
                      password=None, active=n % 9 != 4, external=n % 5 == 0, agency="Agency" if n % 5 == 0 else "")
            for n in range(30)
        ]  # fmt: skip
        stranger = make.user("x@example.com", org=other, role=roles[0], password=None)
        renewing = people[1]  # certified 100 days ago, its next cycle opened three days ago
        db.session.add(
            Certification(
                org_id=org.id,
                user_id=renewing.id,
                number=1,
                role=renewing.role,
                certified_at=now - timedelta(days=100),
                expires_at=now + timedelta(days=265),
            )
        )
        db.session.add(Certification(org_id=org.id, user_id=renewing.id, number=2, role=renewing.role,
                                     opened_at=now - timedelta(days=3)))  # fmt: skip
        for person in [*people[2:], stranger]:  # the first has never been certified
            start, count = now - timedelta(days=rng.randint(380, 900)), rng.randint(1, 3)
            for number in range(1, count + 1):  # each cycle later than the one before; some in the future
                at = start + timedelta(days=(number - 1) * rng.randint(150, 400))
                kind = (
                    rng.choice(["certified", "certified", "open", "revoked", "other role"]) if number == count else ""
                )
                db.session.add(
                    Certification(
                        org_id=person.org_id, user_id=person.id, number=number,
                        role=roles[1] if kind == "other role" and person.role == roles[0] else person.role,
                        opened_at=at if number > 1 else None, certified_at=None if kind == "open" else at,
                        expires_at=None if kind == "open" else at + timedelta(days=365),
                        revoked_at=now - timedelta(days=2) if kind == "revoked" else None,
                    )
                )  # fmt: skip
        for version, signers in (("1", people[:20]), ("2", people[5:17])):
            published = Policy(org_id=org.id, version=version, text="Use AI with care.")
            db.session.add(published)
            db.session.flush()
            db.session.add_all(
                PolicyAcknowledgement(policy_id=published.id, user_id=p.id, name=p.name) for p in signers
            )
        db.session.flush()
        return {"org": org.id, "teams": (teams[0].id,), "people": [p.id for p in people[3:25]], "stranger": stranger.id}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_compliance_and_standings_match_the_object_loading_computation(app, seed):
    ids = _certified_history(app, seed)
    with app.app_context():
        for scope in ({}, {"team_ids": ids["teams"]}, {"user_ids": ids["people"]}, {"user_ids": [ids["stranger"]]}):
            new, old = evidence_queries.compliance(ids["org"], **scope), reference_compliance(ids["org"], **scope)
            assert new == old, scope
        whole = evidence_queries.compliance(ids["org"])
        assert whole.people == 27 and whole.external and whole.acknowledged and whole.policy_version == "2"
        assert all(whole.statuses.values()), whole.statuses  # people in every status: varied enough
        people = list(db.session.scalars(select(User)))
        for as_of in (None, utcnow() - timedelta(days=200), utcnow() + timedelta(days=400)):
            assert cycles.standings(people, as_of) == reference_standings(people, as_of)
        assert cycles.standings([]) == {}
