"""The scenario as a state graph: (node, flags) states, reachability, dead ends, best totals.

Flags make a node's choices depend on the path taken, so every check walks reachable
*states*, not just nodes. Scenarios are small (tens of nodes, a few flags), so the walk is cheap.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from literacy.content.errors import Problems
from literacy.content.types import Choice, Scenario

State = tuple[str, frozenset[str]]
Graph = dict[State, list[tuple[Choice, State]]]
MAX_STATES = 20_000
OUTCOME_RANK = {"poor": 0, "mixed": 1, "strong": 2}


def initial_state(scenario: Scenario) -> State:
    return scenario.start, frozenset()


def moves(scenario: Scenario, state: State) -> list[tuple[Choice, State]]:
    """The choices offered in a state and the state each leads to."""
    node_id, flags = state
    return [
        (choice, (choice.target, flags | choice.sets))
        for choice in scenario.nodes[node_id].choices
        if choice.available(flags)
    ]


def explore(scenario: Scenario) -> Graph | None:
    """Every state reachable from the start, with its outgoing moves; None if implausibly large."""
    graph: Graph = {}
    queue = deque([initial_state(scenario)])
    while queue:
        state = queue.popleft()
        if state in graph:
            continue
        if len(graph) >= MAX_STATES:
            return None
        graph[state] = moves(scenario, state)
        queue.extend(target for _, target in graph[state] if target not in graph)
    return graph


def check(scenario: Scenario, problems: Problems) -> Graph | None:
    """Report graph defects; return the state graph when the scenario can be played."""
    path = scenario.path
    before = len(problems)
    if not scenario.endings:
        problems.add(path, scenario.lines.get("start", 1), "the scenario has no ending (a node with 'Outcome:')")
    _check_flags(scenario, problems)
    if len(problems) > before:
        return None
    graph = explore(scenario)
    if graph is None:
        problems.add(path, 1, f"more than {MAX_STATES} node/flag states: simplify the flags")
        return None
    reached = {node_id for node_id, _ in graph}
    for node in scenario.nodes.values():
        if node.id not in reached:
            problems.add(path, node.line, f"node '{node.id}' cannot be reached from the start")
    stuck = {s[0]: s[1] for s, out in graph.items() if not out and not scenario.nodes[s[0]].is_ending}
    for node_id, flags in stuck.items():
        shown = ", ".join(sorted(flags)) or "none"
        problems.add(
            path,
            scenario.nodes[node_id].line,
            f"node '{node_id}' offers no choice when the flags are: {shown} (every choice is hidden by 'Requires:')",
        )
    finishing = _can_finish(scenario, graph)
    for node_id in sorted({s[0] for s in graph if s not in finishing and s[0] not in stuck}):
        problems.add(
            path, scenario.nodes[node_id].line, f"node '{node_id}' is in a loop from which no ending can be reached"
        )
    return None if len(problems) > before else graph


def _check_flags(scenario: Scenario, problems: Problems) -> None:
    """Every flag a choice requires, or a node's text depends on, must be set by some choice."""
    set_somewhere = {flag for node in scenario.nodes.values() for c in node.choices for flag in c.sets}
    for node in scenario.nodes.values():
        for passage in node.conditional:
            for req in passage.requires:
                if req.flag not in set_somewhere:
                    problems.add(
                        scenario.path, passage.line, f"this text depends on flag '{req.flag}', which no choice sets"
                    )
        for choice in node.choices:
            for req in choice.requires:
                if req.flag not in set_somewhere:
                    problems.add(
                        scenario.path,
                        choice.line,
                        f"choice '{choice.label}' requires flag '{req.flag}', which no choice sets",
                    )


def _can_finish(scenario: Scenario, graph: Graph) -> set[State]:
    """States from which some ending can be reached (reverse search from the endings)."""
    incoming: dict[State, list[State]] = {s: [] for s in graph}
    for state, out in graph.items():
        for _, target in out:
            incoming[target].append(state)
    done = {s for s in graph if scenario.nodes[s[0]].is_ending}
    queue = deque(done)
    while queue:
        for prev in incoming[queue.popleft()]:
            if prev not in done:
                done.add(prev)
                queue.append(prev)
    return done


def best_path(
    scenario: Scenario, graph: Graph, gain: Callable[[Choice], int], ending_ok: Callable[[str], bool]
) -> tuple[int, list[tuple[str, int]]] | None:
    """Highest total of ``gain`` over loop-free paths from the start to an accepted ending."""
    memo: dict[State, tuple[int, list[tuple[str, int]]] | None] = {}
    on_path: set[State] = set()

    def best(state: State):
        if state in memo:
            return memo[state]
        node = scenario.nodes[state[0]]
        if node.is_ending:
            return (0, []) if ending_ok(node.outcome) else None
        on_path.add(state)
        result = None
        for choice, target in graph[state]:
            if target in on_path:
                continue  # a loop never adds to the best total
            rest = best(target)
            if rest is not None and (result is None or gain(choice) + rest[0] > result[0]):
                result = (gain(choice) + rest[0], [(state[0], choice.index)] + rest[1])
        on_path.discard(state)
        memo[state] = result
        return result

    return best(initial_state(scenario))


def best_totals(scenario: Scenario, graph: Graph) -> dict[str, int]:
    """For each listed skill, the highest total any path can earn (the 100% mark)."""
    totals = {}
    for skill in scenario.skills:
        found = best_path(scenario, graph, lambda c, s=skill: c.effects.get(s, 0), lambda _: True)
        totals[skill] = found[0] if found else 0
    return totals


def strongest_path(scenario: Scenario, graph: Graph) -> list[tuple[str, int]]:
    """The highest-scoring path that ends in the best outcome the scenario offers."""
    top = max(OUTCOME_RANK[n.outcome] for n in scenario.endings)
    found = best_path(scenario, graph, lambda c: sum(c.effects.values()), lambda o: OUTCOME_RANK[o] == top)
    return found[1] if found else []


def check_scoring(scenario: Scenario, graph: Graph, problems: Problems) -> None:
    """Fill in best totals and the strongest path; a listed skill no path can raise is a defect."""
    scenario.best = best_totals(scenario, graph)
    for skill, best in scenario.best.items():
        if best <= 0:
            problems.add(
                scenario.path,
                scenario.lines.get("skills", 1),
                f"no path raises skill '{skill}' above zero: add a positive effect or drop it from 'skills'",
            )
    scenario.strongest_path = tuple(strongest_path(scenario, graph))


MAX_PATHS = 10_000


def typical_decisions(scenario: Scenario, graph: Graph | None = None) -> int:
    """How many decisions a typical play takes: the median number of choices over the loop-free
    paths from the start to an ending (the first MAX_PATHS found), rounded half up; at least 1.

    "Decision 3 of about 6" uses it: a learner's own path may be shorter or longer."""
    graph = graph if graph is not None else explore(scenario)
    if not graph:
        return 1
    lengths: list[int] = []
    on_path: set[State] = set()

    def walk(state: State, depth: int) -> None:
        if len(lengths) >= MAX_PATHS:
            return
        if scenario.nodes[state[0]].is_ending:
            lengths.append(depth)
            return
        on_path.add(state)
        for _, target in graph.get(state, []):
            if target not in on_path:
                walk(target, depth + 1)
        on_path.discard(state)

    walk(initial_state(scenario), 0)
    if not lengths:
        return 1
    lengths.sort()
    middle = len(lengths) // 2
    median = lengths[middle] if len(lengths) % 2 else (lengths[middle - 1] + lengths[middle] + 1) // 2
    return max(1, median)
