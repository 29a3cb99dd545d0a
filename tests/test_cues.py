"""Content warnings that catch cues: each rule on hand-made content, firing and not firing."""

from __future__ import annotations

from literacy.content import cues, graph
from literacy.content.errors import Problems
from literacy.content.scenario import parse_scenario
from literacy.content.types import Lesson, Option, Question

HEAD = """---
id: probe
title: Probe
role: ops
skills: [ownership, data]
minutes: 5
start: first
summary: A scenario written for one rule.
---
"""


def node(node_id: str, *choices: tuple[str, str, str]) -> str:
    """A decision node; each choice is (label, target, effects) and may add 'Sets:'/'Requires:' lines."""
    text = f"\n## {node_id}: {node_id.capitalize()}\nWhat now?\n"
    for label, target, extra in choices:
        text += f"\n### {label}\nGo: {target}\n{extra}\n\nBecause.\n"
    return text


ENDINGS = "\n## good: Good\nOutcome: strong\n\nWell done.\n\n## bad: Bad\nOutcome: poor\n\nNot good.\n"


def scenario(body: str):
    problems = Problems()
    parsed = parse_scenario(HEAD + body + ENDINGS, "probe.md", {"ops"}, {"ownership", "data"}, problems)
    state_graph = graph.check(parsed, problems)
    graph.check_scoring(parsed, state_graph, problems)
    assert not problems, problems.sorted()
    return parsed


def messages(rule, *args) -> list[str]:
    found = Problems()
    rule(*args, found)
    return [p.message for p in found.sorted()]


def three_nodes(best_labels: tuple[str, str, str]) -> str:
    """Three decision nodes whose best choice (ownership +3, data +3) has the given label."""
    ids = ["first", "second", "third"]
    body = ""
    for i, (node_id, best) in enumerate(zip(ids, best_labels, strict=True)):
        target = ids[i + 1] if i + 1 < len(ids) else "good"
        body += node(
            node_id,
            (best, target, "Effects: ownership +3, data +3"),
            ("Ship it as the vendor configured it", "bad", "Effects: ownership -1"),
        )
    return body


def test_best_choice_longest_in_most_nodes_is_flagged():
    long = "Ask the named owner to check the suppression list before the send"
    warned = messages(cues.longest_labels, scenario(three_nodes((long, long, "Check"))))
    assert warned == ["the best choice is the longest label in 2 of 3 decision nodes (more than 40%): first, second"]


def test_best_choice_longest_in_a_minority_of_nodes_is_not_flagged():
    long = "Ask the named owner to check the suppression list before the send"
    assert messages(cues.longest_labels, scenario(three_nodes((long, "Check", "Check")))) == []


def test_a_node_whose_choices_tie_has_no_keyed_best_choice():
    body = node("first", ("A much longer label than the other", "good", "Effects: ownership +3, data +3"),
                ("Short", "bad", "Effects: ownership +3, data +3"))  # fmt: skip
    assert messages(cues.longest_labels, scenario(body)) == []


def test_a_skill_with_a_best_total_under_three_is_flagged():
    body = node(
        "first", ("Check the list", "good", "Effects: ownership +3, data +2"), ("Skip", "bad", "Effects: data -1")
    )
    assert messages(cues.thin_skills, scenario(body)) == [
        "skill 'data' has a best total of 2 point(s): at least 3 are needed for a score finer than a few steps"
    ]


def test_poor_endings_at_target_and_strong_endings_below_half_are_flagged():
    body = node(
        "first",
        ("Own it but skip the data", "good", "Effects: ownership +4"),
        ("Check the data, then hand it over", "bad", "Effects: data +4, ownership +4"),
        ("Check the data and own it", "good", "Effects: data +4, ownership +4"),
    )
    warned = messages(cues.misleading_endings, scenario(body), {"ownership": 70, "data": 60})
    assert "a path to a poor ending scores 100 on 'ownership', at or above the role target of 70" in warned
    assert "a path to a poor ending scores 100 on 'data', at or above the role target of 60" in warned
    assert "a path to a strong ending scores 0 on 'data', below 50" in warned
    assert len(warned) == 3


def test_endings_that_match_their_scores_are_not_flagged():
    body = node(
        "first",
        ("Check the data and own it", "good", "Effects: data +4, ownership +4"),
        ("Hand it to the vendor", "bad", "Effects: data -1, ownership -1"),
    )
    assert messages(cues.misleading_endings, scenario(body), {"ownership": 70, "data": 60}) == []


def test_a_flag_set_but_never_required_is_flagged():
    body = node(
        "first",
        ("Check the list", "second", "Effects: data +3\nSets: checked, noted"),
        ("Skip the list", "second", "Effects: data -1"),
    ) + node(
        "second",
        ("Send with the owner's sign-off", "good", "Effects: ownership +3\nRequires: checked"),
        ("Send", "bad", "Effects: ownership -1"),
    )
    assert messages(cues.flags_never_required, scenario(body)) == [
        "flag 'noted' is set here but no choice or text depends on it"
    ]


