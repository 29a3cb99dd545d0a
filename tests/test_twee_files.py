"""Twine (Twee 3) import of hand-written story files in tests/fixtures/twee/.

Between them the two good files use every form the importer supports: StoryTitle, StoryData (ifid,
format, start passage that is not the first passage), the ``Scenario`` meta passage and its absence,
headers with tags only, metadata only, both and neither, valid and invalid metadata, names with
``\\[ \\] \\{ \\} \\\\`` escapes, all four link forms, the field lines (title, effects, sets, requires,
feedback) in either case, tagged and untagged endings, blank lines and trailing whitespace.
The flawed file has one of each problem the import and the checker must report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.apps import bare_app
from support.paths import FIXTURES, ROOT
from support.scenarios import parse, shape

from literacy import content
from literacy.content.twee import _passages, export, import_story
from literacy.content.types import Requirement

TWEE = FIXTURES / "twee"
WINBACK = TWEE / "winback-stale-suppression.twee"
STATEMENT = TWEE / "pr-ai-holding-statement.twee"
FLAWED = TWEE / "flawed-budget-shift.twee"
GOOD = [(WINBACK, "lifecycle"), (STATEMENT, "pr")]


def imported(path: Path, role: str) -> tuple[str, list[str]]:
    return import_story(path.read_text(encoding="utf-8"), role)


def check(markdown: str, role: str, folder: Path) -> tuple[Path, list[tuple[int, str]]]:
    """Write the converted scenario where the checker expects one and run the full content check on it."""
    file = folder / "scenarios" / role / "imported.md"
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(markdown, encoding="utf-8")
    catalogue, problems = content.check(file, ROOT)
    assert catalogue is None
    return file, [(p.line, p.message) for p in problems]


def choices(scenario, node_id):
    return [(c.label, c.target) for c in scenario.nodes[node_id].choices]


def test_the_good_files_really_contain_every_header_form_and_trailing_whitespace():
    """Guard the fixtures themselves: the forms the other tests rely on are present, verbatim."""
    winback, statement = WINBACK.read_text(encoding="utf-8"), STATEMENT.read_text(encoding="utf-8")
    both = winback + statement
    for form in ("\\[", "\\]", "\\{", "\\}", "\\\\", "->", "<-", "|", "\n\n\n", "   \n"):
        assert form in both, form
    notes: list[str] = []
    headers = [(p.name, p.tags, p.line) for p in _passages(winback, notes)]
    assert headers == [
        ("StoryTitle", [], 1),
        ("StoryData", [], 4),
        ("Scenario", ["meta"], 14),
        ("Complaints by Thursday", ["ending:poor"], 21),  # tags and metadata
        ("Queue {16:00}", [], 29),  # metadata only
        ("Ask the journey builder to re-check its own segment", [], 55),  # invalid metadata
        ("Suppression sync [CRM]", ["checkpoint"], 69),  # tags only
        ("Send approved {logged}", ["ending:strong"], 87),
        ("Legal\\Compliance hold", [], 93),  # neither
    ]
    assert notes == [
        "line 55: passage 'Ask the journey builder to re-check its own segment': "
        'invalid metadata \'{"position":"350,300",}\' was discarded'
    ]
    statement_headers = [(p.name, p.tags) for p in _passages(statement, [])]
    assert ("Fact check {claims}", ["review"]) in statement_headers and ("Holding line only", []) in statement_headers


def test_winback_story_maps_every_link_form_escaped_name_and_field(tmp_path):
    markdown, notes = imported(WINBACK, "lifecycle")
    assert notes == [
        "line 55: passage 'Ask the journey builder to re-check its own segment': "
        'invalid metadata \'{"position":"350,300",}\' was discarded',
        "line 93: passage 'Legal\\Compliance hold' has no links and no ending tag: it became a mixed ending",
    ]
    assert "350,300" not in markdown and "position" not in markdown  # metadata is map layout only: discarded
    _, problems = check(markdown, "lifecycle", tmp_path)
    assert problems == []
    scenario = parse(markdown)

    assert (scenario.id, scenario.title, scenario.role, scenario.minutes) == (
        "winback-stale-suppression",
        "The win-back email and the stale suppression list",
        "lifecycle",
        8,
    )
    assert scenario.skills == ("data-readiness", "decision-rights", "audit-qa")
    assert scenario.summary.startswith("An AI-drafted win-back email is queued")
    assert list(scenario.nodes) == [
        "complaints-by-thursday",
        "queue-16-00",
        "ask-the-journey-builder-to-re-check-its-own-segment",
        "suppression-sync-crm",
        "send-approved-logged",
        "legal-compliance-hold",
    ]
    assert scenario.start == "queue-16-00" != next(iter(scenario.nodes))  # StoryData's start, not the first passage

    titles = {node.id: node.title for node in scenario.nodes.values()}
    assert titles == {
        "complaints-by-thursday": "Complaints and a regulator's letter",
        "queue-16-00": "Tuesday, 15:40",  # 'title:' after a blank line, trailing spaces dropped
        "ask-the-journey-builder-to-re-check-its-own-segment": "The model says the segment is clean",
        "suppression-sync-crm": "Suppression sync [CRM]",  # escaped name kept as the title
        "send-approved-logged": "A clean send with a named owner",
        "legal-compliance-hold": "Legal\\Compliance hold",
    }
    assert "title:" not in scenario.nodes["queue-16-00"].source

    assert choices(scenario, "queue-16-00") == [
        ("Send on schedule; the model already left out unengaged contacts", "complaints-by-thursday"),  # label->target
        (
            "Hold the send and ask the CRM owner for a fresh suppression sync",
            "suppression-sync-crm",
        ),  # label|target, name ends in ]
        (
            "Ask the journey builder to re-check its own segment",
            "ask-the-journey-builder-to-re-check-its-own-segment",
        ),  # [[target]]
    ]
    assert choices(scenario, "ask-the-journey-builder-to-re-check-its-own-segment") == [
        ("Hold the send after all", "suppression-sync-crm"),
        ("Send; the model has checked twice", "complaints-by-thursday"),  # target<-label
    ]
    assert choices(scenario, "suppression-sync-crm") == [
        (
            "Resume with the merged list and record the hold in the approval log",
            "send-approved-logged",
        ),  # {…} in a target
        ("Escalate the failing sync job to legal before any send", "legal-compliance-hold"),  # \ in a target
    ]

    send, hold, ask = scenario.nodes["queue-16-00"].choices
    assert send.effects == {"decision-rights": -2, "data-readiness": -1} and not send.sets and not send.requires
    assert "different lists" in send.feedback  # feedback continues on the next line
    assert hold.effects == {
        "data-readiness": 2,
        "decision-rights": 1,
    }  # field lines after a blank line, trailing spaces
    assert hold.sets == frozenset({"held-send"}) and "gates a win-back send" in hold.feedback
    assert (ask.effects, ask.sets) == (
        {"data-readiness": -1},
        frozenset({"asked-model"}),
    )  # 'Effects:', 'Sets:', 'Feedback:'
    assert "still stale" in ask.feedback
    resume, escalate = scenario.nodes["suppression-sync-crm"].choices
    assert resume.requires == (Requirement("held-send", True),) and resume.effects == {
        "audit-qa": 2,
        "decision-rights": 1,
    }
    assert resume.feedback.count("<p>") == 2  # a blank line inside feedback keeps both paragraphs
    assert escalate.requires == (Requirement("asked-model", False),)

    outcomes = {node.id: node.outcome for node in scenario.nodes.values()}
    assert outcomes == {
        "complaints-by-thursday": "poor",
        "queue-16-00": None,
        "ask-the-journey-builder-to-re-check-its-own-segment": None,
        "suppression-sync-crm": None,
        "send-approved-logged": "strong",
        "legal-compliance-hold": "mixed",
    }
    assert "misses its week" in scenario.nodes["legal-compliance-hold"].html


def test_statement_story_without_a_meta_passage_derives_the_front_matter(tmp_path):
    markdown, notes = imported(STATEMENT, "pr")
    assert notes == []
    _, problems = check(markdown, "pr", tmp_path)
    assert problems == []
    scenario = parse(markdown)

    assert (scenario.id, scenario.title, scenario.role, scenario.minutes, scenario.summary) == (
        "pr-the-ai-drafted-holding-statement",
        "The AI-drafted holding statement",
        "pr",
        10,
        "",
    )
    assert scenario.skills == (
        "audit-qa",
        "decision-rights",
        "workflow-ownership",
    )  # every skill an effect names, sorted
    assert list(scenario.nodes) == [
        "published-as-drafted",
        "inbox-08-05",
        "fact-check-claims",
        "holding-line-only",
        "call-the-ciso-first",
        "quiet-drift",
        "confirmed-statement",
    ]
    assert scenario.start == "inbox-08-05"
    assert {n.id: n.title for n in scenario.nodes.values()} == {
        "published-as-drafted": "Published as drafted",  # no 'title:' line: the passage name
        "inbox-08-05": "A journalist's deadline",
        "fact-check-claims": "Fact check {claims}",
        "holding-line-only": '"We are investigating"',
        "call-the-ciso-first": "Who signs off?",
        "quiet-drift": "Quiet drift",
        "confirmed-statement": "A statement nobody has to correct",
    }
    assert choices(scenario, "inbox-08-05") == [
        ("Publish the draft; it reads well and the deadline is close", "published-as-drafted"),
        ("Send the draft to security and legal to verify each claim", "fact-check-claims"),
        ("Cut the unverified claim and send a shorter holding line", "holding-line-only"),
    ]
    assert choices(scenario, "fact-check-claims") == [
        ("Publish the statement with the confirmed scope", "confirmed-statement"),
        ("Call the CISO first", "call-the-ciso-first"),
    ]
    assert choices(scenario, "holding-line-only") == [
        ("Follow up at 11:00 with the confirmed scope, as promised", "confirmed-statement"),
        ("Leave it at the holding line", "quiet-drift"),
    ]
    publish, verify, cut = scenario.nodes["inbox-08-05"].choices
    assert publish.effects == {"decision-rights": -2, "audit-qa": -1}
    assert (verify.sets, cut.sets) == (frozenset({"verified"}), frozenset({"cut-claim"}))
    assert scenario.nodes["holding-line-only"].choices[0].requires == (
        Requirement("cut-claim", True),
        Requirement("verified", False),
    )
    assert {n.id: n.outcome for n in scenario.endings} == {
        "published-as-drafted": "poor",
        "quiet-drift": "mixed",
        "confirmed-statement": "strong",
    }
    assert scenario.nodes["confirmed-statement"].html.endswith("no correction follows.</p>")


@pytest.mark.parametrize("path,role", GOOD, ids=[p.stem for p, _ in GOOD])
def test_imported_story_survives_export_and_import(path, role, tmp_path):
    first = parse(imported(path, role)[0])
    twee = export(first)
    data = json.loads(twee.split(":: StoryData\n", 1)[1].split("\n\n", 1)[0])
    assert data["start"] == first.start
    markdown, notes = import_story(twee, role)
    assert notes == []
    _, problems = check(markdown, role, tmp_path)
    assert problems == []
    assert shape(parse(markdown)) == shape(first)


def test_flawed_file_reports_every_problem_with_passage_and_line(tmp_path):
    markdown, notes = imported(FLAWED, "paid-media")
    assert notes == [
        "line 24: passage 'Rebuilt plan': invalid metadata '{position: 350,100}' was discarded",
        "StoryData has no start passage: the first passage is used",
        "line 15: passage 'Monday 07:30': a link inside the text has no 'feedback:'; put links on lines of their own",
        "line 15: passage 'Monday 07:30': link to 'Agency call', which is not a passage",
        "line 22: passage 'Monday 07:30': text after a link without 'feedback:' became its feedback",
        "line 24: passage 'Rebuilt plan' has no links and no ending tag: it became a mixed ending",
        "line 27: passage 'Overspent': unknown outcome 'great'",
    ]
    _, problems = check(markdown, "paid-media", tmp_path)
    assert problems == [
        (14, "choice 'ask the agency' goes to node 'agency-call', which does not exist"),
        (14, "choice 'ask the agency' has empty feedback"),
        (21, "effect on skill 'brand-safety', which the scenario does not list in 'skills'"),
        (36, "outcome must be one of strong, mixed, poor, not 'great'"),
    ]
    lines = markdown.splitlines()
    assert lines[13] == "### ask the agency" and lines[20].startswith("Effects:") and lines[35] == "Outcome: great"


def test_a_meta_passage_that_is_not_yaml_is_reported_and_ignored():
    for meta in ("id: [unclosed", "just a sentence"):
        story = (
            f':: StoryTitle\nSpend cap\n\n:: StoryData\n{{"start": "Cap"}}\n\n'
            f":: Scenario [meta]\n{meta}\n\n:: Cap [ending:strong]\nCapped.\n"
        )
        markdown, notes = import_story(story, "paid-media")
        assert notes == ["line 7: passage 'Scenario': not 'key: value' YAML, so it was ignored"]
        assert "id: paid-media-spend-cap" in markdown and "minutes: 10" in markdown


def test_twine_story_script_and_stylesheet_are_left_out_with_a_note():
    story = (
        ':: StoryTitle\nSpend cap\n\n:: StoryData\n{"start": "Cap"}\n\n'
        ":: StoryScript [script]\nwindow.setup = {};\n\n:: StoryStylesheet [stylesheet]\nbody { color: red; }\n\n"
        ":: Cap [ending:strong]\nCapped.\n"
    )
    markdown, notes = import_story(story, "paid-media")
    assert notes == [
        "line 7: passage 'StoryScript': story script ignored (scenarios run no code)",
        "line 10: passage 'StoryStylesheet': story stylesheet ignored (scenarios run no code)",
    ]
    assert "setup" not in markdown and "color" not in markdown and "## cap: Cap" in markdown


def _cli(tmp_path):
    return bare_app(tmp_path, ROOT).test_cli_runner()


@pytest.mark.parametrize("path,role", GOOD, ids=[p.stem for p, _ in GOOD])
def test_cli_imports_the_hand_written_files(path, role, tmp_path):
    runner = _cli(tmp_path)
    out = tmp_path / "scenarios" / role / f"{path.stem}.md"
    result = runner.invoke(args=["content", "import-twee", str(path), "--role", role, "--out", str(out)])
    assert result.exit_code == 0, result.output
    markdown, notes = imported(path, role)
    assert result.output.splitlines() == [f"{path}: {note}" for note in notes] + [f"Imported {path} as {out}"]
    assert out.read_text(encoding="utf-8") == markdown
    checked = runner.invoke(args=["content", "check", str(out)])
    assert checked.exit_code == 0 and "no problems found" in checked.output, checked.output


def test_cli_refuses_the_flawed_file_and_prints_every_problem(tmp_path):
    out = tmp_path / "scenarios" / "paid-media" / "flawed.md"
    result = _cli(tmp_path).invoke(
        args=["content", "import-twee", str(FLAWED), "--role", "paid-media", "--out", str(out)]
    )
    assert result.exit_code == 1 and not out.exists()
    _, notes = imported(FLAWED, "paid-media")
    for note in notes:
        assert f"{FLAWED}: {note}" in result.output
    assert f"{out}:14: choice 'ask the agency' goes to node 'agency-call', which does not exist" in result.output
    assert f"{out}:21: effect on skill 'brand-safety', which the scenario does not list in 'skills'" in result.output
    assert f"{out}:36: outcome must be one of strong, mixed, poor, not 'great'" in result.output
    assert "not imported: the converted scenario has 4 problem(s)" in result.output
