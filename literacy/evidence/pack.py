"""Evidence packs, pure: each person's lines (certification, policy, workflows, assigned work, skills
with first and latest results) from plain rows, the pack's summary, and its CSV and JSON forms. The
definitions are docs/compliance.md's; ``evidence.packs`` gathers the rows and renders the PDF.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from literacy.evidence.certification import STATUSES, Standing
from literacy.insights import metrics

FORMATS = {"csv": "CSV (one line per record, for systems)", "json": "JSON (nested, for systems)", "pdf": "PDF report"}


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    email: str
    role: str
    role_name: str
    teams: tuple[str, ...]
    external: bool
    agency: str
    active: bool

    @property
    def affiliation(self) -> str:
        return "external" if self.external else "staff"


@dataclass(frozen=True)
class Operated:
    """A workflow the person is a named operator of, and the AI tools it uses."""

    name: str
    stage: str
    tools: str


@dataclass(frozen=True)
class Work:
    """An assigned lesson or scenario: which cohort assigned it, and when it was done by the as-of date."""

    kind: str  # "lesson" or "scenario"
    ref: str
    title: str
    cohorts: tuple[str, ...]
    content_version: str  # the version the completing attempt was taken on, or the lesson's current one
    completed_at: datetime | None
    statement_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attempted:
    """One finished assessed attempt's score in one skill, with the points the scenario can award in it."""

    attempt_id: int
    scenario_id: str
    skill_id: str
    score: int
    available: int
    finished_at: datetime


@dataclass(frozen=True)
class SkillLine:
    skill_id: str
    skill_name: str
    target: int
    latest: metrics.Estimate | None
    first: metrics.Estimate | None
    scenarios: int
    last_assessed: datetime | None
    statement_ids: tuple[str, ...]

    retaken: int = 0  # scenarios assessed more than once: only they can show a change

    @property
    def change(self) -> int | None:
        """Effectiveness: the latest estimate less the first one (points); None when no scenario was
        assessed twice, since then the first result is the latest."""
        if self.latest is None or self.first is None or not self.retaken:
            return None
        return self.latest.value - self.first.value

    @property
    def at_target(self) -> bool:
        """At the role's target on evidence firm enough to tell (the certification rule's test)."""
        found = self.latest
        return found is not None and found.value + metrics.FLOAT_SLACK >= self.target and not found.low_confidence


@dataclass(frozen=True)
class PersonPack:
    person: Person
    standing: Standing
    policy_version: str | None  # the version current at the as-of date
    policy_acknowledged_at: datetime | None
    workflows: tuple[Operated, ...]
    work: tuple[Work, ...]
    skills: tuple[SkillLine, ...]

    @property
    def tools(self) -> tuple[str, ...]:
        """The AI tools in scope: those of the workflows the person operates (as entered, de-duplicated)."""
        found: dict[str, None] = {}
        for workflow in self.workflows:
            for tool in workflow.tools.replace("\n", ",").split(","):
                if tool.strip():
                    found.setdefault(tool.strip(), None)
        return tuple(found)


def skill_lines(
    rows: Iterable[Attempted],
    skills: dict[str, str],
    targets: dict[str, int],
    statements: dict[int, tuple[str, ...]],
) -> tuple[SkillLine, ...]:
    """Per skill of the role (``skills``: id -> name): the estimate from each scenario's newest assessed
    attempt (latest) and from each scenario's first (first), as docs/metrics.md models proficiency,
    with the ids of the xAPI statements of the attempts behind the latest figure."""
    first: dict[tuple[str, str], Attempted] = {}
    latest: dict[tuple[str, str], Attempted] = {}
    for row in sorted(rows, key=lambda r: (r.finished_at, r.attempt_id)):
        key = (row.skill_id, row.scenario_id)
        first.setdefault(key, row)
        latest[key] = row
    lines = []
    for skill, name in skills.items():
        newest = [r for (s, _), r in latest.items() if s == skill]
        earliest = [r for (s, _), r in first.items() if s == skill]
        ids = tuple(i for r in sorted(newest, key=lambda r: r.attempt_id) for i in statements.get(r.attempt_id, ()))
        lines.append(
            SkillLine(
                skill,
                name,
                targets.get(skill, 0),
                _estimate(newest),
                _estimate(earliest),
                len(newest),
                max((r.finished_at for r in newest), default=None),
                ids,
                sum(first[(skill, r.scenario_id)].attempt_id != r.attempt_id for r in newest),
            )
        )
    return tuple(lines)


def _estimate(rows: list[Attempted]) -> metrics.Estimate | None:
    return metrics.estimate(sum(r.score * r.available / 100 for r in rows), sum(r.available for r in rows))


@dataclass(frozen=True)
class Summary:
    people: int
    staff: int
    external: int
    statuses: dict[str, int]
    policy_version: str | None
    policy_acknowledged: int
    mean_change: dict[str, float | None] = field(default_factory=dict)  # skill -> mean of the changes
    changed: dict[str, int] = field(default_factory=dict)  # skill -> people with a first and a latest result

    @property
    def certified(self) -> int:
        return self.statuses.get("certified", 0) + self.statuses.get("renewing", 0)


