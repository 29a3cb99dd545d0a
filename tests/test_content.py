"""Content parsing and validation: every defect named with its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.apps import bare_app
from support.paths import FIXTURES, ROOT, TINY

from literacy.content import ContentError, check, cues, load
from literacy.content.errors import Problems
from literacy.content.frontmatter import split

BROKEN = FIXTURES / "broken"

# fixture file -> (line, message) it must produce, and nothing else
EXPECTED = {
    "scenarios/ops/malformed-front-matter.md": (
        6,
        "malformed YAML: expected ',' or ']', but got ':' (while parsing a flow sequence that starts at line 5)",
    ),
    "scenarios/ops/missing-start.md": (1, "missing required field 'start'"),
    "scenarios/ops/duplicate-node.md": (65, "duplicate node id 'review' (first at line 27)"),
    "scenarios/ops/unknown-role.md": (4, "unknown role 'astronaut'"),
    "scenarios/ops/unknown-skill.md": (5, "unknown skill 'telepathy'"),
    "scenarios/ops/missing-target.md": (
        44,
        "choice 'Let the tool decide' goes to node 'nowhere', which does not exist",
    ),
    "scenarios/ops/bad-start.md": (7, "start node 'lobby' does not exist"),
    "scenarios/ops/unreachable-node.md": (65, "node 'orphan' cannot be reached from the start"),
    "scenarios/ops/dead-end.md": (60, "node 'bad' has no choices and no 'Outcome:' (a dead end)"),
    "scenarios/ops/no-ending.md": (7, "the scenario has no ending (a node with 'Outcome:')"),
    "scenarios/ops/endless-loop.md": (70, "node 'spiral' is in a loop from which no ending can be reached"),
    "scenarios/ops/unset-flag.md": (30, "choice 'Name an owner' requires flag 'approved', which no choice sets"),
    "scenarios/ops/empty-feedback.md": (21, "choice 'Send now' has empty feedback"),
    "scenarios/ops/effect-on-unlisted-skill.md": (
        23,
        "effect on skill 'budget', which the scenario does not list in 'skills'",
    ),
    "scenarios/ops/skill-never-raised.md": (
        5,
        "no path raises skill 'data' above zero: add a positive effect or drop it from 'skills'",
    ),
    "scenarios/ops/all-choices-hidden.md": (
        27,
        "node 'review' offers no choice when the flags are: none (every choice is hidden by 'Requires:')",
    ),
    "curricula/ops/lesson-missing-title.md": (1, "missing required field 'title'"),
    "curricula/ops/lesson-two-correct-options.md": (12, "a question needs exactly one correct option marked [x]"),
    "curricula/ops/lesson-no-explanation.md": (13, "option has no 'Why:' explanation"),
    "curricula/ops/lesson-unclosed-front-matter.md": (1, "malformed front matter: no closing '---' line"),
    "curricula/ops/lesson-bad-minutes.md": (4, "field 'minutes' must be a whole number of minutes"),
}


def test_every_broken_fixture_is_listed():
    shipped = {str(p.relative_to(BROKEN)) for p in BROKEN.rglob("*.md")}
    assert shipped == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_fixture_gives_its_one_message(name):
    catalogue, problems = check(BROKEN / name, TINY)
    line, message = EXPECTED[name]
    assert catalogue is None
    assert [(p.line, p.message) for p in problems] == [(line, message)]
    assert str(problems[0]).endswith(f"{name}:{line}: {message}")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_check_exits_1_with_file_and_line(tmp_path, name):
    result = bare_app(tmp_path).test_cli_runner().invoke(args=["content", "check", str(BROKEN / name)])
    line, message = EXPECTED[name]
    assert result.exit_code == 1
    assert f"{name}:{line}: {message}" in result.output


def test_cli_check_folder_reports_every_problem_at_once(tmp_path):
    result = bare_app(tmp_path).test_cli_runner().invoke(args=["content", "check", str(BROKEN)])
    assert result.exit_code == 1
    for name, (line, message) in EXPECTED.items():
        assert f"{name}:{line}: {message}" in result.output


def test_cli_check_valid_root_prints_summary(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "Content OK: 1 roles, 2 skills, 2 lessons, 1 scenarios, 5 nodes, 3 endings" in result.output


def copy_tiny(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(TINY, root)
    return root


def test_duplicate_scenario_ids_across_files(tmp_path):
    root = copy_tiny(tmp_path)
    shutil.copy(root / "scenarios/ops/01-send.md", root / "scenarios/ops/02-copy.md")
    with pytest.raises(ContentError) as error:
        load(root)
    [problem] = error.value.problems
    assert problem.path.endswith("02-copy.md") and problem.line == 2
    assert problem.message.startswith("duplicate scenario id 'ops-send'")


def test_duplicate_lesson_id_and_unlisted_lesson(tmp_path):
    root = copy_tiny(tmp_path)
    text = (root / "curricula/ops/02-second.md").read_text().replace("id: second", "id: first")
    (root / "curricula/ops/02-second.md").write_text(text)
    with pytest.raises(ContentError) as error:
        load(root)
    messages = [p.message for p in error.value.problems]
    assert any(m.startswith("duplicate lesson id 'first'") for m in messages)
    assert "lists lesson 'second' but no lesson file has that id" in messages


def test_duplicate_skill_id_in_taxonomy(tmp_path):
    root = copy_tiny(tmp_path)
    taxonomy = root / "curricula/skills.yaml"
    text = taxonomy.read_text().replace("  - id: data\n", "  - id: ownership\n")
    taxonomy.write_text(text)
    with pytest.raises(ContentError) as error:
        load(root)
    found = sorted((Path(p.path).name, p.line, p.message) for p in error.value.problems)
    assert found == [
        ("01-send.md", 5, "unknown skill 'data'"),
        ("02-second.md", 5, "unknown skill 'data'"),
        ("skills.yaml", 6, "duplicate skill id 'ownership'"),
        ("skills.yaml", 15, "target for unknown skill 'data'"),
    ]


def test_app_refuses_to_start_on_invalid_content(tmp_path):
    root = copy_tiny(tmp_path)
    (root / "scenarios/ops/01-send.md").write_text((BROKEN / "scenarios/ops/bad-start.md").read_text())
    with pytest.raises(ContentError) as error:
        bare_app(tmp_path, root)
    assert [p.message for p in error.value.problems] == ["start node 'lobby' does not exist"]


def test_adding_a_role_is_content_only(tmp_path):
    root = copy_tiny(tmp_path)
    taxonomy = root / "curricula/skills.yaml"
    taxonomy.write_text(
        taxonomy.read_text()
        + "  - id: events\n    name: Events\n    description: Field events.\n"
        + "    rationale: Events are run by hand, so both skills matter equally.\n"
        + "    targets:\n      ownership: 50\n      data: 50\n"
    )
    shutil.copytree(root / "curricula/ops", root / "curricula/events")
    for lesson in (root / "curricula/events").glob("*.md"):
        lesson.write_text(
            lesson.read_text().replace("id: first", "id: events-first").replace("id: second", "id: events-second")
        )
    (root / "curricula/events/course.yaml").write_text(
        "title: Events\nsummary: For events.\nrole: events\nlessons: [events-first, events-second]\n"
    )
    (root / "scenarios/events").mkdir()
    text = (
        (root / "scenarios/ops/01-send.md")
        .read_text()
        .replace("id: ops-send", "id: events-send")
        .replace("role: ops", "role: events")
    )
    (root / "scenarios/events/01-send.md").write_text(text)
    catalogue = load(root)
    assert set(catalogue.roles) == {"ops", "events"}
    assert [s.id for s in catalogue.role_scenarios("events")] == ["events-send"]


def test_front_matter_keys_keep_their_lines():
    problems = Problems()
    doc = split("---\nid: a\n\ntitle: B\n---\nbody\n", "x.md", problems)
    assert not problems
    assert doc.key_lines == {"id": 2, "title": 4}
    assert doc.body_lines == [(6, "body")]


def test_missing_front_matter_is_reported():
    problems = Problems()
    assert split("# Just a heading\n", "x.md", problems) is None
    assert str(problems.items[0]) == "x.md:1: malformed front matter: the file must start with a '---' line"


def test_lesson_markdown_is_sanitised(tmp_path):
    root = copy_tiny(tmp_path)
    lesson = root / "curricula/ops/02-second.md"
    hostile = (
        "\n<script>alert(1)</script>\n"
        "[x](javascript:alert(1)) <img src=x onerror=alert(1)> <svg onload=alert(1)></svg>\n"
        "[a](JaVaScRiPt:alert(1)) [b](&#106;avascript:alert(1)) [c](data:text/html,<script>alert(1)</script>)\n"
        '<a href="vbscript:x">d</a> <iframe src=https://evil.example></iframe>\n'
        "[ok](https://example.com) [mail](mailto:team@example.com) [plain](http://example.com)\n"
    )
    lesson.write_text(lesson.read_text() + hostile)
    html = load(root).lesson("second").html.lower()
    for bad in ("<script", "javascript:", "onerror", "onload", "data:text", "vbscript:", "<iframe", "<svg", "&#106;"):
        assert bad not in html, bad
    for good in ('href="https://example.com"', 'href="mailto:team@example.com"', 'href="http://example.com"'):
        assert good in html


FIRST_ROLES = {"lifecycle", "pr", "paid-media", "revops"}
NEW_ROLES = {
    "content-brand",
    "social-community",
    "marketing-ops",
    "analytics-insights",
    "product-marketing",
    "marketing-leadership",
}


def test_shipped_content_is_valid_and_raises_no_warning():
    catalogue, problems = check(ROOT, ROOT)
    assert problems == []
    assert set(catalogue.roles) == FIRST_ROLES | NEW_ROLES
    assert [str(w) for w in cues.warnings(catalogue)] == []  # what `content check --strict` fails on


def test_shipped_content_meets_the_size_bar():
    """Each role: a course of at least 5 lessons of 400+ words, and 4+ scenarios (6+ for the first four
    roles) with 8+ decisions and 3+ endings; every scenario names the workflow kinds it trains."""
    catalogue = load(ROOT)
    for role in catalogue.roles:
        lessons = catalogue.courses[role].lessons
        assert len(lessons) >= 5, role
        for lesson in lessons:
            assert lesson.words >= 400, f"{lesson.path}: {lesson.words} words"
        scenarios = catalogue.role_scenarios(role)
        assert len(scenarios) >= (6 if role in FIRST_ROLES else 4), role
        assert all(s.workflows for s in scenarios), role
        for scenario in scenarios:
            assert len(scenario.decision_nodes) >= 8, scenario.path
            assert len(scenario.endings) >= 3, scenario.path
            assert {n.outcome for n in scenario.endings} == {"strong", "mixed", "poor"}, scenario.path


def test_scenarios_name_the_workflow_kinds_they_train_and_unknown_kinds_are_refused(tmp_path):
    catalogue = load(TINY)
    assert [s.id for s in catalogue.scenarios_for_workflow("audience-building")] == ["ops-send"]
    assert catalogue.workflow_kinds["audience-building"].name == "Audience building"
    root = copy_tiny(tmp_path)
    send = root / "scenarios/ops/01-send.md"
    send.write_text(
        send.read_text().replace("workflows: [audience-building]", "workflows: [audience-building, bidding]")
    )
    with pytest.raises(ContentError) as error:
        load(root)
    [problem] = error.value.problems
    assert (problem.line, problem.message) == (9, "unknown workflow kind 'bidding': add it to curricula/skills.yaml")
    send.write_text(send.read_text().replace("workflows: [audience-building, bidding]", "workflows: audience"))
    with pytest.raises(ContentError) as error:
        load(root)
    assert [p.message for p in error.value.problems] == ["field 'workflows' must be a list of workflow-kind ids"]
