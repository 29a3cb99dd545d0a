"""Evidence packs: the figures on hand-made data (first against latest, as of a date), the CSV, JSON
and the PDF's extracted text, the background build an admin asks for, and the command line."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import date, datetime, timedelta

import pypdf
import pytest
from sqlalchemy import select
from support import make
from support.apps import make_app
from support.journeys import signed_in
from support.paths import ROOT

from literacy.evidence import cycles, pack, packs
from literacy.evidence import policy as policies
from literacy.evidence.tables import AuditEntry
from literacy.insights import metrics
from literacy.learning import record
from literacy.platform.extensions import db
from literacy.workflows.tables import Workflow

JUNE, NOVEMBER = datetime(2026, 6, 1, 10, 0), datetime(2026, 11, 2, 10, 0)


def test_first_against_latest_per_skill_on_hand_made_rows():
    rows = [
        pack.Attempted(1, "s1", "data", 40, 10, JUNE),
        pack.Attempted(2, "s2", "data", 60, 5, JUNE),
        pack.Attempted(3, "s1", "data", 90, 10, NOVEMBER),  # s1 again: the latest of s1
    ]
    (line,) = pack.skill_lines(rows, {"data": "Data"}, {"data": 70}, {3: ("st-3",), 2: ("st-2",)})
    assert line.first == metrics.estimate(0.4 * 10 + 0.6 * 5, 15)
    assert line.latest == metrics.estimate(0.9 * 10 + 0.6 * 5, 15)
    assert line.change == line.latest.value - line.first.value > 0
    assert (line.scenarios, line.last_assessed, line.statement_ids) == (2, NOVEMBER, ("st-2", "st-3"))
    assert line.retaken == 1 and line.latest.value >= 70 and not line.at_target, "at target, but too thin to tell"
    (firm,) = pack.skill_lines([pack.Attempted(4, "s3", "data", 90, 60, JUNE)], {"data": "Data"}, {"data": 70}, {})
    assert firm.at_target and firm.change is None, "one attempt: its first result is its latest, no change"
    (empty,) = pack.skill_lines([], {"data": "Data"}, {"data": 70}, {})
    assert (empty.latest, empty.first, empty.change, empty.at_target) == (None, None, None, False)


@pytest.fixture
def shipped(tmp_path):
    app = make_app(tmp_path, content_root=ROOT)
    with app.test_request_context():
        yield app


def _agency_person(catalogue):
    org = make.organization("Northwind", "northwind")
    crm = make.team(org, "CRM", role="lifecycle")
    person = make.user(
        "ana@northlight.example", org=org, name="Ana Ruiz", role="lifecycle", teams=[crm], external=True,
        agency="Northlight Media",
        created_at=datetime(2026, 5, 1),
    )  # fmt: skip
    workflow = Workflow(org_id=org.id, name="Win-back sends", stage="production", stage_since=JUNE.date())
    workflow.tools = "Braze, ChatGPT Enterprise"
    workflow.operators.append(person)
    db.session.add(workflow)
    make.cohort(org, "Q3 lifecycle", members=[person], assignments=(("scenario", "lifecycle-winback-suppression"),))
    policy = policies.publish(org.id, "2026-05", "Approved tools only.")
    policies.acknowledge(catalogue, person, policy, "Ana Ruiz")
    for lesson in catalogue.courses["lifecycle"].lessons:
        make.lesson_completed(person, lesson.id, at=JUNE)
    for scenario in catalogue.role_scenarios("lifecycle"):  # weak in June, strong in November
        weak = dict.fromkeys(scenario.skills, 40)
        make.attempt(person, scenario=scenario.id, at=JUNE, scores=weak)
        make.attempt(person, scenario=scenario.id, at=NOVEMBER)
    return org, person


def test_the_pack_as_of_a_date_shows_what_held_then(shipped):
    catalogue = shipped.extensions["catalogue"]
    org, _ = _agency_person(catalogue)
    scope = packs.Scope(org.id, "organisation")
    (july,) = packs.gather(catalogue, scope, date(2026, 7, 1))
    (now,) = packs.gather(catalogue, scope, date.today())
    assert all(line.change is None for line in july.skills), "in July nothing was retaken: no change to show"
    assert all(line.change > 0 for line in now.skills), "the November attempts raised every skill"
    assert july.standing.status == "not-certified" and now.standing.status == "certified"
    assert now.standing.certified_at == now.policy_acknowledged_at, "the last part of the rule to be met"
    assert july.policy_version is None and now.policy_version == "2026-05"
    assert (now.person.external, now.person.agency, now.person.teams) == (True, "Northlight Media", ("CRM",))
    assert now.tools == ("Braze", "ChatGPT Enterprise")
    winback = next(w for w in now.work if w.ref == "lifecycle-winback-suppression")
    assert winback.cohorts == (packs.TRACK, "Q3 lifecycle") and winback.completed_at == NOVEMBER
    assert winback.content_version == catalogue.scenarios["lifecycle-winback-suppression"].version
    assert len(winback.statement_ids) == 2, "completed, then passed or failed"
    assert all(len(w.statement_ids) == 1 for w in now.work if w.kind == "lesson")


def test_csv_json_and_the_pdfs_text(shipped):
    catalogue = shipped.extensions["catalogue"]
    org, _ = _agency_person(catalogue)
    scope = packs.Scope(org.id, "organisation")

    content, label = packs.build_file(catalogue, scope, date.today(), "csv")
    header, *rows = list(csv.reader(io.StringIO(content.decode())))
    assert header == pack.CSV_HEADER and label == "The whole organisation"
    records = {(r[7], r[8]): dict(zip(header, r, strict=True)) for r in rows}
    assert records[("certification", "lifecycle")]["status"] == "certified"
    assert records[("policy", "2026-05")]["status"] == "acknowledged"
    assert records[("workflow", "Win-back sends")]["detail"] == "Braze, ChatGPT Enterprise"
    skill = records[("skill", "data-readiness")]
    assert int(skill["change"]) == int(skill["estimate"]) - int(skill["first_estimate"]) > 0
    assert records[("certification", "lifecycle")]["detail"].startswith("expires ")
    assert {r["active"] for r in records.values()} == {"yes"}
    assert skill["statement_ids"] and skill["staff_or_external"] == "external" and skill["agency"] == "Northlight Media"

    body = json.loads(packs.build_file(catalogue, scope, date.today(), "json")[0])
    assert body["summary"]["external"] == 1 and body["summary"]["certification"]["certified"] == 1
    (entry,) = body["people"]
    assert entry["ai_tools"] == ["Braze", "ChatGPT Enterprise"] and entry["policy"]["version"] == "2026-05"
    assert entry["certification"]["expires_at"] == entry["certification"]["certified_at"].replace("2026", "2027", 1)

    pdf = pypdf.PdfReader(io.BytesIO(packs.build_file(catalogue, scope, date.today(), "pdf")[0]))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "AI literacy evidence" in text and "Northwind" in text
    assert "1 (0 staff, 1 external)" in text
    assert "Ana Ruiz" in text and "External · Northlight Media" in text and "CRM (1)" in text
    assert "Methods" in text and "the posterior mean in points out of 100" in text
    assert "Win-back sends" in text


def _wait_until_ready(admin, url: str) -> str:
    for _ in range(100):
        page = admin.get(url).get_data(as_text=True)
        if "Being built" not in page and "Waiting to start" not in page:
            return page
        time.sleep(0.1)
    raise AssertionError("the pack was not built within ten seconds")


def test_an_admin_asks_for_a_pack_watches_it_build_and_downloads_it(app, world):
    admin = signed_in(app, "admin@example.com")
    asked = admin.post(
        "/admin/evidence",
        {"scope": "team", "team": str(world["team"]), "as_of": date.today().isoformat(), "format": "csv"},
    )
    assert asked.status_code == 302
    page = _wait_until_ready(admin, asked.headers["Location"])
    assert "Ready" in page and "Team CRM team" in page
    download = next(line for line in page.split('"') if line.endswith("/download"))
    got = admin.get(download)
    assert got.mimetype == "text/csv" and "learner1@example.com" in got.get_data(as_text=True)
    assert "owner@example.com" in got.get_data(as_text=True) and "leader@example.com" not in got.get_data(as_text=True)
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-2:] == ["evidence.pack", "export.downloaded"]


def test_bad_requests_keep_the_form_and_another_organisations_pack_is_not_found(app, world, make_user):
    admin = signed_in(app, "admin@example.com")
    future = admin.post("/admin/evidence", {"scope": "organisation", "as_of": "2999-01-01", "format": "pdf"})
    assert future.status_code == 400 and "in the future" in future.get_data(as_text=True)
    no_team = admin.post("/admin/evidence", {"scope": "team", "as_of": date.today().isoformat(), "format": "pdf"})
    assert no_team.status_code == 400 and "Choose the team." in no_team.get_data(as_text=True)
    blank = admin.post(
        "/admin/evidence", {"scope": "person", "email": "", "as_of": date.today().isoformat(), "format": "csv"}
    )
    assert blank.status_code == 400 and "Type the email of the person" in blank.get_data(as_text=True)
    outsider = admin.post(
        "/admin/evidence",
        {"scope": "person", "email": "outsider@example.com", "as_of": date.today().isoformat(), "format": "pdf"},
    )
    assert outsider.status_code == 400 and "Nobody of your organisation" in outsider.get_data(as_text=True)
    with make.saved(app):
        other = make.organization("Org C", "c")
        pack_id = make.evidence_pack(other).id
    assert admin.get(f"/admin/evidence/{pack_id}").status_code == 404
    assert admin.get(f"/admin/evidence/{pack_id}/download").status_code == 404


def test_the_command_line_writes_a_pack(app, world, runner, tmp_path):
    out = tmp_path / "pack.json"
    result = runner.invoke(
        args=["evidence", "export", "--format", "json", "--org", "a", "--team", "CRM team", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(out.read_text())
    assert body["covers"] == "Team CRM team" and {p["email"] for p in body["people"]} == {
        "owner@example.com", "learner1@example.com", "learner2@example.com", "learner3@example.com",
    }  # fmt: skip
    missing = runner.invoke(
        args=["evidence", "export", "--format", "csv", "--org", "a", "--team", "Nope", "--out", str(out)]
    )
    assert missing.exit_code != 0 and "no team named 'Nope'" in missing.output
    both = ["evidence", "export", "--format", "csv", "--org", "a", "--team", "CRM team", "--person", "x@example.com"]
    assert "not both" in runner.invoke(args=[*both, "--out", str(out)]).output
    unwritable = [
        "evidence",
        "export",
        "--format",
        "csv",
        "--org",
        "a",
        "--out",
        str(tmp_path / "no" / "such" / "f.csv"),
    ]
    assert "Cannot write" in runner.invoke(args=unwritable).output
    several = runner.invoke(args=["evidence", "export", "--format", "csv", "--out", str(out)])
    assert several.exit_code != 0 and "--org SLUG" in several.output
    with app.app_context():
        assert (
            db.session.scalar(select(AuditEntry.target).where(AuditEntry.action == "evidence.pack")) == "Team CRM team"
        )


def test_a_past_pack_keeps_its_dates_people_role_and_policy(shipped):
    catalogue = shipped.extensions["catalogue"]
    org, person = _agency_person(catalogue)
    person.created_at = datetime(2026, 11, 30)  # an account made after its history was imported
    scope = packs.Scope(org.id, "organisation")
    (june,) = packs.gather(catalogue, scope, date(2026, 6, 30))
    assert june.person.email == person.email, "covered: it has history from June"
    (cycle,) = cycles.history(person)
    cycle.certified_at = NOVEMBER  # certified in November, then moved to PR today
    record.role_changed(catalogue, person, "pr")
    (before,) = packs.gather(catalogue, scope, date.today() - timedelta(days=1))
    (today,) = packs.gather(catalogue, scope, date.today())
    assert (before.person.role, before.standing.status) == ("lifecycle", "certified"), "yesterday's role"
    assert (today.person.role, today.standing.status) == ("pr", "not-certified")
    empty = json.loads(packs.build_file(catalogue, packs.Scope(org.id, "team", team_id=-1), date.today(), "json")[0])
    assert empty["summary"]["people"] == 0 and empty["summary"]["policy_version"] == "2026-05"
    assert {r["role"] for r in empty["certification_rules"]} >= {"Lifecycle marketing"}