def summary(packs: Iterable[PersonPack], policy_version: str | None = None) -> Summary:
    """The pack's summary; ``policy_version``: the version current at the as-of date."""
    packs = list(packs)
    statuses = dict.fromkeys(STATUSES, 0)
    changes: dict[str, list[int]] = {}
    for p in packs:
        statuses[p.standing.status] += 1
        for line in p.skills:
            if line.change is not None:
                changes.setdefault(line.skill_id, []).append(line.change)
    return Summary(
        people=len(packs),
        staff=sum(not p.person.external for p in packs),
        external=sum(p.person.external for p in packs),
        statuses=statuses,
        policy_version=policy_version,
        policy_acknowledged=sum(p.policy_acknowledged_at is not None for p in packs),
        mean_change={s: round(sum(v) / len(v), 1) for s, v in sorted(changes.items())},
        changed={s: len(v) for s, v in sorted(changes.items())},
    )


# --- CSV: one row per record ---------------------------------------------------------------------

CSV_HEADER = [
    "email",
    "name",
    "role",
    "teams",
    "staff_or_external",
    "agency",
    "active",
    "record",
    "item",
    "title",
    "status",
    "date",
    "content_version",
    "estimate",
    "low",
    "high",
    "first_estimate",
    "change",
    "target",
    "detail",
    "statement_ids",
]


def _day(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    return moment.isoformat(timespec="seconds") if isinstance(moment, datetime) else moment.isoformat()


def _record(who: list, record: str, item="", title="", status="", when=None, version="", figures=None, **rest):
    """One CSV row: the person's columns, then the record's."""
    figures = figures or [""] * 6
    ids = " ".join(rest.get("ids", ()))
    return [*who, record, item, title, status, _day(when), version, *figures, rest.get("detail", ""), ids]


def csv_rows(packs: Iterable[PersonPack]) -> list[list]:
    """The pack as rows under CSV_HEADER: per person a certification and a policy record, one per
    workflow operated, one per assigned item and one per skill."""
    rows = []
    for p in packs:
        person = p.person
        who = [person.email, person.name, person.role, "; ".join(person.teams), person.affiliation, person.agency]
        who.append("yes" if person.active else "no")
        rows.append(_certification_record(who, p))
        signed = "acknowledged" if p.policy_acknowledged_at else "not acknowledged"
        status = signed if p.policy_version else "no policy"
        rows.append(_record(who, "policy", p.policy_version or "", "", status, p.policy_acknowledged_at))
        for workflow in p.workflows:
            rows.append(_record(who, "workflow", workflow.name, "", workflow.stage, detail=workflow.tools))
        for work in p.work:
            done = "completed" if work.completed_at else "not completed"
            rows.append(
                _record(
                    who,
                    "work",
                    work.ref,
                    work.title,
                    done,
                    work.completed_at,
                    work.content_version,
                    detail="; ".join(work.cohorts),
                    ids=work.statement_ids,
                )
            )
        for line in p.skills:
            rows.append(_skill_record(who, line))
    return rows


def _certification_record(who: list, p: PersonPack) -> list:
    """The status, dated by its certification, with the expiry and any revocation in the detail."""
    standing, person = p.standing, p.person
    dates = [("expires", standing.expires_at), ("revoked", standing.revoked_at)]
    detail = "; ".join(f"{word} {_day(at)}" for word, at in dates if at)
    return _record(
        who, "certification", person.role, person.role_name, standing.status, standing.certified_at, detail=detail
    )


def _skill_record(who: list, line: SkillLine) -> list:
    figures = [
        *(_figures(line.latest) or ["", "", ""]),
        line.first.value if line.first else "",
        "" if line.change is None else line.change,
        line.target,
    ]
    status = "at target" if line.at_target else ("below target" if line.latest else "not assessed")
    return _record(
        who,
        "skill",
        line.skill_id,
        line.skill_name,
        status,
        line.last_assessed,
        figures=figures,
        detail=f"{line.scenarios} scenarios",
        ids=line.statement_ids,
    )


def _figures(found: metrics.Estimate | None) -> list | None:
    return None if found is None else [found.value, found.low, found.high]


# --- JSON ----------------------------------------------------------------------------------------


def _estimate_json(found: metrics.Estimate | None) -> dict | None:
    return None if found is None else {"estimate": found.value, "low": found.low, "high": found.high}


def person_json(p: PersonPack) -> dict:
    return {
        "email": p.person.email,
        "name": p.person.name,
        "role": p.person.role,
        "teams": list(p.person.teams),
        "staff_or_external": p.person.affiliation,
        "agency": p.person.agency,
        "active": p.person.active,
        "certification": {
            "status": p.standing.status,
            "certified_at": _day(p.standing.certified_at) or None,
            "expires_at": _day(p.standing.expires_at) or None,
            "revoked_at": _day(p.standing.revoked_at) or None,
            "cycle": p.standing.cycle,
        },
        "policy": {"version": p.policy_version, "acknowledged_at": _day(p.policy_acknowledged_at) or None},
        "workflows": [{"name": w.name, "stage": w.stage, "tools": w.tools} for w in p.workflows],
        "ai_tools": list(p.tools),
        "work": [
            {
                "kind": w.kind,
                "id": w.ref,
                "title": w.title,
                "cohorts": list(w.cohorts),
                "content_version": w.content_version,
                "completed_at": _day(w.completed_at) or None,
                "statement_ids": list(w.statement_ids),
            }
            for w in p.work
        ],
        "skills": [
            {
                "skill": s.skill_id,
                "target": s.target,
                "latest": _estimate_json(s.latest),
                "first": _estimate_json(s.first),
                "change": s.change,
                "at_target": s.at_target,
                "scenarios": s.scenarios,
                "scenarios_assessed_twice": s.retaken,
                "last_assessed": _day(s.last_assessed) or None,
                "statement_ids": list(s.statement_ids),
            }
            for s in p.skills
        ],
    }
