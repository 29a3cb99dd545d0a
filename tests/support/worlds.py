"""Ready-made casts of people, for tests that need more than one or two accounts."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask

from . import make


def two_organisations(app: Flask) -> dict[str, int]:
    """Two organisations; returns the ids by name.

    Org A (``org``): the CRM team (``team``); an owning manager (``owner``), a manager who is not yet
    a co-manager (``manager2``), a ``leader`` and an ``admin``; ``learner1`` to ``learner3`` in the CRM
    team; and the "Pilot cohort" (``cohort``): run by the owner, the three learners in it, their own
    track assigned, ten days in and ten to go.

    Org B: the "B team" (``team_b``), its manager (``othermanager``) and a learner (``outsider``) in
    the "Secret B cohort" (``cohort_b``), which assigns nothing.

    The "Send audience builder" workflow (``workflow``, in production pieces only: a pilot) of the CRM
    team, operated by learner1, with one data source (``source``); org B's "Secret B workflow"
    (``workflow_b``).

    Every account's email is ``<name>@example.com``, its password ``support.PASSWORD``, its role 'ops'."""
    ids = {}
    today = date.today()
    with make.saved(app):
        a, b = make.organization("Org A", "a"), make.organization("Org B", "b")
        crm, b_team = make.team(a, "CRM team"), make.team(b, "B team")

        def person(key, org, access, teams=()):
            ids[key] = make.user(f"{key}@example.com", org=org, name=key.capitalize(), access=access, teams=teams).id
            return ids[key]

        owner = person("owner", a, "manager", [crm])  # the CRM team's manager
        person("manager2", a, "manager")
        person("leader", a, "leader")
        person("admin", a, "admin")
        learners = [person(f"learner{i}", a, "learner", [crm]) for i in range(1, 4)]
        other = person("othermanager", b, "manager")
        outsider = person("outsider", b, "learner")
        pilot = make.cohort(
            a,
            "Pilot cohort",
            managers=[owner],
            members=learners,
            starts_on=today - timedelta(days=10),
            due_on=today + timedelta(days=10),
        )
        secret = make.cohort(
            b,
            "Secret B cohort",
            managers=[other],
            members=[outsider],
            assignments=(),
            starts_on=today,
            due_on=today + timedelta(days=5),
        )
        ids.update(cohort=pilot.id, cohort_b=secret.id, team=crm.id, team_b=b_team.id, org=a.id)
        ids.update(make.workflows(a, b, crm, learners[0]))
    return ids
