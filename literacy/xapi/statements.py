"""xAPI 1.0.3 statements for every learning event. Pure: no Flask, no database.

Each builder takes the event's facts and returns statement dicts ready to send. Statement ids are
UUIDs derived from the event's identity (uuid5), so rebuilding a statement from history gives the
same id, and an LRS that already holds it ignores the repeat instead of storing it twice.

Activity ids are the platform's own page addresses, so an LRS user can follow them back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from literacy.content.types import Lesson, Scenario
from literacy.learning.engine import overall

ADL_VERB = "http://adlnet.gov/expapi/verbs/"
ADL_TYPE = "http://adlnet.gov/expapi/activities/"
VERBS = ("experienced", "completed", "answered", "attempted", "passed", "failed")
LANGUAGE = "en-US"


@dataclass(frozen=True)
class Profile:
    """How this installation names itself in statements."""

    base_iri: str  # e.g. https://learn.example.com: activity ids and the actor's account homePage
    platform: str
    actor: str = "account"  # "account" (homePage + user id) or "email" (mbox), when configured

    def iri(self, path: str) -> str:
        return self.base_iri.rstrip("/") + path

    def extension(self, name: str) -> str:
        return self.iri(f"/xapi/extensions/{name}")

    @property
    def namespace(self) -> uuid.UUID:
        # per installation: two platforms never mint the same statement id for their own events
        return uuid.uuid5(uuid.NAMESPACE_URL, self.base_iri.rstrip("/"))

    def statement_id(self, key: str) -> str:
        return str(uuid.uuid5(self.namespace, key))


@dataclass(frozen=True)
class Learner:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class Group:
    """A cohort the event counts towards, sent as a grouping activity."""

    id: int
    name: str


@dataclass(frozen=True)
class AttemptFacts:
    """What every statement of an attempt says about it; ``kind`` is "assessed" (the evidence) or "practice"."""

    id: int
    started_at: datetime
    content_version: str
    kind: str = "assessed"


@dataclass(frozen=True)
class StepFacts:
    step: int
    node_id: str
    choice_index: int
    created_at: datetime
    previous_at: datetime  # when the node was shown: the previous step, or the start


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds; stored datetimes are naive UTC."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def duration(seconds: float) -> str:
    """ISO 8601 duration to 0.01 s, as xAPI asks: PT1H2M3.45S."""
    hundredths = max(0, round(seconds * 100))
    hours, rest = divmod(hundredths, 360000)
    minutes, rest = divmod(rest, 6000)
    whole, fraction = divmod(rest, 100)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if whole or fraction or text == "PT":
        text += f"{whole}.{fraction:02d}S".replace(".00S", "S")
    return text


def _lang(text: str) -> dict[str, str]:
    return {LANGUAGE: text}


def _actor(profile: Profile, learner: Learner) -> dict:
    if profile.actor == "email":
        return {"objectType": "Agent", "name": learner.name, "mbox": f"mailto:{learner.email}"}
    return {"objectType": "Agent", "account": {"homePage": profile.base_iri, "name": str(learner.id)}}


def _verb(name: str) -> dict:
    return {"id": ADL_VERB + name, "display": _lang(name)}


def _activity(activity_id: str, kind: str | None, name: str, **definition) -> dict:
    body = {"name": _lang(name), **definition}
    if kind:
        body["type"] = kind if kind.startswith("http") else ADL_TYPE + kind
    return {"objectType": "Activity", "id": activity_id, "definition": body}


def _cohort(profile: Profile, group: Group) -> dict:
    return _activity(profile.iri(f"/cohorts/{group.id}"), profile.iri("/xapi/activity-types/cohort"), group.name)


def _context(
    profile: Profile, revision: str, parents: list[dict], cohorts: Iterable[Group], registration: str | None = None
) -> dict:
    context = {"platform": profile.platform, "revision": revision, "language": LANGUAGE}
    if registration:
        context["registration"] = registration
    activities = {"parent": parents}
    grouping = [_cohort(profile, g) for g in cohorts]
    if grouping:
        activities["grouping"] = grouping
    context["contextActivities"] = activities
    return context


def _statement(
    profile: Profile,
    key: str,
    learner: Learner,
    verb: str,
    obj: dict,
    moment: datetime,
    context: dict,
    result: dict | None = None,
) -> dict:
    statement = {
        "id": profile.statement_id(key),
        "actor": _actor(profile, learner),
        "verb": _verb(verb),
        "object": obj,
        "timestamp": timestamp(moment),
        "context": context,
    }
    if result:
        statement["result"] = result
    return statement


# lessons and knowledge checks


def lesson_activity(profile: Profile, lesson: Lesson) -> dict:
    return _activity(profile.iri(f"/lessons/{lesson.id}"), "lesson", lesson.title)


def course_activity(profile: Profile, role: str, title: str) -> dict:
    return _activity(profile.iri(f"/course/{role}"), "course", title)


@dataclass(frozen=True)
class LessonFacts:
    """What every statement about a lesson says: the lesson, its course's title and the file version."""

    lesson: Lesson
    course_title: str
    version: str


