"""Keep the rollup read models in step with the history they are derived from.

``refresh`` recomputes the read models for some learners with the same set-based queries that
``rebuild`` runs for everyone, so the two can never disagree. ``learning.record`` calls ``refresh``
for the one learner whose history just changed (or ``track_started`` for a first start, which
changes one row; tests/test_totals.py checks it writes what ``refresh`` would); ``flask rollups
rebuild`` calls ``rebuild`` after bulk changes or a content update. Nothing here commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select

from literacy.content.types import Catalogue
from literacy.insights import rollups, totals
from literacy.insights.tables import Evidence, LearnerMonth, TrackProgress
from literacy.people.tables import User
from literacy.platform.extensions import db


def _people(user_ids: list[int] | None):
    query = select(User.id.label("id"), User.role.label("role"))
    if user_ids is not None:
        query = query.where(User.id.in_(user_ids))
    return query.subquery("people")


def refresh(catalogue: Catalogue, user_ids: list[int] | None) -> None:
    """Recompute the evidence, track progress and monthly evidence of ``user_ids`` (None: everyone)."""
    if user_ids:
        totals.take_turns(db.session.connection(), sorted(set(user_ids)))  # parallel refreshes of one person wait
    people = _people(user_ids)
    for model in (Evidence, TrackProgress, LearnerMonth):
        query = delete(model)
        if user_ids is not None:
            query = query.where(model.user_id.in_(user_ids))
        db.session.execute(query)
    evidence = rollups.latest_assessed_scores(people, catalogue)
    db.session.execute(insert(Evidence).from_select(list(evidence.selected_columns.keys()), evidence))
    first, done = rollups.first_activity(people, catalogue), rollups.track_completion(people, catalogue)
    progress = select(first.c.user_id, first.c.first_at, done.c.done_at).outerjoin(
        done, done.c.user_id == first.c.user_id
    )
    db.session.execute(insert(TrackProgress).from_select(["user_id", "started_at", "completed_at"], progress))
    monthly = rollups.monthly_met(people, catalogue)
    db.session.execute(
        insert(LearnerMonth).from_select(
            ["user_id", "month", "met"], select(monthly.c.user_id, monthly.c.month, monthly.c.met)
        )
    )
    if user_ids is not None:
        totals.refresh(catalogue, user_ids)


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


def rebuild(catalogue: Catalogue, now: datetime | None = None) -> None:
    """Every read model, then the organisation totals derived from them, from scratch."""
    refresh(catalogue, None)
    totals.rebuild(catalogue, now)
