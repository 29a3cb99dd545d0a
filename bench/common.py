"""What the benchmarks share: which code they measure, and how much memory a process holds.

Side-by-side runs: a benchmark started with ``--code DIR`` imports the ``literacy`` package from DIR
instead of this checkout, so the same script measures an older version of the code in the same run
(``baseline_tree`` checks that version out once into a temporary git worktree). Ratios are only
quoted between runs made this way, interleaved, because these machines are noisy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The code before issue 18's work on cost and scale: the baseline its targets are measured against.
BASELINE = "876307b"


_chosen: list[Path] = []  # the checkout picked by the first call (a benchmark importing another)


def use_code(argv: list[str] | None = None) -> Path:
    """The checkout to measure: ``--code DIR`` from the command line (the option is removed from
    ``sys.argv``), else this one; later calls return the same. Put it first on sys.path before
    importing ``literacy``: ``sys.path.insert(0, str(use_code()))``."""
    if _chosen:
        return _chosen[0]
    argv = sys.argv if argv is None else argv
    code = ROOT
    if "--code" in argv:
        at = argv.index("--code")
        code = Path(argv[at + 1]).resolve()
        del argv[at : at + 2]
    os.chdir(code)  # the content folders and templates are found relative to the checkout
    _chosen.append(code)
    return code


def baseline_tree(rev: str = BASELINE) -> Path | None:
    """A worktree of ``rev`` for side-by-side runs (created once, reused); None when git or the
    revision is not available (a shallow clone), in which case the comparison is skipped."""
    tree = Path(os.environ.get("TMPDIR", "/tmp")) / f"literacy-baseline-{rev}"
    if (tree / "literacy").is_dir():
        return tree
    done = subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--force", str(tree), rev],
        capture_output=True,
        text=True,
    )
    return tree if done.returncode == 0 else None


def rss_mb(pid: int | None = None) -> float:
    """Resident memory in MB: of process ``pid`` now, or this process's peak (VmHWM: unlike
    getrusage's maxrss, it does not carry over the parent's peak into a freshly started child)."""
    if pid is None:
        return _proc_kb("/proc/self/status", "VmHWM:") / 1024
    return _proc_kb(f"/proc/{pid}/status", "VmRSS:") / 1024


def pss_mb(pid: int) -> float:
    """Proportional memory in MB: pages shared with other processes (gunicorn's forked workers)
    counted in part, so the figures of all workers add up to what they really use together."""
    return _proc_kb(f"/proc/{pid}/smaps_rollup", "Pss:") / 1024


def _proc_kb(path: str, field: str) -> int:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith(field)), 0)


def children(pid: int) -> list[int]:
    """The direct child processes of ``pid`` (gunicorn's workers under its arbiter)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def result_line(figures: dict) -> str:
    """The line a benchmark prints last for :func:`interleaved` to read."""
    return "RESULT " + json.dumps(figures)


def interleaved(script: str, argv: list[str], rounds: int, show) -> dict[str, list[dict]] | None:
    """Run ``bench/<script>`` (with ``argv`` less its ``--versus N``) ``rounds`` times against the
    baseline and this checkout, alternately,
    each in its own process; {"baseline": [figures ...], "now": [...]}, calling ``show(name, figures)``
    after each run. None when the baseline revision is not available."""
    tree = baseline_tree()
    if tree is None:
        print("baseline revision not available (a shallow clone?): measured this checkout only")
        return None
    argv = [a for i, a in enumerate(argv) if a != "--versus" and (i == 0 or argv[i - 1] != "--versus")]
    found: dict[str, list[dict]] = {"baseline": [], "now": []}
    for _ in range(rounds):
        for name, code in (("baseline", tree), ("now", ROOT)):
            command = [sys.executable, str(ROOT / "bench" / script), *argv, "--code", str(code)]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            figures = json.loads(done.stdout.split("RESULT ", 1)[1].splitlines()[0])
            found[name].append(figures)
            show(name, figures)
    return found
