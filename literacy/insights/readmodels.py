"""Keep the rollup read models in step with the history they are derived from.

``refresh`` recomputes the read models for some learners with the same set-based queries that
``rebuild`` runs for everyone (built once per catalogue), so the two can never disagree.
``learning.record`` calls ``refresh`` for the one learner whose evidence just changed (an assessed
attempt finished, a lesson completed, a new role), or ``track_started`` for a first start, which
changes one row; a practice attempt's ending changes nothing here. tests/test_totals.py checks
both shortcuts leave what ``refresh`` would. ``flask rollups rebuild`` calls ``rebuild`` after
bulk changes or a content update. Nothing here commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select

from literacy.content.types import Catalogue
from literacy.insights import rollups, totals
from literacy.insights.tables import Evidence, LearnerMonth, TrackProgress, TrackSkillPoints
from literacy.people.tables import User
from literacy.platform.extensions import db


def _refreshed(column):
    """The rows of the people in the ``user_ids`` parameter."""
    return column.in_(bindparam("user_ids", expanding=True))


def _people(some: bool):
    """Subquery (id, role) of the people refreshed: those in the ``user_ids`` parameter, or everyone."""
    query = select(User.id.label("id"), User.role.label("role"))
    if some:
        query = query.where(_refreshed(User.id))
    return query.subquery("people")


def _statements(catalogue: Catalogue, some: bool) -> list:
    """The deletes, then the inserts from history, that refresh the read models: built once per
    catalogue (the learning-event path runs them on every finished attempt, and building and keying
    these queries cost more than running them for one learner)."""
    return rollups.per_catalogue(catalogue, f"readmodels-{some}", lambda: _build(catalogue, some))


def _build(catalogue: Catalogue, some: bool) -> list:
    people = _people(some)
    models = (Evidence, TrackSkillPoints, TrackProgress, LearnerMonth)
    deletes = [delete(model).where(_refreshed(model.user_id)) if some else delete(model) for model in models]
    evidence, sums = rollups.latest_assessed_scores(people, catalogue), rollups.track_skill_points(people, catalogue)
    first, done = rollups.first_activity(people, catalogue), rollups.track_completion(people, catalogue)
    progress = select(first.c.user_id, first.c.first_at, done.c.done_at).outerjoin(
        done, done.c.user_id == first.c.user_id
    )
    monthly = rollups.monthly_met(people, catalogue)
    return [
        *deletes,
        insert(Evidence).from_select(list(evidence.selected_columns.keys()), evidence),
        # from the evidence just written: the statements run in this order
        insert(TrackSkillPoints).from_select(list(sums.selected_columns.keys()), sums),
        insert(TrackProgress).from_select(["user_id", "started_at", "completed_at"], progress),
        insert(LearnerMonth).from_select(
            ["user_id", "month", "met"], select(monthly.c.user_id, monthly.c.month, monthly.c.met)
        ),
    ]


def refresh(catalogue: Catalogue, user_ids: list[int] | None) -> None:
    """Recompute the evidence, its sums over the own track, track progress and monthly evidence of
    ``user_ids`` (None: everyone)."""
    ids = sorted(set(user_ids)) if user_ids is not None else None
    db.session.flush()  # the statements run on the connection, which does not flush pending history
    connection = db.session.connection()
    if ids:
        totals.take_turns(connection, ids)  # parallel refreshes of one person wait
    parameters = {"user_ids": ids} if ids is not None else {}
    for statement in _statements(catalogue, ids is not None):
        connection.execute(statement, parameters)
    if ids is not None:
        totals.refresh(catalogue, ids)


def track_started(catalogue: Catalogue, user_id: int, at: datetime) -> None:
    """The learner's first activity on their own track, an attempt started at ``at``: the one read
    model row it changes, as :func:`refresh` would write it, then the totals. Evidence, completion
    and monthly figures come from finished attempts and completed lessons, which a start does not
    add. It spares a first start the refresh's deletes and queries over history, inside the write
    lock that every learner of a cohort launch queues for."""
    totals.take_turns(db.session.connection(), [user_id])
    db.session.execute(insert(TrackProgress).values(user_id=user_id, started_at=at, completed_at=None))
    totals.refresh(catalogue, [user_id])


def started_track(user_id: int) -> bool:
    """Whether the learner's first activity on their own track is already recorded."""
    query = select(TrackProgress.started_at).where(TrackProgress.user_id == user_id)
    return db.session.scalar(query) is not None


def sums_differences(catalogue: Catalogue) -> list[tuple]:
    """(user_id, skill_id, kept (earned, available), recomputed) wherever the kept track sums differ
    from a recomputation from the evidence beyond rounding (None: no row)."""

    def points(rows) -> dict:
        return {(user_id, skill): (round(earned, 6), available) for user_id, skill, earned, available in rows}

    kept = points(db.session.execute(select(*TrackSkillPoints.__table__.columns)))
    computed = points(db.session.execute(rollups.track_skill_points(_people(False), catalogue)))
    found = [(*key, kept.get(key), computed.get(key)) for key in kept.keys() | computed.keys()]
    return sorted(row for row in found if row[2] != row[3])


def rebuild(catalogue: Catalogue, now: datetime | None = None) -> None:
    """Every read model, then the organisation totals derived from them, from scratch."""
    refresh(catalogue, None)
    totals.rebuild(catalogue, now)
    totals.sums_rebuilt()
