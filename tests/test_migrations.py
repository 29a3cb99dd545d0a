"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from support.apps import app_for

from literacy.platform.extensions import db


def test_upgrade_from_empty_matches_the_models_and_downgrades(migration_database):
    app = app_for(migration_database)
    with app.app_context():
        db.drop_all()  # on a shared server, the previous test's tables
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade()
        upgrade()  # idempotent
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection, opts={"render_as_batch": True}), db.metadata)
        assert diff == []
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert db.inspect(connection).get_table_names() == ["alembic_version"]


def test_upgrade_keeps_existing_accounts_signed_in_able(migration_database):
    app = app_for(migration_database)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade(revision="89820ec22a09")  # before session tokens existed
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO users (email, name, password_hash, role, access, created_at)"
                " VALUES ('old@example.com', 'Old', 'x', 'ops', 'learner', '2026-01-01')"
            )
        upgrade()
        with db.engine.connect() as connection:
            active, token = connection.exec_driver_sql("SELECT active, session_token FROM users").one()
        assert active and len(token) == 32
