"""What the benchmarks share: which code they measure, and how much memory a process holds.

Side-by-side runs: a benchmark started with ``--code DIR`` imports the ``literacy`` package from DIR
instead of this checkout, so the same script measures an older version of the code in the same run
(``baseline_tree`` checks that version out once into a temporary git worktree). Ratios are only
quoted between runs made this way, interleaved, because these machines are noisy.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The code before issue 18's work on cost and scale: the baseline its targets are measured against.
BASELINE = "876307b"


def use_code(argv: list[str] | None = None) -> Path:
    """The checkout to measure: ``--code DIR`` from the command line (the option is removed from
    ``sys.argv``), else this one. Put it first on sys.path before importing ``literacy``:
    ``sys.path.insert(0, str(use_code()))``."""
    argv = sys.argv if argv is None else argv
    code = ROOT
    if "--code" in argv:
        at = argv.index("--code")
        code = Path(argv[at + 1]).resolve()
        del argv[at : at + 2]
    os.chdir(code)  # the content folders and templates are found relative to the checkout
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
    """Resident memory in MB: of process ``pid`` now (from /proc), or this process's peak."""
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    """The direct child processes of ``pid`` (gunicorn's workers under its arbiter)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []
