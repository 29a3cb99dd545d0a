"""Twine (Twee 3): every shipped scenario survives a round trip; hand-written stories import."""

from __future__ import annotations

import json

import pytest
from support.apps import bare_app
from support.paths import TINY
from support.scenarios import parse, shape, shipped

from literacy.content import load
from literacy.content.errors import Problems
from literacy.content.scenario import parse_scenario
from literacy.content.twee import escape, export, import_story

CATALOGUE = shipped()


@pytest.mark.parametrize("scenario_id", sorted(CATALOGUE.scenarios))
def test_shipped_scenario_round_trip(scenario_id):
    original = CATALOGUE.scenarios[scenario_id]
    twee = export(original)
    data = json.loads(twee.split(":: StoryData\n", 1)[1].split("\n\n", 1)[0])
    assert data["start"] == original.start and len(data["ifid"]) == 36
    markdown, notes = import_story(twee, original.role)
    assert notes == []
    assert shape(parse(markdown)) == shape(original)


def test_text_that_depends_on_flags_survives_a_round_trip():
    text = (TINY / "scenarios/ops/01-send.md").read_text()
    text = text.replace("Who signs off?", "Who signs off?\n\n::: if checked, !rushed\nThe list is clean.\n:::")
    original = parse(text, load(TINY))
    assert original.nodes["review"].conditional
    markdown, notes = import_story(export(original), original.role)
    assert notes == []
    assert shape(parse(markdown, load(TINY))) == shape(original)


STORY = r"""
:: StoryTitle
Monday queue

:: StoryData
{"ifid": "D674C58C-DEFA-4F70-B7A2-27742230C0FF", "format": "Harlowe", "start": "Monday {9am}"}

:: Monday \{9am\} [start] {"position":"100,100"}
title: The queue at nine
The send is queued.

[[Check the \[list\]->Checked]]
effects: data +2
feedback: You looked first.

[[Send now->Trouble]]
effects: data -1
feedback: Speed over care.
It rarely pays.

[[Trouble<-Ask the tool]]
effects: ownership -1
feedback: The tool cannot own it.

[[Who owns it?|Checked]]
effects: ownership +2
feedback: Named.

:: Checked {"position": broken}
The list is clean.

[[Finish]]
effects: ownership +1
feedback: Checked and named.

:: Finish [ending:strong]
A clean send.

:: Trouble [ending:poor]
Complaints arrive.
"""


def test_import_every_link_form_escaped_names_and_bad_metadata():
    markdown, notes = import_story(STORY, "ops")
    assert notes == ["line 29: passage 'Checked': invalid metadata '{\"position\": broken}' was discarded"]
    scenario = parse(markdown, load(TINY))
    assert (
        scenario.title == "Monday queue" and scenario.start == "monday-9am" and scenario.skills == ("data", "ownership")
    )
    monday = scenario.nodes["monday-9am"]
    assert monday.title == "The queue at nine"
    assert [(c.label, c.target) for c in monday.choices] == [
        ("Check the \\[list\\]", "checked"),
        ("Send now", "trouble"),
        ("Ask the tool", "trouble"),
        ("Who owns it?", "checked"),
    ]
    assert monday.choices[1].effects == {"data": -1} and "It rarely pays." in monday.choices[1].feedback
    assert (scenario.nodes["finish"].outcome, scenario.nodes["trouble"].outcome) == ("strong", "poor")


def test_what_cannot_be_mapped_is_reported_with_passage_and_line():
    story = STORY.replace("The send is queued.", "The send is queued. You can [[wait->Nowhere]].").replace(
        ":: Trouble [ending:poor]", ":: Trouble"
    )
    markdown, notes = import_story(story, "ops")
    assert "line 10: passage 'Monday {9am}': link to 'Nowhere', which is not a passage" in notes
    assert "line 39: passage 'Trouble' has no links and no ending tag: it became a mixed ending" in notes
    problems = Problems()
    parse_scenario(markdown, "imported.md", {"ops"}, {"data", "ownership"}, problems)
    assert any("goes to node 'nowhere', which does not exist" in p.message for p in problems.items)


def test_escape_round_trips_special_characters():
    assert escape("a[b]{c}\\d") == "a\\[b\\]\\{c\\}\\\\d"


def test_cli_export_then_import_writes_a_valid_scenario(tmp_path):
    app = bare_app(tmp_path)
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["content", "export-twee", "ops-send", "--out", str(tmp_path / "send.twee")])
    assert exported.exit_code == 0, exported.output
    out = tmp_path / "scenarios" / "ops" / "send.md"
    imported = runner.invoke(
        args=["content", "import-twee", str(tmp_path / "send.twee"), "--role", "ops", "--out", str(out)]
    )
    assert imported.exit_code == 0, imported.output
    assert shape(parse(out.read_text(), load(TINY))) == shape(load(TINY).scenarios["ops-send"])


def test_cli_import_refuses_a_story_that_fails_the_check(tmp_path):
    app = bare_app(tmp_path)
    story = tmp_path / "broken.twee"
    story.write_text(STORY.replace("[[Finish]]", "[[Finish->Nowhere]]"), encoding="utf-8")
    out = tmp_path / "broken.md"
    result = app.test_cli_runner().invoke(
        args=["content", "import-twee", str(story), "--role", "ops", "--out", str(out)]
    )
    assert result.exit_code == 1 and not out.exists()
    assert "link to 'Nowhere', which is not a passage" in result.output
    assert "goes to node 'nowhere', which does not exist" in result.output and "not imported" in result.output
