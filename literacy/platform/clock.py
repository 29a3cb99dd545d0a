"""The platform's clock: naive UTC timestamps, as every table stores them. Pure."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
