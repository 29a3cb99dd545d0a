"""Parsed content kept on disk between processes, so that a process starts without parsing it again.

Parsing and validating ten roles' content takes several seconds of CPU, and every process pays it
at start: each gunicorn master, CLI command, worker process and test server. A catalogue that
passed validation is pickled into a folder under a key that covers everything the result depends
on: the relative path and bytes of every content file, the source of this package (the parsers,
the checks and the types), and the versions of Python and of the libraries that read YAML and
render and clean Markdown. Changing any of them gives a new key, so a stale catalogue is never
read. Invalid content is never kept: it is parsed, and its problems reported, at every start.

A kept file that cannot be read or unpickled is parsed again, and a folder that cannot be written
only costs the time. The folder must be as trusted as the code (unpickling can run code): by
default it is in the instance folder, beside the SQLite database, with the same owner.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from literacy.content.types import Catalogue

log = logging.getLogger(__name__)
FOLDERS = ("curricula", "scenarios")
LIBRARIES = ("Markdown", "nh3", "PyYAML")  # what the parsers call: their output is part of the result
MOST_KEPT = 4  # a few content roots (the shipped one, a test's); older files are removed


def content_files(root: Path) -> list[Path]:
    """Every file under the content folders of ``root``, in a stable order."""
    return sorted(p for folder in FOLDERS for p in (root / folder).rglob("*") if p.is_file())


def key(root: Path) -> str:
    """A digest of everything a parsed catalogue of ``root`` depends on."""
    digest = hashlib.sha256()
    versions = [sys.version, str(pickle.HIGHEST_PROTOCOL), *(metadata.version(name) for name in LIBRARIES)]
    digest.update("\0".join(versions).encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        _add(digest, source.name, source)
    for path in content_files(root):
        _add(digest, path.relative_to(root).as_posix(), path)
    return digest.hexdigest()


def _add(digest, name: str, path: Path) -> None:
    data = path.read_bytes()
    digest.update(f"\0{name}\0{len(data)}\0".encode())
    digest.update(data)


def load(root: Path, folder: Path, parse: Callable[[Path], Catalogue]) -> Catalogue:
    """The catalogue kept for ``root``'s current content, or ``parse(root)`` kept for next time."""
    name = key(root)
    kept = _read(folder / f"catalogue-{name}.pickle")
    if kept is not None:
        return kept
    catalogue = parse(root)  # raises ContentError for invalid content, which is never kept
    _write(folder, f"catalogue-{name}.pickle", catalogue)
    return catalogue


def _read(path: Path) -> Catalogue | None:
    try:
        with path.open("rb") as file:
            found = pickle.load(file)
    except FileNotFoundError:
        return None
    except Exception as error:  # a truncated or foreign file: parse instead, never fail to start
        log.warning("content cache %s not used: %s: %s", path, type(error).__name__, error)
        return None
    return found if isinstance(found, Catalogue) else None


def _write(folder: Path, name: str, catalogue: Catalogue) -> None:
    written = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # written beside its final name, then renamed: a parallel start reads a whole file or none
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".catalogue-", suffix=".tmp", delete=False) as file:
            written = Path(file.name)
            pickle.dump(catalogue, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(written, folder / name)
        _prune(folder)
    except Exception as error:  # a full disk, a read-only folder, an object pickle refuses: never fail to start
        log.warning("content cache not written to %s: %s: %s", folder, type(error).__name__, error)
        if written is not None:
            written.unlink(missing_ok=True)


def _prune(folder: Path) -> None:
    kept = sorted(folder.glob("catalogue-*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in kept[MOST_KEPT:]:
        old.unlink(missing_ok=True)
