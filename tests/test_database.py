"""The database helpers every request relies on (platform/database.py)."""

from __future__ import annotations

from sqlalchemy import update

from literacy.people.tables import User
from literacy.platform.database import loader_by_id
from literacy.platform.extensions import db


def test_a_loader_by_id_finds_the_row_and_nobody_for_an_unknown_id(app, make_user):
    user_id = make_user("found@example.com")
    load = loader_by_id(User)
    with app.app_context():
        assert load(user_id).email == "found@example.com"
        assert load(user_id + 1000) is None


def test_a_loader_by_id_sees_what_was_committed_since_and_keeps_one_object_per_row(app, make_user):
    """The statement is built once, but each load reads the database: a name changed by another
    transaction shows at the next request, and within one session the row stays one object."""
    user_id = make_user("renamed@example.com")
    load = loader_by_id(User)
    with app.app_context():
        assert load(user_id).name != "New name"
        db.session.remove()  # the request ends
        with db.engine.begin() as other:
            other.execute(update(User).where(User.id == user_id).values(name="New name"))
        loaded = load(user_id)
        assert loaded.name == "New name"
        assert db.session.get(User, user_id) is loaded