def lesson(html: str, questions=()) -> Lesson:
    return Lesson("lesson-a", "ops", "Lesson", 5, ("data",), html, 10, tuple(questions), "lesson-a.md")


def test_figures_shared_with_a_lesson_are_flagged_whatever_their_formatting():
    body = node(
        "first",
        ("Cap the spend at £1200 a day", "good", "Effects: data +3, ownership +3"),
        ("Raise it by 15 %", "bad", "Effects: data -1"),
    )
    taught = lesson("<p>In 2024 a retailer capped spend at £1,200 a day and raised bids 15% for 30 days.</p>")
    warned = messages(cues.shared_figures, scenario(body), [taught])
    assert warned == [
        "the figure £1200 also appears in the lesson 'lesson-a': test transfer with other numbers",
        "the figure 15% also appears in the lesson 'lesson-a': test transfer with other numbers",
    ]


def test_years_and_short_plain_numbers_are_not_figures():
    assert cues.figures("In 2024, 30 people sent 12 emails; 950 opened and 41% clicked for $3.5m.") == {
        "950",
        "41%",
        "$3.5m",
    }


def question(correct: str, *wrong: str) -> Question:
    options = (Option(correct, True, ""), *(Option(w, False, "") for w in wrong))
    return Question("Which?", options, 7)


def test_correct_option_longest_in_most_questions_is_flagged():
    long = [
        question("The owner checks the list before the send", "Send", "Wait"),
        question("A long, careful answer", "No"),
    ]
    assert len(messages(cues.longest_answers, [lesson("", long)])) == 1
    mixed = [question("Yes", "A long, plausible but wrong answer"), question("A long, careful answer", "No"),
             question("Short", "Longer wrong one")]  # fmt: skip
    assert messages(cues.longest_answers, [lesson("", mixed)]) == []


def explored(parsed):
    return graph.explore(parsed)


def test_a_decision_with_two_options_in_some_state_is_flagged_once():
    body = node(
        "first",
        ("Check the list", "second", "Effects: data +3\nSets: checked"),
        ("Skip the list", "second", "Effects: data -1"),
        ("Ask the owner", "second", "Effects: data +1"),
    ) + node(
        "second",
        ("Send with sign-off", "good", "Effects: ownership +3\nRequires: checked"),
        ("Send it anyway now", "bad", "Effects: ownership -1"),
        ("Wait for the owner", "good", "Effects: ownership +1\nRequires: !checked"),
        ("Escalate to the lead", "bad", "Effects: ownership +1"),
    )
    parsed = scenario(body)
    # 'second' offers three whatever the path: each requirement swaps one choice for another
    assert messages(cues.few_choices, parsed, explored(parsed)) == []
    thin = body.replace("Requires: !checked", "Requires: checked")
    parsed = scenario(thin)
    assert messages(cues.few_choices, parsed, explored(parsed)) == [
        "node 'second' offers 2 choice(s) when the flags are: none;"
        " offer at least 3 a competent professional might pick"
    ]


def test_labels_of_very_different_lengths_are_flagged():
    even = node(
        "first",
        ("Hold the send for the list", "good", "Effects: data +3, ownership +3"),
        ("Send now; the model is fine", "bad", "Effects: data -1"),
        ("Ask the CRM owner to decide", "good", "Effects: data +1"),
    )
    parsed = scenario(even)
    assert messages(cues.uneven_labels, parsed, explored(parsed)) == []
    odd = even.replace("Send now; the model is fine", "Send")
    parsed = scenario(odd)
    assert messages(cues.uneven_labels, parsed, explored(parsed)) == [
        "node 'first' offers labels of 4 to 27 characters (flags: none); keep the longest within 1.5x the shortest"
    ]


def test_a_scenario_too_small_to_rank_anyone_is_flagged():
    small = scenario(
        node(
            "first",
            ("Check", "good", "Effects: data +3, ownership +3"),
            ("Skip", "bad", "Effects: data -1"),
        )
    )
    assert messages(cues.too_small, small) == [
        "1 decision nodes: a scenario needs at least 8",
        "2 endings (no mixed ending): a scenario needs a strong, a mixed and a poor one",
    ]


def test_figures_in_a_knowledge_check_count_as_taught():
    body = node(
        "first",
        ("Cap the spend at £1200 a day", "good", "Effects: data +3, ownership +3"),
        ("Raise it by 15 %", "bad", "Effects: data -1"),
    )
    check = question("Cap at £1,200", "Raise by 20%")
    warned = messages(cues.shared_figures, scenario(body), [lesson("<p>No figures here.</p>", [check])])
    assert warned == ["the figure £1200 also appears in the lesson 'lesson-a': test transfer with other numbers"]
