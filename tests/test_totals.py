"""The organisation totals behind the leader's overview (insights.totals, insights.aggregates):
kept up to date by every change, they hold what a rebuild from the read models computes, and the
overview read from them shows the live queries' figures."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pytest
from support import make
from support.apps import make_app
from support.paths import ROOT

from literacy.evidence import cycles, policy
from literacy.insights import aggregates, readmodels, rollups, totals
from literacy.insights import overview as insights
from literacy.insights.aggregates import SkillFigure, Snapshot
from literacy.insights.rollups import Scope, Windows
from literacy.insights.tables import RoleTotal, TotalsState, TrackSkillPoints
from literacy.learning import record
from literacy.learning.assessment import ASSESSED, PRACTICE
from literacy.people import admin, services
from literacy.people.tables import Team, User
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db

# --- the pure rules, on hand-made snapshots ------------------------------------------------------------


def test_a_snapshot_contributes_to_its_role_its_teams_and_its_months():
    skill = SkillFigure(earned=2.4, available=3, attempts=1, target=60)  # (1 + 2.4) / (2 + 3) = 68
    stale = SkillFigure(earned=0.0, available=0, attempts=0, target=70)
    snapshot = Snapshot(1, "ops", True, (4, 9), {"data": skill, "ownership": stale}, ("data",), "2026-10", None,
                        {"2026-11": True, "2026-12": None}, currency_months=3)  # fmt: skip
    rows = aggregates.contribution(snapshot)
    cell = rows[("skill", "role", "ops", "data")]
    assert cell[:2] == (1, 1) and cell[2] == pytest.approx(68.0) and cell[3:6] == (60, 1, 1)
    assert cell[6] == pytest.approx(10000 * 0.68 * 0.32 / 6)  # the posterior variance, points squared
    assert rows[("skill", "team", "4", "data")] == rows[("skill", "team", "9", "data")] == cell
    assert rows[("skill", "role", "ops", "ownership")] == (0, 0, 0.0, 0, 0, 1, 0.0)  # stale: counted in 'everyone' only
    assert rows[("role", "ops")] == (1, 1)  # at target in its one critical skill
    assert rows[("month", "ops", "2026-10")] == (1, 0, 0, 0, 0)  # started
    assert rows[("month", "ops", "2026-11")] == (0, 0, 1, 1, 1)  # a verdict, met, current
    assert rows[("month", "ops", "2026-12")] == (0, 0, 0, 0, 1)  # practised no critical skill: current only
    assert rows[("month", "ops", "2027-02")] == (0, 0, 0, 0, 1)  # current in each active month and the two after
    assert ("month", "ops", "2027-03") not in rows


def test_only_learners_count_and_a_move_is_a_difference():
    learner = Snapshot(1, "ops", True, (4,), {}, ("data",), months={"2026-11": False})
    leader = Snapshot(1, "ops", False, (4,), {}, ("data",), months={"2026-11": False})
    assert aggregates.contribution(leader) == {}
    moved = Snapshot(1, "ops", True, (5,), {"data": SkillFigure(1.0, 1, 1, 50)}, ("data",), months={"2026-11": False})
    delta = aggregates.difference(aggregates.contribution(learner), aggregates.contribution(moved))
    assert delta[("skill", "team", "5", "data")][0] == 1
    assert delta[("role", "ops")] == (0, 1)  # still one learner, now at target
    assert aggregates.difference(aggregates.contribution(learner), aggregates.contribution(learner)) == {}
    assert aggregates.total([aggregates.contribution(learner)] * 3)[("role", "ops")] == (3, 0)


# --- against the database: random sequences of everything that changes a figure -------------------------


@pytest.fixture
def shipped(tmp_path):
    return make_app(tmp_path, ROOT)


def _agree(catalogue, now) -> None:
    """The kept totals equal a recomputation from the read models, after the sweep at ``now``, and
    the kept track sums one from the evidence."""
    for org_id in db.session.scalars(db.select(User.org_id).distinct()):
        totals.sweep(catalogue, org_id, now)
    assert totals.differences(totals.kept_totals(), totals.recomputed_totals(catalogue, now)) == []
    assert totals.sums_ready(catalogue) and readmodels.sums_differences(catalogue) == []


def _overview_figures(scope, catalogue, now, *, kept: bool) -> tuple:
    windows = Windows(now)
    figures = insights.Figures(scope, catalogue, windows)
    assert figures.kept is kept
    data = insights.overview(scope, catalogue, now)
    cells = {d: {k: (c.learners, c.proficiency, c.at_target_share, c.stale, c.low, c.high)
                 for k, c in h.cells.items()} for d, h in data.heatmaps.items()}  # fmt: skip
    standing = replace(data.compliance, lapsed_ids=frozenset())  # names are the live query's alone
    return data.counts, cells, data.trend, data.maturity, standing


ACTIONS = ("attempt", "attempt", "old", "start", "start", "lesson", "role", "team", "access", "new", "time")
ACTIONS += ("policy", "override", "active", "external")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_totals_equal_a_rebuild_after_random_changes(shipped, seed):
    """Learners finish attempts (now and backdated), start attempts, complete lessons, change role, join and leave
    teams, change access, are added, deactivated and marked external, acknowledge policies, are
    certified or revoked by hand, and teams are deleted, while time passes (evidence turns stale,
    certifications lapse); after each change the kept totals equal a recomputation, and the
    overview read from them equals the live queries'."""
    rng = random.Random(seed)
    with make.saved(shipped):
        catalogue = shipped.extensions["catalogue"]
        roles = list(catalogue.roles)
        orgs = [make.organization(f"Org {i}", f"org-{i}") for i in range(2)]
        teams = [make.team(org, f"T{i}", role=None) for org in orgs for i in range(3)]
        people = [make.user(f"p{i}@org.example", org=rng.choice(orgs), role=rng.choice(roles), password=None)
                  for i in range(14)]  # fmt: skip
        admins = {org.id: make.user(f"admin{org.id}@org.example", org=org, access="admin") for org in orgs}
        db.session.flush()
        start, offset = utcnow(), timedelta(0)
        for step in range(60):
            person = rng.choice(people)
            action = rng.choice(ACTIONS)
            if action in ("attempt", "old"):
                scenario = rng.choice(catalogue.role_scenarios(person.role) or list(catalogue.scenarios.values()))
                when = start - timedelta(days=rng.randint(0, 700)) if action == "old" else None
                scores = {skill: rng.choice((20, 50, 70, 85, 100)) for skill in scenario.best}
                make.attempt(person, scenario=scenario.id, at=when, scores=scores)
            elif action == "start" and catalogue.role_scenarios(person.role):
                scenario = rng.choice(catalogue.role_scenarios(person.role))
                record.attempt_started(catalogue, person, scenario, rng.choice((ASSESSED, PRACTICE)))
            elif action == "lesson" and person.role in catalogue.courses:
                lesson = rng.choice(catalogue.courses[person.role].lessons)
                if record.lesson_completed(catalogue, person, lesson) is False:
                    continue
            elif action == "role":
                record.role_changed(catalogue, person, rng.choice(roles))
            elif action == "team":
                team = rng.choice([t for t in teams if t.org_id == person.org_id])
                if rng.random() < 0.15 and db.session.get(Team, team.id):
                    admin.delete_team(team)
                    teams.remove(team)
                    teams.append(make.team(team.org_id, f"T{step}", role=None))
                else:
                    services.toggle_team(person, team)
            elif action == "access":
                services.set_access(admins[person.org_id], person, rng.choice(("learner", "learner", "manager")))
            elif action == "policy":
                current = policy.current(person.org_id)
                if current is None or rng.random() < 0.3:
                    current = policy.publish(person.org_id, f"v{step}", "Use AI tools as the register allows.")
                if person.active:
                    policy.acknowledge(catalogue, person, current, person.name)
            elif action == "override":
                try:
                    cycles.override(catalogue, person, rng.choice(("certify", "revoke")), "A reason.")
                except cycles.Refused:
                    continue
            elif action == "active":
                if person.active:
                    admin.deactivate(admins[person.org_id], [person])
                else:
                    admin.reactivate(admins[person.org_id], person)
            elif action == "external":
                admin.set_external(admins[person.org_id], person, not person.external, "Agency Ltd")
            elif action == "new":
                people.append(make.user(f"n{step}@org.example", org=rng.choice(orgs), role=rng.choice(roles),
                                        password=None, teams=[rng.choice(teams)]))  # fmt: skip
            else:
                offset += timedelta(days=rng.randint(20, 200))  # evidence turns stale as time passes
            db.session.flush()
            now = utcnow() + offset
            _agree(catalogue, now)
            if step % 10 == 9:
                for org in orgs:
                    kept = _overview_figures(Scope(org.id), catalogue, now, kept=True)
                    db.session.get(TotalsState, totals.STATE_ID).fingerprint = "other content"
                    live = _overview_figures(Scope(org.id), catalogue, now, kept=False)
                    assert kept == live
                    readmodels.rebuild(catalogue, now)


