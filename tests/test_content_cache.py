"""Parsed content kept between processes: read back only for the same files and code, never invalid."""

from __future__ import annotations

import logging
import pickle
import shutil
import subprocess
import sys

import pytest

from literacy.content import ContentError, cache, catalogue
from literacy.content.catalogue import _load as parse
from tests.support.apps import bare_app
from tests.support.paths import ROOT, TINY


@pytest.fixture
def root(tmp_path):
    """A copy of the tiny content root that a test may change."""
    copy = tmp_path / "content"
    shutil.copytree(TINY, copy)
    return copy


class Parses:
    """``catalogue._load``, counting its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, root):
        self.calls += 1
        return parse(root)


def test_a_later_process_reads_the_kept_catalogue_instead_of_parsing(root, tmp_path):
    folder, parses = tmp_path / "kept", Parses()
    first = cache.load(root, folder, parses)
    again = cache.load(root, folder, parses)  # what the next process does: the memo is per process
    assert parses.calls == 1
    assert again is not first and again == first == parse(root)
    assert [p.name for p in folder.iterdir()] == [f"catalogue-{cache.key(root)}.pickle"]


def test_a_changed_content_file_is_parsed_again(root, tmp_path):
    folder, parses = tmp_path / "kept", Parses()
    before = cache.load(root, folder, parses)
    lesson = next((root / "curricula").rglob("*.md"))
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("\n\n", "\n\nA new paragraph.\n\n", 1))
    after = cache.load(root, folder, parses)
    assert parses.calls == 2
    assert after != before and after == parse(root)


def test_a_renamed_file_or_another_library_version_gives_another_key(root, monkeypatch):
    key = cache.key(root)
    scenario = next((root / "scenarios").rglob("*.md"))
    scenario.rename(scenario.with_name("renamed-" + scenario.name))
    renamed = cache.key(root)
    assert renamed != key
    monkeypatch.setattr(cache.metadata, "version", lambda name: "0-other")
    assert cache.key(root) not in (key, renamed)


def test_invalid_content_is_never_kept(root, tmp_path):
    folder = tmp_path / "kept"
    (root / "curricula" / "skills.yaml").write_text("roles: [\n", encoding="utf-8")
    for _ in range(2):  # reported at every start, not only the first
        with pytest.raises(ContentError):
            cache.load(root, folder, parse)
    assert not folder.exists() or not list(folder.iterdir())


def test_a_damaged_kept_file_is_parsed_again_with_a_warning(root, tmp_path, caplog):
    folder, parses = tmp_path / "kept", Parses()
    cache.load(root, folder, parses)
    kept = folder / f"catalogue-{cache.key(root)}.pickle"
    kept.write_bytes(kept.read_bytes()[:1000])
    with caplog.at_level(logging.WARNING, logger="literacy.content.cache"):
        found = cache.load(root, folder, parses)
    assert parses.calls == 2 and found == parse(root)
    assert "content cache" in caplog.text and "not used" in caplog.text
    assert pickle.loads(kept.read_bytes()) == found  # written again, whole


def test_a_folder_that_cannot_be_written_only_costs_the_parse(root, tmp_path, caplog):
    taken = tmp_path / "a-file"
    taken.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="literacy.content.cache"):
        found = cache.load(root, taken, parse)
    assert found == parse(root)
    assert "content cache not written" in caplog.text


def test_only_the_newest_few_catalogues_are_kept(root, tmp_path):
    folder = tmp_path / "kept"
    keys = []
    for number in range(cache.MOST_KEPT + 2):
        (root / "curricula" / "tiny-notes.txt").write_text(f"version {number}")
        cache.load(root, folder, parse)
        keys.append(cache.key(root))
    assert sorted(p.name for p in folder.glob("catalogue-*")) == sorted(
        f"catalogue-{key}.pickle" for key in keys[-cache.MOST_KEPT :]
    )
    assert not list(folder.glob(".catalogue-*"))  # no temporary file left behind


def test_the_app_keeps_its_content_in_the_configured_folder(tmp_path, monkeypatch):
    folder = tmp_path / "kept"
    monkeypatch.setattr(catalogue, "_loaded", {})  # as in a new process (this one may have loaded it)
    app = bare_app(tmp_path, CONTENT_CACHE=str(folder))
    assert [p.name for p in folder.iterdir()] == [f"catalogue-{cache.key(TINY)}.pickle"]
    assert pickle.loads(next(folder.iterdir()).read_bytes()) == app.extensions["catalogue"]


def test_the_content_check_parses_the_files_even_when_a_catalogue_is_kept(root, tmp_path, monkeypatch):
    """A kept catalogue that says something else (as a stale one would) does not change the check."""
    folder = tmp_path / "kept"
    kept = parse(root)
    kept.scenarios.clear()
    folder.mkdir()
    (folder / f"catalogue-{cache.key(root)}.pickle").write_bytes(pickle.dumps(kept))
    monkeypatch.setattr(catalogue, "_loaded", {})  # as in a new process; the doctored one goes with it
    app = bare_app(tmp_path, content_root=root, CONTENT_CACHE=str(folder))
    assert app.extensions["catalogue"].scenarios == {}  # the app did read the kept file
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "1 scenarios" in result.output


PARSES_IN_A_NEW_PROCESS = """
import sys
from pathlib import Path
from literacy.content import cache, catalogue
calls = []
def parsing(root):
    calls.append(root)
    return catalogue._load(root)
cache.load(Path(sys.argv[1]), Path(sys.argv[2]), parsing)
print(len(calls))
"""


def test_a_new_process_starts_from_the_kept_catalogue(tmp_path):
    """Two real processes: the first parses and keeps, the second reads the kept file."""
    command = [sys.executable, "-c", PARSES_IN_A_NEW_PROCESS, str(TINY), str(tmp_path / "kept")]
    runs = [subprocess.run(command, cwd=ROOT, capture_output=True, text=True) for _ in range(2)]
    assert [run.stdout.strip() for run in runs] == ["1", "0"], [run.stderr for run in runs]


def test_a_catalogue_that_cannot_be_pickled_still_starts_and_leaves_no_file(root, tmp_path, monkeypatch, caplog):
    folder = tmp_path / "kept"

    def refuses(*_args, **_kwargs):
        raise pickle.PicklingError("a lambda in the content")

    monkeypatch.setattr(cache.pickle, "dump", refuses)
    with caplog.at_level(logging.WARNING, logger="literacy.content.cache"):
        found = cache.load(root, folder, parse)
    assert found == parse(root)
    assert "PicklingError" in caplog.text
    assert list(folder.iterdir()) == []