def _lesson_context(profile: Profile, facts: LessonFacts, cohorts, parents: tuple[dict, ...] = ()) -> dict:
    course = course_activity(profile, facts.lesson.role, facts.course_title)
    return _context(profile, facts.version, [*parents, course], cohorts)


def experienced_key(learner_id: int, lesson_id: str, moment: datetime) -> str:
    return f"lesson-experienced/{learner_id}/{lesson_id}/{moment.date().isoformat()}"


def lesson_experienced(
    profile: Profile, learner: Learner, facts: LessonFacts, moment: datetime, cohorts: Iterable[Group] = ()
) -> dict:
    """One per learner, lesson and day: reopening a lesson the same day is the same experience."""
    key = experienced_key(learner.id, facts.lesson.id, moment)
    return _lesson_statement(profile, key, "experienced", learner, facts, moment, cohorts)


def lesson_completed(
    profile: Profile, learner: Learner, facts: LessonFacts, moment: datetime, cohorts: Iterable[Group] = ()
) -> dict:
    key = f"lesson-completed/{learner.id}/{facts.lesson.id}"
    return _lesson_statement(profile, key, "completed", learner, facts, moment, cohorts, {"completion": True})


def _lesson_statement(profile, key, verb, learner, facts: LessonFacts, moment, cohorts, result=None) -> dict:
    """A statement whose object is the lesson itself, in its course's context."""
    obj, context = lesson_activity(profile, facts.lesson), _lesson_context(profile, facts, cohorts)
    return _statement(profile, key, learner, verb, obj, moment, context, result)


def check_answered(
    profile: Profile,
    learner: Learner,
    facts: LessonFacts,
    question: int,
    option: int,
    moment: datetime,
    cohorts: Iterable[Group] = (),
) -> dict:
    """A knowledge-check answer: a cmi.interaction of type choice, with the correct option given."""
    lesson = facts.lesson
    q = lesson.questions[question]
    obj = _activity(
        profile.iri(f"/lessons/{lesson.id}#question-{question + 1}"),
        "cmi.interaction",
        f"{lesson.title}: question {question + 1}",
        description=_lang(q.prompt),
        interactionType="choice",
        correctResponsesPattern=[f"option-{q.answer + 1}"],
        choices=[{"id": f"option-{i + 1}", "description": _lang(o.text)} for i, o in enumerate(q.options)],
    )
    result = {
        "response": f"option-{option + 1}",
        "success": option == q.answer,
        "completion": True,
        "extensions": {profile.extension("feedback-id"): f"{lesson.id}/question-{question + 1}/option-{option + 1}"},
    }
    context = _lesson_context(profile, facts, cohorts, (lesson_activity(profile, lesson),))
    key = f"check-answered/{learner.id}/{lesson.id}/{question}/{timestamp(moment)}"
    return _statement(profile, key, learner, "answered", obj, moment, context, result)


# scenarios