def test_a_rebuild_after_a_content_change_brings_the_totals_back(shipped):
    with make.saved(shipped):
        catalogue = shipped.extensions["catalogue"]
        org = make.organization("Org", "org")
        person = make.user("p@org.example", org=org, role="lifecycle", password=None)
        make.attempt(person, scenario=catalogue.role_scenarios("lifecycle")[0].id)
        now = utcnow()
        assert insights.Figures(Scope(org.id), catalogue, Windows(now)).kept
        db.session.get(TotalsState, totals.STATE_ID).fingerprint = "built for other content"
        assert not insights.Figures(Scope(org.id), catalogue, Windows(now)).kept  # the live queries answer
        org_id = org.id
    assert shipped.test_cli_runner().invoke(args=["rollups", "rebuild"]).exit_code == 0
    with shipped.app_context():
        assert insights.Figures(Scope(org_id), catalogue, Windows(utcnow())).kept
    checked = shipped.test_cli_runner().invoke(args=["rollups", "check"])
    assert checked.exit_code == 0 and "agree" in checked.output


def test_the_check_command_names_totals_that_drifted(shipped):
    """A write that bypassed the path (here, by hand) shows up in 'flask rollups check'."""
    with make.saved(shipped):
        org = make.organization("Org", "org")
        make.user("p@org.example", org=org, role="lifecycle", password=None)
        db.session.execute(db.update(RoleTotal).values(people=RoleTotal.people + 1))
    checked = shipped.test_cli_runner().invoke(args=["rollups", "check"])
    assert checked.exit_code == 1 and "role / lifecycle: kept (2, 0), recomputed (1, 0)" in checked.output


