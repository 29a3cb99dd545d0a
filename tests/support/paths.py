"""Where things are."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the project: the shipped content, app.py, bench/
FIXTURES = ROOT / "tests" / "fixtures"
TINY = FIXTURES / "tiny"  # one role, two skills, two lessons and the five-node scenario 'ops-send'
