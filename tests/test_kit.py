"""The test kit tells the truth: what its factories write is what the app writes, and every app starts empty."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from support import POOR, STRONG, make
from support.apps import make_app
from support.database import fresh_sqlite
from support.journeys import play, signed_up

from literacy.insights.tables import Evidence
from literacy.learning.tables import Attempt
from literacy.people.tables import User
from literacy.platform.extensions import db
from literacy.xapi.tables import OutboxStatement


def recorded(attempt_id: int) -> dict:
    """What the database holds about an attempt, apart from ids, people and times."""
    attempt = db.session.get(Attempt, attempt_id)
    evidence = db.session.scalars(select(Evidence).where(Evidence.attempt_id == attempt_id))
    verbs = db.session.scalars(select(OutboxStatement.verb).where(OutboxStatement.user_id == attempt.user_id))
    return {
        "attempt": (attempt.scenario_id, attempt.role, attempt.content_version, attempt.node_id, attempt.step),
        "state": (attempt.flags, attempt.totals, attempt.outcome, attempt.finished),
        "steps": [(s.step, s.node_id, s.choice_index, s.choice_label, s.target_id) for s in attempt.steps],
        "scores": sorted((s.skill_id, s.total, s.score) for s in attempt.skill_scores),
        "evidence": sorted((e.scenario_id, e.skill_id, e.score) for e in evidence),
        "statements": sorted(verbs),
    }


@pytest.mark.parametrize("path", [STRONG, POOR, STRONG[:1]], ids=["strong", "poor", "unfinished"])
def test_a_made_attempt_is_what_playing_it_on_the_site_records(app, path):
    played = play(signed_up(app, "player@example.com"), path)
    with make.saved(app):
        made = make.attempt(make.user("maker@example.com"), path).id
    with app.app_context():
        assert recorded(made) == recorded(played)


def test_scores_set_by_hand_replace_the_engines_and_need_an_ending(app):
    with make.saved(app):
        person = make.user()
        attempt = make.attempt(person, scores={"ownership": 80, "data": 50})
        assert attempt.scores == {"ownership": 80, "data": 50} and attempt.outcome == "strong"
        with pytest.raises(AssertionError, match="only a finished attempt"):
            make.attempt(person, STRONG[:1], scores={"data": 50})


def test_a_path_that_leaves_the_scenario_is_refused(app):
    with make.saved(app), pytest.raises(AssertionError, match="the path expects node 'review'"):
        make.attempt(make.user(), [("queue", 0), ("review", 0), ("review", 0)])


def test_every_app_starts_from_an_empty_database_with_ids_from_one(tmp_path):
    first = make_app(tmp_path / "first")
    with make.saved(first):
        assert [make.user(f"p{i}@example.com").id for i in range(3)] == [1, 2, 3]
    second = make_app(tmp_path / "second")  # on PostgreSQL, the same database: emptied
    with make.saved(second):
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        assert make.user().id == 1


def test_a_folder_holds_one_sqlite_database(tmp_path):
    fresh_sqlite(tmp_path)
    with pytest.raises(FileExistsError):  # a second copy would overwrite the first app's data
        fresh_sqlite(tmp_path)
