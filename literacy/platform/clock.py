"""The platform's clock: naive UTC timestamps, as every table stores them. Pure."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
