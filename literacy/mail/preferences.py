"""Which optional messages a person receives (reminders and nudges, managers' weekly digest)."""

from __future__ import annotations

import logging

from literacy.people.tables import User
from literacy.platform.extensions import db

log = logging.getLogger(__name__)


def unsubscribe(user_id: int, topic: str) -> User | None:
    user = db.session.get(User, user_id)
    if user is None:
        return None
    if topic == "reminders":
        user.reminders_opt_out = True
    elif topic == "digest":
        user.digest_opt_in = False
    db.session.flush()
    log.info("unsubscribed: user=%s topic=%s", user.id, topic)
    return user
