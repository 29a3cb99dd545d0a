"""Sign-in and registration throttling (OWASP ASVS 4.0 2.2.1), counted in the database so it holds
across server processes. The ``login_failures`` table keeps one row per counted event, keyed by what
it counts:

- ``pair:<email>|<address>``: one client address guessing one account. After ``pair`` failures in
  the window that address waits until the oldest of them leaves the window. The account's owner,
  signing in from anywhere else, does not.
- ``address:<address>``: one address guessing many accounts (password spraying), same rule.
- ``account:<email>``: guesses at one account from every untrusted client together. The account
  is never locked: after ``free`` failures each further attempt waits twice as long after the last
  failure as the one before (1, 2, 4 ... seconds, at most ``max_delay``), which holds an attacker
  with endless addresses to about 60 guesses an hour.
- ``device:<nonce>``: a browser that signed in to the account before (a signed device cookie, see
  ``devices``). It is throttled on its own count alone, so guesses from elsewhere never keep the
  owner out.
- ``register:<address>``, ``reset:<address>``, ``reset-account:<id>``: accounts created and
  password resets asked for, per address and per account (``over_limit``).

Records are kept for ``RETENTION`` (longer than any window), then pruned as new ones arrive.

Each attempt is counted once before its password is checked (a client that must wait costs no hash)
and again after, holding a lock named after the account until its failure is recorded, so parallel
guesses take turns: each sees the failures of those before it (``checked``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select

from literacy.people.tables import LoginFailure
from literacy.platform.clock import utcnow
from literacy.platform.database import lock_name
from literacy.platform.extensions import db

RETENTION = timedelta(hours=1)


@dataclass(frozen=True)
class Limits:
    pair: int  # failures from one address (or one trusted device) at one account
    address: int  # failures from one address across accounts
    free: int  # failures at one account from untrusted clients before delays begin
    max_delay: int  # seconds: the longest delay between guesses at one account
    window: timedelta  # how long a failure counts


@dataclass(frozen=True)
class Client:
    """Who is signing in to which account: the address, and the device nonce if the browser is trusted."""

    email: str
    address: str
    device: str | None = None

    def keys(self) -> dict[str, str]:
        if self.device:
            return {"device": f"device:{self.device}"}
        return {
            "pair": f"pair:{self.email}|{self.address}",
            "address": f"address:{self.address}",
            "account": f"account:{self.email}",
        }


def delay_seconds(failures: int, free: int, max_delay: int) -> int:
    """How long after the last failure the next guess at an account must wait: 0 for the first
    ``free`` failures, then 1, 2, 4 ... seconds, never more than ``max_delay``. Pure."""
    if failures < free:
        return 0
    return min(2 ** min(failures - free, 30), max_delay)


def until_allowed(times: list[datetime], limit: int, window: timedelta, now: datetime) -> float:
    """Seconds until fewer than ``limit`` of the failures at ``times`` (oldest first) lie in the
    window; 0 when that is already so. Pure."""
    recent = [at for at in times if at > now - window]
    if len(recent) < limit:
        return 0
    return (recent[len(recent) - limit] + window - now).total_seconds()


def checked(client: Client, limits: Limits, check: Callable[[], bool]) -> tuple[int, bool]:
    """Run ``check`` (the slow password hash) unless the client must wait, then take the account's
    lock (held until the request's transaction ends) and count again: (seconds to wait, whether the
    check passed). The hash runs before the lock, because on SQLite the lock is the database's write
    lock, which no other request could take meanwhile; the count under the lock decides, so guesses
    made in parallel still take turns and one over the limit is refused whatever its password."""
    wait = _wait_seconds(client, limits)
    if wait:
        return wait, False
    passed = check()
    lock_name(f"sign-in:{client.email}")
    wait = _wait_seconds(client, limits)
    return wait, passed and not wait


def _wait_seconds(client: Client, limits: Limits) -> int:
    """How many seconds this client must wait before its password is checked (0: check it now)."""
    now, keys = utcnow(), client.keys()
    times = _failure_times(list(keys.values()), now - limits.window)
    waits = [0.0]
    if "device" in keys:
        waits.append(until_allowed(times[keys["device"]], limits.pair, limits.window, now))
    else:
        waits.append(until_allowed(times[keys["pair"]], limits.pair, limits.window, now))
        waits.append(until_allowed(times[keys["address"]], limits.address, limits.window, now))
        account = times[keys["account"]]
        if account:
            delay = delay_seconds(len(account), limits.free, limits.max_delay)
            waits.append((account[-1] + timedelta(seconds=delay) - now).total_seconds())
    return max(0, int(-(-max(waits) // 1)))  # whole seconds, rounded up


def _failure_times(keys: list[str], since: datetime) -> dict[str, list[datetime]]:
    rows = db.session.execute(
        select(LoginFailure.key, LoginFailure.at)
        .where(LoginFailure.key.in_(keys), LoginFailure.at > since)
        .order_by(LoginFailure.at)
    )
    times: dict[str, list[datetime]] = {key: [] for key in keys}
    for key, at in rows:
        times[key].append(at)
    return times


def failed(client: Client) -> None:
    now = utcnow()
    _prune(now)
    db.session.add_all(LoginFailure(key=key, at=now) for key in client.keys().values())
    db.session.flush()


def succeeded(email: str, device: str | None) -> None:
    """Forget the account's failures (from every address) and the signing-in device's."""
    keys = [f"account:{email}"] + ([f"device:{device}"] if device else [])
    db.session.execute(
        delete(LoginFailure).where(or_(LoginFailure.key.in_(keys), LoginFailure.key.startswith(f"pair:{email}|")))
    )


def over_limit(key: str, *, limit: int, window: timedelta) -> bool:
    """True when ``key`` was counted ``limit`` times within the window (registrations per address,
    password resets per address and per account)."""
    now = utcnow()
    return until_allowed(_failure_times([key], now - window)[key], limit, window, now) > 0


def count(key: str) -> None:
    now = utcnow()
    _prune(now)
    db.session.add(LoginFailure(key=key, at=now))


def _prune(now: datetime) -> None:
    """Drop records that no longer count (none counts for longer than ``RETENTION``), so the table
    stays as small as the current attacks."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.at <= now - RETENTION))
