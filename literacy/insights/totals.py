"""Organisation totals behind the leader's overview, kept up to date as things happen.

The overview of a whole organisation reads a few hundred rows of sums (``skill_totals``,
``month_totals``, ``role_totals``) instead of every learner's evidence, so it costs the same at
200,000 learners as at 1,000. Each person's share of those sums is kept as a snapshot
(``learner_snapshots``); a change is applied as the difference between the new snapshot's
contribution and the stored one (``insights.aggregates``), in the transaction that made it:

- new evidence: ``readmodels.refresh`` (the learning-event path) calls :func:`refresh`;
- a person added, moved between teams, given other access, or a team deleted: the session
  listeners below call :func:`regroup` after the flush that wrote it, whichever service did it;
- evidence turning stale with time: :func:`sweep` recomputes the learners whose oldest fresh
  evidence has aged out, before the overview is read;
- ``flask rollups rebuild`` (:func:`rebuild`) recomputes everything from the read models, giving
  the same figures; run it after a content update or a change of the evidence settings.

The totals record the content and settings they were built for (``totals_state``). When those
differ (a new content release, another evidence window) the overview falls back to the live
queries in ``insights.rollups``, which give the same figures at a cost that grows with the
organisation, until the rebuild has run. Nothing here commits.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, event, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, object_session

from literacy.content.types import Catalogue
from literacy.evidence import certification
from literacy.evidence.tables import Certification, PolicyAcknowledgement
from literacy.insights import aggregates, metrics, rollups
from literacy.insights.aggregates import CELL, COMPLIANCE, MONTH, ROLE, SkillFigure, Snapshot, Standing
from literacy.insights.tables import (
    ComplianceTotal,
    Evidence,
    LearnerMonth,
    LearnerSnapshot,
    MonthTotal,
    RoleTotal,
    SkillTotal,
    TotalsState,
    TrackProgress,
)
from literacy.people.tables import Team, User, team_members
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db

# table, its key columns after org_id, its value columns: one entry per kind of contribution key
TABLES = {
    "skill": (SkillTotal, ("dimension", "group_key", "skill_id"), CELL),
    "month": (MonthTotal, ("role", "month"), MONTH),
    "role": (RoleTotal, ("role",), ROLE),
    "compliance": (ComplianceTotal, ("status", "policy_id"), COMPLIANCE),
}
STATE_ID = 1
EMPTY, PENDING = "", "rebuild"  # fingerprints: migrated empty (adopt on first use); migrated with history
REBUILD_CHUNK = 5000  # people per pass of a rebuild, to bound its memory


# --- whether the totals can be read --------------------------------------------------------------


def settings() -> tuple[int, int]:
    """(evidence window in days, currency window in months): the app's settings."""
    config = current_app.config
    return config["EVIDENCE_WINDOW_DAYS"], config["CURRENCY_MONTHS"]


def fingerprint(catalogue: Catalogue, evidence_days: int, currency_months: int) -> str:
    """What the totals depend on besides history: targets, critical skills, each scenario's points,
    each role's track, and the two windows."""
    name = f"fingerprint-{evidence_days}-{currency_months}"
    return rollups.per_catalogue(catalogue, name, lambda: _fingerprint(catalogue, evidence_days, currency_months))


