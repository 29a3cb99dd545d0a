"""Load and validate all content under a root folder into a :class:`Catalogue`."""

from __future__ import annotations

from pathlib import Path

from literacy.content import cache, graph
from literacy.content.curriculum import parse_course, parse_lesson
from literacy.content.errors import ContentError, Problems, readable
from literacy.content.scenario import parse_scenario
from literacy.content.taxonomy import parse_taxonomy, parse_workflow_kinds
from literacy.content.types import Catalogue, Course, Role, Scenario, Skill

TAXONOMY = Path("curricula") / "skills.yaml"


_loaded: dict[tuple, Catalogue] = {}


def _fingerprint(root: Path) -> tuple:
    """Every content file with its size and modification time: equal fingerprints, equal content."""
    stats = ((str(p), p.stat()) for p in cache.content_files(root))
    return (str(root.resolve()), *((name, stat.st_mtime_ns, stat.st_size) for name, stat in stats))


def load(root: Path | str, cache_folder: Path | str | None = None) -> Catalogue:
    """Parse and validate everything; raise :class:`ContentError` with every problem found.

    A catalogue is loaded once per process for the same files (each app of a test run, each worker
    re-created by a server): parsing and validating fifty scenarios takes seconds. Catalogues are
    read-only after loading, so sharing one is safe. With ``cache_folder``, a catalogue parsed by an
    earlier process from the same files and code is read from there instead (``content.cache``)."""
    root = Path(root)
    key = _fingerprint(root)
    if key not in _loaded:
        if len(_loaded) >= 8:  # a few content roots at most (the shipped one, test fixtures)
            _loaded.pop(next(iter(_loaded)))
        _loaded[key] = cache.load(root, Path(cache_folder), _load) if cache_folder else _load(root)
    return _loaded[key]


def _load(root: Path) -> Catalogue:
    problems = Problems()
    skills, roles = _taxonomy(root, problems)
    kinds = _workflow_kinds(root, problems)
    courses = _courses(root, roles, skills, problems)
    scenarios = _scenarios(sorted((root / "scenarios").glob("*/*.md")), roles, skills, problems, kinds)
    for role in roles:
        if role not in courses and not (root / "curricula" / role).is_dir():
            problems.add(str(root / TAXONOMY), 1, f"role '{role}' has no course folder curricula/{role}/")
    if problems:
        raise ContentError(problems.sorted())
    return Catalogue(skills, roles, courses, scenarios, kinds)


def check(target: Path | str, root: Path | str) -> tuple[Catalogue | None, list]:
    """Validate a content root, a folder of content files, or one file (against ``root``'s taxonomy)."""
    target = Path(target)
    if (target / TAXONOMY).is_file():
        try:  # parsed here, never taken from a cache: checking the files is this command's job
            return _load(target), []
        except ContentError as exc:
            return None, exc.problems
    problems = Problems()
    skills, roles = _taxonomy(Path(root), problems)
    kinds = _workflow_kinds(Path(root), problems)
    files = sorted(target.rglob("*")) if target.is_dir() else [target]
    if not target.exists():
        problems.add(str(target), 1, "no such file or folder")
    scenario_files = [f for f in files if f.suffix == ".md" and "scenarios" in f.parts]
    for file in files:
        if file.name == "skills.yaml":
            parse_taxonomy(file.read_text(encoding="utf-8"), str(file), problems)
        elif file.name == "course.yaml":
            parse_course(file.parent, set(roles), set(skills), problems)
        elif file.suffix == ".md" and file not in scenario_files and not (file.parent / "course.yaml").exists():
            parse_lesson(file.read_text(encoding="utf-8"), str(file), file.parent.name, set(skills), problems)
    _scenarios(scenario_files, roles, skills, problems, kinds)
    return None, problems.sorted()


def _taxonomy(root: Path, problems: Problems) -> tuple[dict[str, Skill], dict[str, Role]]:
    path = root / TAXONOMY
    if not path.is_file():
        problems.add(str(path), 1, "missing skill taxonomy")
        return {}, {}
    return parse_taxonomy(path.read_text(encoding="utf-8"), str(path), problems)


def _workflow_kinds(root: Path, problems: Problems) -> dict:
    path = root / TAXONOMY
    if not path.is_file():
        return {}
    return parse_workflow_kinds(path.read_text(encoding="utf-8"), str(path), problems)


def _courses(root: Path, roles: dict[str, Role], skills: dict[str, Skill], problems: Problems) -> dict[str, Course]:
    courses: dict[str, Course] = {}
    seen: dict[str, str] = {}
    for folder in sorted(p for p in (root / "curricula").glob("*") if p.is_dir()):
        if folder.name not in roles:
            problems.add(str(folder), 1, f"unknown role '{folder.name}': add it to {TAXONOMY}")
            continue
        course = parse_course(folder, set(roles), set(skills), problems)
        if course is None:
            continue
        for lesson in course.lessons:
            if lesson.id in seen:
                problems.add(lesson.path, 2, f"duplicate lesson id '{lesson.id}' (also in {readable(seen[lesson.id])})")
            seen[lesson.id] = lesson.path
        courses[course.role] = course
    return courses


def _scenarios(
    files: list[Path], roles: dict[str, Role], skills: dict[str, Skill], problems: Problems, kinds: dict
) -> dict[str, Scenario]:
    scenarios: dict[str, Scenario] = {}
    for file in files:
        scenario = parse_scenario(file.read_text(encoding="utf-8"), str(file), set(roles), set(skills), problems)
        if scenario is None:
            continue
        if file.parent.name != scenario.role and file.parent.name in roles:
            problems.add(
                str(file),
                scenario.lines.get("role", 1),
                f"role '{scenario.role}' does not match the folder '{file.parent.name}'",
            )
        for kind in scenario.workflows:
            if kind not in kinds:
                line = scenario.lines.get("workflows", 1)
                problems.add(str(file), line, f"unknown workflow kind '{kind}': add it to {TAXONOMY}")
        state_graph = graph.check(scenario, problems)
        if state_graph is not None:
            graph.check_scoring(scenario, state_graph, problems)
        if scenario.id in scenarios:
            first = readable(scenarios[scenario.id].path)
            problems.add(
                str(file), scenario.lines.get("id", 1), f"duplicate scenario id '{scenario.id}' (also in {first})"
            )
        else:
            scenarios[scenario.id] = scenario
    return scenarios
