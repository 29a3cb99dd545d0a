"""A real Ralph LRS on loopback, started and stopped by the tests (``make test-lrs`` installs it).

The server and its helpers are in tests/support/lrs.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.lrs import LRS, RALPH_PYTHON, write_auth_file


@pytest.fixture(scope="session")
def auth_file(tmp_path_factory) -> Path:
    """Credentials made the documented way, with ``ralph auth``."""
    if not RALPH_PYTHON.exists():
        pytest.fail(f"no Ralph at {RALPH_PYTHON}: run these tests with 'make test-lrs', which installs it")
    return write_auth_file(tmp_path_factory.mktemp("ralph-auth"))


@pytest.fixture
def lrs(tmp_path, auth_file):
    server = LRS(tmp_path / "lrs", auth_file)
    server.start()
    yield server
    server.stop()