def test_the_check_command_names_track_sums_that_drifted(shipped):
    """Track sums written around the path show up in 'flask rollups check'; until this release's
    rebuild, the check says the sums wait for it."""
    with make.saved(shipped):
        catalogue = shipped.extensions["catalogue"]
        person = make.user("p@org.example", org=make.organization("Org", "org"), role="lifecycle", password=None)
        make.attempt(person, scenario=catalogue.role_scenarios("lifecycle")[0].id)
        person_id = person.id
    checked = shipped.test_cli_runner().invoke(args=["rollups", "check"])
    assert checked.exit_code == 0 and "The track sums agree with the evidence." in checked.output
    with make.saved(shipped):
        sums = db.session.scalars(db.select(TrackSkillPoints).order_by(TrackSkillPoints.skill_id)).first()
        before, after = (round(sums.earned, 6), sums.available), (round(sums.earned + 1, 6), sums.available)
        expected = f"learner {person_id}, {sums.skill_id}: kept sums {after}, recomputed {before}"
        sums.earned += 1
    checked = shipped.test_cli_runner().invoke(args=["rollups", "check"])
    assert checked.exit_code == 1 and expected in checked.output
    assert "0 totals and 1 track sums differ" in checked.output
    with make.saved(shipped):
        db.session.get(TotalsState, totals.STATE_ID).sums_built_at = None  # as migrated with people
    checked = shipped.test_cli_runner().invoke(args=["rollups", "check"])
    assert checked.exit_code == 0 and "The track sums wait for 'flask rollups rebuild'" in checked.output


