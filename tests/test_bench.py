"""The benchmarks still run (at toy sizes): a benchmark that rots silently measures nothing."""

import re
import subprocess
import sys

import pytest
from support.paths import ROOT

pytestmark = pytest.mark.own_database  # every benchmark builds its own SQLite database


def run(*args: str) -> str:
    result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_cohort_dashboard_benchmark():
    assert "dashboard page, server side:" in run(
        "bench/cohort_dashboard.py", "--learners", "30", "--attempts", "2", "--runs", "1", "--rounds", "1"
    )


def test_people_benchmark():
    out = run("bench/people.py", "--people", "30", "--teams", "3", "--runs", "1")
    assert "people page, first page, server side:" in out and "people query, team filter:" in out


def test_workflow_registry_benchmark():
    out = run("bench/workflows.py", "--workflows", "10", "--operators", "40", "--runs", "1")
    assert re.search(r"^registry readiness, 10 workflows, 40 operators: \d+ ms", out, re.M)
    assert "registry page, server side:" in out and "one workflow's page, server side:" in out


def test_evidence_pack_benchmark():
    out = run("bench/evidence.py", "--people", "20", "--attempts", "2")
    assert re.search(r"^PDF pack for 20 people \(gather and render\): [\d.]+ s, [\d.]+ MB, \d+ pages", out, re.M)


def test_rollup_benchmark():
    out = run(
        "bench/rollup.py",
        "--sizes",
        "60",
        "90",
        "--attempts",
        "4",
        "--runs",
        "1",
        "--rounds",
        "1",
        "--baseline-sizes",
        "60",
    )
    assert re.search(r"^\s+60\s+now\s+\d+ ms", out, re.M) and re.search(r"^\s+90\s+now\s+\d+ ms", out, re.M)
    assert "peak RSS" in out
    if "baseline" in out:  # where git has the baseline revision, it is measured on the same database
        assert re.search(r"^\s+60\s+baseline\s+\d+ ms", out, re.M)
        assert not re.search(r"^\s+90\s+baseline", out, re.M)  # measured at the sizes asked for only


def test_load_benchmark_reconciles_every_choice():
    out = run("bench/load.py", "--learners", "3", "--seconds", "4", "--no-think")
    assert "5xx or failed connections: 0" in out
    assert re.search(r"memory per gunicorn worker \(RSS, ten roles of content loaded\): \d+ MB, \d+ MB", out)
    assert re.search(
        r"choices acknowledged to clients: [1-9]\d*; choice rows in the database: \d+; lost: 0; extra rows: 0", out
    ), out


def test_throughput_benchmark():
    out = run("bench/throughput.py", "--connections", "2", "--seconds", "1")
    assert re.search(r"ratio: the scenario step runs at \d+% of the bare route's rate", out)
    assert out.count("non-200: 0") == 2


def test_writer_queue_benchmark():
    out = run("bench/writer_queue.py", "--hold", "2", "--writes", "20")
    for name in ("SQLite's busy handler", "writers' queue"):
        assert re.search(rf"{name}: wait p50 [\d.]+ ms, p99 [\d.]+ ms, worst [\d.]+ ms", out), out