def _fingerprint(catalogue: Catalogue, evidence_days: int, currency_months: int) -> str:
    facts = {
        "targets": {r.id: r.targets for r in catalogue.roles.values()},
        "best": {s.id: s.best for s in catalogue.scenarios.values()},
        "lessons": {c.role: [lesson.id for lesson in c.lessons] for c in catalogue.courses.values()},
        "scenarios": {r: sorted(s.id for s in catalogue.role_scenarios(r)) for r in catalogue.roles},
        "windows": [evidence_days, currency_months],
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def ready(catalogue: Catalogue, evidence_days: int | None = None, currency_months: int | None = None) -> bool:
    """Whether the totals were built for this content and these settings.

    A database whose tables were just created (tests, benchmarks) or migrated while empty has no
    history the totals could miss, so it adopts the current fingerprint; a database migrated with
    history waits for ``flask rollups rebuild``."""
    if evidence_days is None or currency_months is None:
        evidence_days, currency_months = settings()
    wanted = fingerprint(catalogue, evidence_days, currency_months)
    state = db.session.get(TotalsState, STATE_ID)
    if state is None:  # parallel first requests: one row, whoever inserts first
        connection = db.session.connection()
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        now = utcnow()  # new tables have no history the track sums could miss either
        row = {"id": STATE_ID, "fingerprint": EMPTY, "built_at": now, "sums_built_at": now}
        connection.execute(dialect.insert(TotalsState.__table__).values(row).on_conflict_do_nothing())
        state = db.session.get(TotalsState, STATE_ID)
    if state.fingerprint == EMPTY:
        state.fingerprint = wanted
        db.session.flush()
    return state.fingerprint == wanted


def sums_ready(catalogue: Catalogue) -> bool:
    """Whether the learners' sums over their own track (``track_skill_points``) can be read: the
    totals are ready and the sums were rebuilt with them. A database migrated with people waits for
    ``flask rollups rebuild`` once every server runs this release (a server of an earlier release
    rewrites evidence, not the sums), as does one an earlier release rebuilt since."""
    if not ready(catalogue):
        return False
    state = db.session.get(TotalsState, STATE_ID)
    return state.sums_built_at == state.built_at


def sums_rebuilt() -> None:
    """Mark the track sums as rebuilt with the totals (after :func:`rebuild`)."""
    state = db.session.get(TotalsState, STATE_ID)
    state.sums_built_at = state.built_at
    db.session.flush()


# --- snapshots: each person's share --------------------------------------------------------------


def _people(connection, chosen) -> list:
    """The people's grouping; accounts outside any organisation count in no organisation's totals."""
    query = select(User.id, User.org_id, User.role, User.access, User.active, User.external)
    return connection.execute(query.where(chosen(User.id), User.org_id.is_not(None))).all()


def _teams(connection, chosen) -> dict[int, tuple[int, ...]]:
    found: dict[int, list[int]] = {}
    for user_id, team_id in connection.execute(
        select(team_members.c.user_id, team_members.c.team_id).where(chosen(team_members.c.user_id))
    ):
        found.setdefault(user_id, []).append(team_id)
    return {user_id: tuple(sorted(teams)) for user_id, teams in found.items()}


def _standings(connection, chosen, people: list, now: datetime) -> dict[int, Standing | None]:
    """Each active person's certification status in their role at ``now`` (``evidence.certification``)
    and the newest policy they acknowledged; None for deactivated accounts."""
    cycles: dict[int, list] = {}
    for user_id, *cycle in connection.execute(
        select(
            Certification.user_id,
            Certification.number,
            Certification.role,
            Certification.opened_at,
            Certification.certified_at,
            Certification.expires_at,
            Certification.revoked_at,
        ).where(chosen(Certification.user_id))
    ):
        cycles.setdefault(user_id, []).append(certification.Cycle(*cycle))
    signed = dict(
        connection.execute(
            select(PolicyAcknowledgement.user_id, func.max(PolicyAcknowledgement.policy_id))
            .where(chosen(PolicyAcknowledgement.user_id))
            .group_by(PolicyAcknowledgement.user_id)
        ).all()
    )
    found = {}
    for user_id, _, role, _, active, external in people:
        if not active:
            found[user_id] = None
            continue
        standing = certification.standing(cycles.get(user_id, []), role, now)
        valid = standing.status in ("certified", "renewing")
        found[user_id] = Standing(
            standing.status, signed.get(user_id, 0), bool(external), standing.expires_at if valid else None
        )
    return found


def _snapshots(catalogue: Catalogue, chosen, now: datetime, days: int, months: int) -> dict[int, Snapshot]:
    """{user_id: Snapshot} at ``now`` for the people ``chosen(column)`` selects, from the read models."""
    connection = db.session.connection()
    since = now - timedelta(days=days)
    people = _people(connection, chosen)
    teams, standings = _teams(connection, chosen), _standings(connection, chosen, people, now)
    fresh = Evidence.finished_at >= since
    skills: dict[int, list] = {}
    oldest: dict[int, datetime] = {}
    for user_id, skill, earned, available, attempts, first in connection.execute(
        select(
            Evidence.user_id,
            Evidence.skill_id,
            *rollups.fresh_sums(since),
            func.min(case((fresh, Evidence.finished_at))),
        )
        .where(chosen(Evidence.user_id))
        .group_by(Evidence.user_id, Evidence.skill_id)
    ):
        skills.setdefault(user_id, []).append((skill, float(earned or 0), int(available or 0), attempts))
        if first is not None:
            oldest[user_id] = min(first, oldest.get(user_id, first))
    progress = {
        user_id: (started, done)
        for user_id, started, done in connection.execute(
            select(TrackProgress.user_id, TrackProgress.started_at, TrackProgress.completed_at).where(
                chosen(TrackProgress.user_id)
            )
        )
    }
    learner_months: dict[int, dict] = {}
    for user_id, month, met in connection.execute(
        select(LearnerMonth.user_id, LearnerMonth.month, LearnerMonth.met).where(chosen(LearnerMonth.user_id))
    ):
        learner_months.setdefault(user_id, {})[month] = met
    found = {}
    for user_id, org_id, role_id, access, _, _ in people:
        role = catalogue.roles.get(role_id)
        targets = role.targets if role else {}
        started, done = progress.get(user_id, (None, None))
        found[user_id] = Snapshot(
            org_id,
            role_id,
            access == "learner",
            teams.get(user_id, ()),
            {
                skill: SkillFigure(earned, available, attempts, targets[skill])
                for skill, earned, available, attempts in skills.get(user_id, [])
                if skill in targets
            },
            tuple(sorted(metrics.critical_skills(targets))),
            aggregates.month_key(started),
            aggregates.month_key(done),
            learner_months.get(user_id, {}),
            months,
            standings[user_id],
            aggregates.evidence_expires(oldest.get(user_id), days),
        )
    return found


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _dump(snapshot: Snapshot) -> str:
    standing = snapshot.standing
    return json.dumps(
        {
            "role": snapshot.role,
            "learner": snapshot.learner,
            "teams": list(snapshot.teams),
            "skills": {s: [f.earned, f.available, f.attempts, f.target] for s, f in snapshot.skills.items()},
            "critical": list(snapshot.critical),
            "started": snapshot.started,
            "completed": snapshot.completed,
            "months": snapshot.months,
            "currency_months": snapshot.currency_months,
            "standing": None
            if standing is None
            else [standing.status, standing.policy_id, standing.external, _iso(standing.changes_at)],
            "evidence_expires": _iso(snapshot.evidence_expires),
        },
        sort_keys=True,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _load(org_id: int, data: str) -> Snapshot:
    raw = json.loads(data)
    standing = raw["standing"]
    return Snapshot(
        org_id,
        raw["role"],
        raw["learner"],
        tuple(raw["teams"]),
        {s: SkillFigure(*values) for s, values in raw["skills"].items()},
        tuple(raw["critical"]),
        raw["started"],
        raw["completed"],
        raw["months"],
        raw["currency_months"],
        None if standing is None else Standing(*standing[:3], _moment(standing[3])),
        _moment(raw["evidence_expires"]),
    )


def _stored(connection, user_ids: list[int]) -> dict[int, Snapshot]:
    rows = connection.execute(
        select(LearnerSnapshot.user_id, LearnerSnapshot.org_id, LearnerSnapshot.data).where(
            LearnerSnapshot.user_id.in_(user_ids)
        )
    )
    return {user_id: _load(org_id, data) for user_id, org_id, data in rows}


def take_turns(connection, user_ids: list[int]) -> None:
    """Take these people's turn: whoever changes a snapshot holds its person's row until commit, so
    two transactions never apply a difference from the same old snapshot (SQLite: the write lock,
    which any write statement takes)."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(User.id).where(User.id.in_(user_ids)).order_by(User.id).with_for_update())
    else:
        connection.execute(update(User).where(User.id == user_ids[0]).values(order_seed=User.order_seed))


def _upsert(connection, model, keys: tuple[str, ...], rows: list[dict], values: tuple[str, ...], add: bool) -> None:
    """Insert the rows, or on a key already present add to (``add``) or replace its values."""
    if not rows:
        return
    table = model.__table__
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    excluded = statement.excluded
    changes = {c: (table.c[c] + excluded[c]) if add else excluded[c] for c in values}
    connection.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=changes), rows)


def _apply(connection, changes: dict[int, dict]) -> None:
    """Add {org_id: {key: delta}} to the totals, in one order (tables, then keys) so that parallel
    transactions wait for each other instead of deadlocking."""
    for kind, (model, columns, values) in TABLES.items():
        rows = sorted(
            (
                (org_id, *key[1:], *delta)
                for org_id, deltas in changes.items()
                for key, delta in deltas.items()
                if key[0] == kind
            ),
            key=lambda row: row[: len(columns) + 1],
        )
        names = ("org_id", *columns, *values)
        _upsert(
            connection,
            model,
            ("org_id", *columns),
            [dict(zip(names, row, strict=True)) for row in rows],
            values,
            add=True,
        )


def _save(connection, snapshots: dict[int, Snapshot], now: datetime) -> None:
    rows = [
        {"user_id": uid, "org_id": s.org_id, "data": _dump(s), "computed_at": now, "expires_at": s.expires_at}
        for uid, s in sorted(snapshots.items())
    ]
    _upsert(connection, LearnerSnapshot, ("user_id",), rows, ("org_id", "data", "computed_at", "expires_at"), False)


def _differences(old: dict[int, Snapshot], new: dict[int, Snapshot]) -> dict[int, dict]:
    """{org_id: {key: delta}} from old and new snapshots of the same people."""
    changes: dict[int, dict] = {}
    for user_id, snapshot in new.items():
        delta = aggregates.difference(aggregates.contribution(old.get(user_id)), aggregates.contribution(snapshot))
        target = changes.setdefault(snapshot.org_id, {})
        for key, values in delta.items():
            so_far = target.get(key)
            target[key] = values if so_far is None else tuple(a + b for a, b in zip(so_far, values, strict=True))
    return changes


# --- keeping them up to date -----------------------------------------------------------------------


def refresh(catalogue: Catalogue, user_ids: list[int], now: datetime | None = None) -> None:
    """These people's history changed (their read models were just refreshed): apply the difference.
    The caller holds their turn (:func:`take_turns`: ``readmodels.refresh`` and :func:`sweep` take it)."""
    if not user_ids or not ready(catalogue):
        return
    days, months = settings()
    now, ids = now or utcnow(), sorted(set(user_ids))
    connection = db.session.connection()
    old = _stored(connection, ids)
    new = _snapshots(catalogue, lambda column: column.in_(ids), now, days, months)
    _apply(connection, _differences(old, new))
    _save(connection, new, now)


def regroup(session: Session, user_ids: set[int]) -> None:
    """These people were added, joined or left teams, changed access, were deactivated or marked
    external, or their certification or policy acknowledgement changed: recompute those parts of
    their snapshot (their evidence figures are unchanged, so no content is needed)."""
    connection, ids = session.connection(), sorted(user_ids)
    take_turns(connection, ids)
    old = _stored(connection, ids)
    chosen, now = (lambda column: column.in_(ids)), utcnow()
    people = _people(connection, chosen)
    teams, standings = _teams(connection, chosen), _standings(connection, chosen, people, now)
    new = {}
    for user_id, org_id, role, access, _, _ in people:
        base = old.get(user_id) or Snapshot(org_id, role, False, currency_months=settings()[1])
        same_role = base.role == role  # a new role's figures follow at once from ``refresh``
        new[user_id] = replace(
            base,
            role=role,
            learner=access == "learner",
            teams=teams.get(user_id, ()),
            skills=base.skills if same_role else {},
            critical=base.critical if same_role else (),
            standing=standings[user_id],
        )
    _apply(connection, _differences(old, new))
    _save(connection, new, now)


def sweep(catalogue: Catalogue, org_id: int, now: datetime) -> int:
    """Recompute the people whose oldest fresh evidence has turned stale since their snapshot; how many."""
    due = list(
        db.session.scalars(
            select(LearnerSnapshot.user_id).where(LearnerSnapshot.org_id == org_id, LearnerSnapshot.expires_at < now)
        )
    )
    if due:
        take_turns(db.session.connection(), sorted(due))
        refresh(catalogue, due, now)
    return len(due)


def _recomputed(catalogue: Catalogue, now: datetime):
    """Every person's snapshot from the read models, a chunk of people at a time."""
    days, months = settings()
    highest = db.session.scalar(select(func.max(User.id))) or 0
    for low in range(0, highest + 1, REBUILD_CHUNK):
        yield _snapshots(
            catalogue, lambda column, low=low: column.between(low, low + REBUILD_CHUNK - 1), now, days, months
        )


def recomputed_totals(catalogue: Catalogue, now: datetime, each_chunk=None) -> dict[int, dict]:
    """{org_id: {key: values}}: what the totals should hold at ``now``, recomputed from the read
    models; ``each_chunk`` is handed each chunk of snapshots (a rebuild saves them)."""
    sums: dict[int, list] = {}
    for chunk in _recomputed(catalogue, now):
        for snapshot in chunk.values():
            sums.setdefault(snapshot.org_id, []).append(aggregates.contribution(snapshot))
        if each_chunk is not None:
            each_chunk(chunk)
    return {org_id: aggregates.total(rows) for org_id, rows in sums.items()}


def kept_totals() -> dict[int, dict]:
    """{org_id: {key: values}}: what the totals hold (rows of zeros left out)."""
    found: dict[int, dict] = {}
    for kind, (model, columns, values) in TABLES.items():
        for row in db.session.execute(select(model.org_id, *(getattr(model, c) for c in (*columns, *values)))):
            org_id, key, figures = row[0], row[1 : len(columns) + 1], tuple(row[len(columns) + 1 :])
            if any(figures):
                found.setdefault(org_id, {})[(kind, *key)] = figures
    return found


def differences(kept: dict[int, dict], computed: dict[int, dict]) -> list[tuple]:
    """(org_id, key, kept values, recomputed values) wherever the two disagree beyond rounding."""

    def rounded(values):
        return tuple(round(v, 6) for v in values) if values else None

    found = []
    for org_id in sorted(kept.keys() | computed.keys()):
        mine, theirs = kept.get(org_id, {}), computed.get(org_id, {})
        for key in sorted(mine.keys() | theirs.keys(), key=str):
            a, b = rounded(mine.get(key)), rounded(theirs.get(key))
            if a != b and (any(a or ()) or any(b or ())):
                found.append((org_id, key, a, b))
    return found


def rebuild(catalogue: Catalogue, now: datetime | None = None) -> None:
    """Recompute every snapshot and total from the read models, for this content and these settings."""
    days, months = settings()
    now = now or utcnow()
    connection = db.session.connection()
    for model in (LearnerSnapshot, *(model for model, _, _ in TABLES.values())):
        connection.execute(delete(model))
    _apply(connection, recomputed_totals(catalogue, now, lambda chunk: _save(connection, chunk, now)))
    state = db.session.get(TotalsState, STATE_ID) or TotalsState(id=STATE_ID)
    state.fingerprint, state.built_at = fingerprint(catalogue, days, months), now
    db.session.add(state)
    db.session.flush()


def usable(catalogue: Catalogue, org_id: int, now: datetime, evidence_days: int, currency_months: int) -> bool:
    """Whether the organisation's totals answer for ``now``: built for this content and these
    settings, and no share computed later than ``now`` (an overview of an earlier moment, or a
    server whose clock runs behind, reads the live queries)."""
    if not ready(catalogue, evidence_days, currency_months):
        return False
    latest = db.session.scalar(select(func.max(LearnerSnapshot.computed_at)).where(LearnerSnapshot.org_id == org_id))
    return latest is None or latest <= now


# --- reading them ------------------------------------------------------------------------------------


def cells(org_id: int, dimension: str) -> list[metrics.CellRow]:
    """The organisation's heatmap cells for 'role' or 'team', as ``rollups.cells`` computes them live."""
    rows = db.session.execute(
        select(SkillTotal.group_key, SkillTotal.skill_id, *(getattr(SkillTotal, c) for c in CELL)).where(
            SkillTotal.org_id == org_id, SkillTotal.dimension == dimension, SkillTotal.everyone > 0
        )
    )
    return [aggregates.cell_row(group, skill, tuple(values)) for group, skill, *values in rows]


def role_counts(catalogue: Catalogue, org_id: int, this_month: str) -> list[metrics.RoleCounts]:
    """Per role, as ``rollups.role_counts`` computes them live."""
    roles = {
        role: (people, at)
        for role, people, at in db.session.execute(
            select(RoleTotal.role, RoleTotal.people, RoleTotal.at_target).where(
                RoleTotal.org_id == org_id, RoleTotal.people > 0
            )
        )
    }
    months = {
        role: (started, completed, current)
        for role, started, completed, current in db.session.execute(
            select(
                MonthTotal.role,
                func.sum(MonthTotal.started),
                func.sum(MonthTotal.completed),
                func.sum(case((MonthTotal.month == this_month, MonthTotal.current), else_=0)),
            )
            .where(MonthTotal.org_id == org_id)
            .group_by(MonthTotal.role)
        )
    }
    found = []
    for role in catalogue.roles:
        if role in roles:
            started, completed, current = months.get(role, (0, 0, 0))
            people, at = roles[role]
            found.append(metrics.RoleCounts(role, people, int(started), int(completed), at, int(current or 0)))
    return found


def trend_rows(org_id: int, months: list[str]) -> dict[str, dict]:
    """Per (role, month), as ``rollups.trend_rows`` computes them live."""
    rows = db.session.execute(
        select(
            MonthTotal.role,
            MonthTotal.month,
            MonthTotal.started,
            MonthTotal.completed,
            MonthTotal.evidence,
            MonthTotal.met,
            MonthTotal.current,
        ).where(MonthTotal.org_id == org_id)
    ).all()
    shown = set(months)
    return {
        "started": {(r, m): s for r, m, s, *_ in rows if s},
        "completed": {(r, m): c for r, m, _, c, *_ in rows if c},
        "evidence": {(r, m): (e, met) for r, m, _, _, e, met, _ in rows if m >= months[0] and e},
        "current": {(r, m): n for r, m, *_, n in rows if m in shown and n},
    }


def compliance(org_id: int, policy_id: int | None) -> tuple[int, int, dict[str, int], int]:
    """(active people, external, people per certification status, acknowledged ``policy_id``)."""
    people = external = signed = 0
    statuses = dict.fromkeys(certification.STATUSES, 0)
    for status, policy, n, outside in db.session.execute(
        select(
            ComplianceTotal.status, ComplianceTotal.policy_id, ComplianceTotal.people, ComplianceTotal.external
        ).where(ComplianceTotal.org_id == org_id)
    ):
        people, external = people + n, external + outside
        statuses[status] = statuses.get(status, 0) + n
        signed += n if policy_id is not None and policy == policy_id else 0
    return people, external, statuses, signed


# --- catching every change of grouping, whichever service makes it ---------------------------------


def _mark(target) -> None:
    session = object_session(target)
    if session is not None and target.id is not None:
        session.info.setdefault("regroup", set()).add(target.id)


@event.listens_for(User.teams, "append")
@event.listens_for(User.teams, "remove")
def _teams_changed(user, _value, _initiator):
    _mark(user)


@event.listens_for(Team.members, "append")
@event.listens_for(Team.members, "remove")
def _members_changed(_team, user, _initiator):
    _mark(user)


@event.listens_for(User.access, "set")
@event.listens_for(User.active, "set")
@event.listens_for(User.external, "set")
def _standing_changed(user, value, old, _initiator):
    if value != old:
        _mark(user)


@event.listens_for(Certification, "after_insert")
@event.listens_for(Certification, "after_update")
@event.listens_for(PolicyAcknowledgement, "after_insert")
def _certification_changed(_mapper, _connection, row):
    session = object_session(row)
    if session is not None:
        session.info.setdefault("regroup", set()).add(row.user_id)


@event.listens_for(User, "after_insert")
def _user_added(_mapper, _connection, user):
    session = object_session(user)
    if session is not None:
        session.info.setdefault("regroup", set()).add(user.id)


@event.listens_for(Team, "before_delete")
def _team_deleted(_mapper, connection, team):
    members = connection.execute(select(team_members.c.user_id).where(team_members.c.team_id == team.id))
    session = object_session(team)
    if session is not None:
        session.info.setdefault("regroup", set()).update(user_id for (user_id,) in members)


@event.listens_for(Session, "after_flush_postexec")
def _regroup_after_flush(session, _context):
    ids = session.info.pop("regroup", None)
    if not ids:
        return
    state = session.connection().execute(select(TotalsState.fingerprint).where(TotalsState.id == STATE_ID)).scalar()
    if state != PENDING:  # a database migrated with history: the rebuild will count everyone
        regroup(session, ids)