def test_a_team_view_or_an_earlier_moment_reads_the_live_queries(shipped):
    with make.saved(shipped):
        catalogue = shipped.extensions["catalogue"]
        org = make.organization("Org", "org")
        team = make.team(org, "T", role=None)
        make.attempt(make.user("p@org.example", org=org, role="lifecycle", password=None, teams=[team]),
                     scenario=catalogue.role_scenarios("lifecycle")[0].id)  # fmt: skip
        now = utcnow()
        assert not insights.Figures(Scope(org.id, (team.id,)), catalogue, Windows(now)).kept
        assert not insights.Figures(Scope(org.id), catalogue, Windows(now - timedelta(days=3))).kept
        assert rollups.role_counts(Scope(org.id), catalogue, Windows(now)) == totals.role_counts(
            catalogue, org.id, rollups.months_back(now.date(), 1)[0]
        )


def test_a_first_start_writes_the_read_models_and_totals_a_refresh_would(shipped):
    """The first activity on a track is written directly (a fifth of a refresh's work): the track
    progress row and the person's snapshot equal what a full refresh of their history gives."""
    from literacy.insights.tables import LearnerSnapshot, TrackProgress

    with make.saved(shipped):
        catalogue = shipped.extensions["catalogue"]
        org = make.organization("Org", "org")
        person = make.user("first@org.example", org=org, role="lifecycle", password=None)
        db.session.flush()
        scenario = catalogue.role_scenarios("lifecycle")[0]
        record.attempt_started(catalogue, person, scenario, ASSESSED)
        db.session.flush()

        def kept():
            progress = db.session.get(TrackProgress, person.id)
            snapshot = db.session.get(LearnerSnapshot, person.id)
            return (progress.started_at, progress.completed_at), snapshot.data, totals.kept_totals()

        written = kept()
        db.session.expire_all()
        readmodels.refresh(catalogue, [person.id])
        db.session.flush()
        db.session.expire_all()
        assert written[0][0] is not None
        assert kept() == written


def test_finished_attempts_leave_the_read_models_and_totals_a_refresh_would(shipped):
    """Scenarios played through the event path to assessed and practice endings: after each finish
    the person's read models, snapshot, certification and the kept totals equal a full refresh of
    their history. A practice ending changes none of them, so the path skips the refresh for it."""
    from literacy.evidence.tables import Certification
    from literacy.insights.tables import Evidence, LearnerMonth, LearnerSnapshot, TrackProgress
    from literacy.learning import attempts, engine

    def kept(person) -> tuple:
        rows = [
            sorted(tuple(getattr(row, c.key) for c in model.__table__.columns if c.key != "id")
                   for row in db.session.scalars(db.select(model).where(model.user_id == person.id)))
            for model in (Evidence, TrackSkillPoints, TrackProgress, LearnerMonth, Certification)
        ]  # fmt: skip
        return rows, db.session.get(LearnerSnapshot, person.id).data, totals.kept_totals()

    rng = random.Random(5)
    with make.saved(shipped):
        catalogue = shipped.extensions["catalogue"]
        org = make.organization("Org", "org")
        roles = [role for role in catalogue.roles if catalogue.role_scenarios(role)][:2]
        people = [make.user(f"p{i}@org.example", org=org, role=roles[i % 2], password=None) for i in range(3)]
        db.session.flush()
        kinds = []
        for _ in range(10):
            person = rng.choice(people)
            scenario = rng.choice(catalogue.role_scenarios(person.role))
            kind = rng.choice((ASSESSED, PRACTICE))
            attempt = record.attempt_started(catalogue, person, scenario, kind)
            state = attempts.state_of(attempt)
            while not state.finished(scenario):
                result = engine.advance(scenario, state, rng.choice(engine.offered(scenario, state)).index)
                assert record.choice_made(catalogue, attempt, scenario, result)
                state = result.state
            db.session.flush()
            written = kept(person)
            db.session.expire_all()
            readmodels.refresh(catalogue, [person.id])
            cycles.refresh(catalogue, [person.id])
            db.session.flush()
            db.session.expire_all()
            assert kept(person) == written, kind
            kinds.append(kind)
        assert set(kinds) == {ASSESSED, PRACTICE}  # both kinds played
        for model in (Evidence, TrackSkillPoints):  # and evidence kept, with its sums
            assert db.session.scalar(db.select(db.func.count()).select_from(model)) > 0, model
