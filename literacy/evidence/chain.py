"""The audit log's hash chain, pure: each entry's hash covers its own fields and the previous
entry's hash, so editing, inserting or deleting a stored entry breaks every hash after it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64  # the "previous hash" of an organisation's first entry


def entry_hash(previous: str, fields: dict) -> str:
    """SHA-256 over the previous hash and the entry's fields in a canonical JSON form."""
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{previous}\n{body}".encode()).hexdigest()


@dataclass(frozen=True)
class Link:
    """One stored entry as the verifier sees it."""

    id: int
    previous: str
    hash: str
    fields: dict


@dataclass(frozen=True)
class Break:
    id: int
    reason: str


def verify(links: Iterable[Link]) -> Break | None:
    """The first entry (in order) whose chain is broken, or None when every link holds."""
    expected = GENESIS
    for link in links:
        if link.previous != expected:
            return Break(link.id, "its previous hash is not the hash of the entry before it (one was removed or added)")
        if entry_hash(link.previous, link.fields) != link.hash:
            return Break(link.id, "its contents no longer match its hash (the entry was changed)")
        expected = link.hash
    return None
