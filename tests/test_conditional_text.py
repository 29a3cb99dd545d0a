"""A node's text may vary with the flags an attempt carries (``::: if flag`` blocks), so a consequence
chosen earlier shows later in the story and in the debrief."""

from __future__ import annotations

import shutil

from support import journeys
from support.apps import make_app
from support.paths import TINY

from literacy.content import cues, graph
from literacy.content.errors import Problems
from literacy.content.scenario import parse_scenario

HEAD = """---
id: probe
title: Probe
role: ops
skills: [ownership, data]
minutes: 5
start: queue
---

## queue: The queue
A send is queued.

### Check the list first
Go: review
Effects: data +3
Sets: checked

You looked.

### Send now
Go: review
Effects: data -1

Speed.

### Ask the owner
Go: review
Effects: ownership +1

Asked.

## review: Review
{review}

### Name an owner
Go: good
Effects: ownership +3

Named.

### Let the tool decide
Go: bad
Effects: ownership -2

Nobody owns it.

### Leave it open
Go: good
Effects: ownership +1

Open.

## good: Clean
Outcome: strong

{debrief}

## bad: Trouble
Outcome: poor

Poor judgment.
"""


def parsed(review: str, debrief: str = "Strong judgment."):
    problems = Problems()
    scenario = parse_scenario(
        HEAD.format(review=review, debrief=debrief), "probe.md", {"ops"}, {"ownership", "data"}, problems
    )
    if scenario is not None:
        graph.check(scenario, problems)
    return scenario, [(p.line, p.message) for p in problems.sorted()]


CONDITIONAL = """Who signs off?

::: if checked
The list you pulled shows 212 complaints.
:::

::: if !checked
Nobody has looked at the list.
:::

The owner is on leave."""


def test_conditional_blocks_show_only_for_the_flags_they_name():
    scenario, problems = parsed(CONDITIONAL)
    assert problems == []
    review = scenario.nodes["review"]
    checked = review.html_for(frozenset({"checked"}))
    unchecked = review.html_for(frozenset())
    assert "212 complaints" in checked and "Nobody has looked" not in checked
    assert "Nobody has looked" in unchecked and "212 complaints" not in unchecked
    for text in (checked, unchecked):
        assert text.startswith("<p>Who signs off?</p>") and text.endswith("<p>The owner is on leave.</p>")
    assert ":::" not in checked + unchecked
    assert "::: if checked" in review.source  # exported as written


def test_conditions_accept_several_flags_and_negations():
    scenario, problems = parsed("Who?\n\n::: if checked, !checked\nNever.\n:::\n")
    assert problems == []
    passage = scenario.nodes["review"].conditional[0]
    assert not passage.shown(frozenset({"checked"})) and not passage.shown(frozenset())


def test_malformed_blocks_are_reported_with_their_lines():
    review_line = HEAD.splitlines().index("{review}") + 1
    cases = {
        "Who?\n::: if checked\nOpen forever.": (review_line + 1, "this '::: if' block is never closed"),
        "Who?\n:::\nStray.": (review_line + 1, "':::' closes no '::: if' block"),
        "Who?\n::: if checked\n::: if checked\nTwice.\n:::": (review_line + 2, "'::: if' blocks cannot be nested"),
        "Who?\n::: if Checked!\nBad flag.\n:::": (review_line + 1, "flag must be a lowercase slug"),
        "Who?\n::: if\nNo flag.\n:::": (review_line + 1, "'::: if' needs at least one flag"),
        "Who?\n::: unless checked\nWrong word.": (review_line + 1, "a line starting ':::' must be"),
        "Who?\n::: if checked\n\n:::": (review_line + 1, "this '::: if' block has no text"),
        "Who?\n::: if approved\nNothing sets it.\n:::": (review_line + 1, "this text depends on flag 'approved'"),
    }
    for text, (line, message) in cases.items():
        _, problems = parsed(text)
        assert len(problems) == 1 and problems[0][0] == line and problems[0][1].startswith(message), (text, problems)


def test_blocks_in_feedback_are_refused():
    text = HEAD.format(review="Who?", debrief="Fine.").replace("You looked.", "::: if checked\nYou looked.\n:::")
    problems = Problems()
    parse_scenario(text, "probe.md", {"ops"}, {"ownership", "data"}, problems)
    assert [p.message for p in problems.sorted()] == [
        "'::: if' blocks belong in a node's text, not in a choice's feedback",
        "'::: if' blocks belong in a node's text, not in a choice's feedback",
    ]


def test_text_no_path_can_show_or_every_path_shows_is_a_warning():
    found = Problems()
    never, _ = parsed("Who?\n\n::: if checked, !checked\nNever shown.\n:::\n")
    cues.conditions_that_never_vary(never, graph.explore(never), found)
    assert [p.message for p in found.sorted()] == ["no path reaches this text with its condition met"]
    found = Problems()
    text = HEAD.format(review="Who?", debrief="Fine.")
    text = text.replace("A send is queued.", "A send is queued.\n\n::: if !checked\nNothing is checked yet.\n:::")
    always = parse_scenario(text, "probe.md", {"ops"}, {"ownership", "data"}, Problems())
    cues.conditions_that_never_vary(always, graph.explore(always), found)
    assert [p.message for p in found.sorted()] == ["every path reaches this text with its condition met: drop it"]
    found = Problems()
    scenario, _ = parsed(CONDITIONAL)
    cues.conditions_that_never_vary(scenario, graph.explore(scenario), found)
    assert found.sorted() == []


def test_a_flag_used_only_by_text_counts_as_used():
    scenario, _ = parsed(CONDITIONAL)
    found = Problems()
    cues.flags_never_required(scenario, found)
    assert found.sorted() == []


def test_the_learner_reads_the_text_their_choices_earned(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(TINY, root)
    send = root / "scenarios/ops/01-send.md"
    send.write_text(
        send.read_text()
        .replace("Who signs off?", "Who signs off?\n\n::: if checked\nThe list you pulled is clean.\n:::")
        .replace("Mixed judgment.", "Mixed judgment.\n\n::: if !checked\nYou never looked at the list.\n:::")
    )
    app = make_app(tmp_path, root)
    for first, second, shown, hidden in (
        (0, 0, "The list you pulled is clean.", "You never looked"),  # checked, then the strong ending
        (1, 1, "You never looked at the list.", "The list you pulled is clean."),  # unchecked, the mixed one
    ):
        browser = journeys.signed_up(app, f"learner{first}@example.com", role="ops")
        attempt = journeys.play(browser, [("queue", first)])
        review = browser.get(f"/attempts/{attempt}").get_data(as_text=True)
        button = next(f for f in browser.forms(f"/attempts/{attempt}") if f.hidden.get("choice") == str(second))
        assert browser.client.post(f"/attempts/{attempt}/choose", data=button.hidden).status_code == 302
        debrief = browser.get(f"/attempts/{attempt}/debrief").get_data(as_text=True)
        assert shown in review + debrief and hidden not in review + debrief
        assert ":::" not in review + debrief