def scenario_activity(profile: Profile, scenario: Scenario) -> dict:
    return _activity(
        profile.iri(f"/scenarios/{scenario.id}"), "simulation", scenario.title, description=_lang(scenario.summary)
    )


def registration(profile: Profile, attempt_id: int) -> str:
    """The attempt, as the xAPI registration every statement of the attempt carries."""
    return profile.statement_id(f"attempt/{attempt_id}")


def _attempt_context(profile: Profile, attempt: AttemptFacts, cohorts, parents: list[dict] | None = None) -> dict:
    context = _context(profile, attempt.content_version, parents or [], cohorts, registration(profile, attempt.id))
    context["extensions"] = {profile.extension("attempt-kind"): attempt.kind}
    return context


def scenario_attempted(
    profile: Profile, learner: Learner, scenario: Scenario, attempt: AttemptFacts, cohorts: Iterable[Group] = ()
) -> dict:
    return _statement(
        profile,
        f"scenario-attempted/{attempt.id}",
        learner,
        "attempted",
        scenario_activity(profile, scenario),
        attempt.started_at,
        _attempt_context(profile, attempt, cohorts),
    )


def scenario_answered(
    profile: Profile,
    learner: Learner,
    scenario: Scenario,
    attempt: AttemptFacts,
    step: StepFacts,
    cohorts: Iterable[Group] = (),
) -> dict:
    """One judgment: the decision node as a choice interaction, the option taken and its skill effects."""
    node = scenario.nodes[step.node_id]
    choice = node.choices[step.choice_index]
    obj = _activity(
        profile.iri(f"/scenarios/{scenario.id}#{node.id}"),
        "cmi.interaction",
        f"{scenario.title}: {node.title}",
        interactionType="choice",
        choices=[{"id": f"choice-{c.index + 1}", "description": _lang(c.label)} for c in node.choices],
    )
    result = {
        "response": f"choice-{choice.index + 1}",
        "completion": True,
        "duration": duration((step.created_at - step.previous_at).total_seconds()),
        "extensions": {
            profile.extension("feedback-id"): f"{scenario.id}/{node.id}/choice-{choice.index + 1}",
            profile.extension("skill-effects"): dict(choice.effects),
        },
    }
    parents = [scenario_activity(profile, scenario)]
    return _statement(
        profile,
        f"scenario-answered/{attempt.id}/{step.step}",
        learner,
        "answered",
        obj,
        step.created_at,
        _attempt_context(profile, attempt, cohorts, parents),
        result,
    )


def passed(scores: dict[str, int], targets: dict[str, int]) -> bool:
    """An attempt passes when every skill it scored reached the learner's role target."""
    return all(score >= targets.get(skill, 0) for skill, score in scores.items())


def scenario_finished(
    profile: Profile,
    learner: Learner,
    scenario: Scenario,
    attempt: AttemptFacts,
    finished_at: datetime,
    ending: str,
    scores: dict[str, int],
    targets: dict[str, int],
    cohorts: Iterable[Group] = (),
) -> list[dict]:
    """``completed``, then ``passed`` or ``failed`` against the role targets, with the scores."""
    headline, success = overall(scores), passed(scores, targets)
    result = {
        "score": {"scaled": headline / 100, "raw": headline, "min": 0, "max": 100},
        "completion": True,
        "duration": duration((finished_at - attempt.started_at).total_seconds()),
        "extensions": {
            profile.extension("skill-scores"): dict(scores),
            profile.extension("role-targets"): {skill: targets.get(skill, 0) for skill in scores},
            profile.extension("ending"): {"node": ending, "outcome": scenario.nodes[ending].outcome},
        },
    }
    context, activity = _attempt_context(profile, attempt, cohorts), scenario_activity(profile, scenario)
    completed = _statement(
        profile, f"scenario-completed/{attempt.id}", learner, "completed", activity, finished_at, context, result
    )
    verdict = _statement(
        profile,
        f"scenario-verdict/{attempt.id}",
        learner,
        "passed" if success else "failed",
        activity,
        finished_at,
        context,
        dict(result, success=success),
    )
    return [completed, verdict]
