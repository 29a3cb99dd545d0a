"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from support.apps import app_for

from literacy.platform.extensions import db


def _database_at(revision: str = "head") -> None:
    """The schema of ``revision``, migrated up from nothing: no table of an earlier test (on a shared
    server) left, not even Alembic's version."""
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(revision=revision)


def test_upgrade_from_empty_matches_the_models_and_downgrades(migration_database):
    app = app_for(migration_database)
    with app.app_context():
        _database_at()
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
        _database_at("89820ec22a09")  # before session tokens existed
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO users (email, name, password_hash, role, access, created_at)"
                " VALUES ('old@example.com', 'Old', 'x', 'ops', 'learner', '2026-01-01')"
            )
        upgrade()
        with db.engine.connect() as connection:
            active, token = connection.exec_driver_sql("SELECT active, session_token FROM users").one()
        assert active and len(token) == 32


def test_existing_attempts_become_assessed_or_practice_and_evidence_follows(migration_database):
    """The first started attempt per learner and scenario is assessed (the first finished one when
    the first started never finished); evidence is rebuilt from the assessed attempts."""
    app = app_for(migration_database)
    with app.app_context():
        _database_at("c4e2a1b8d5f3")  # before attempt kinds
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO users (id, email, name, password_hash, role, access, created_at, active, session_token,"
                " order_seed) VALUES (1, 'a@example.com', 'A', 'x', 'ops', 'learner', '2026-01-01', TRUE, 't', 1)"
            )
            # scenario s1: first finished (assessed), then a replay; s2: first abandoned, then finished twice
            for attempt_id, scenario, finished in [
                (1, "s1", "2026-02-01"),
                (2, "s1", "2026-03-01"),
                (3, "s2", None),
                (4, "s2", "2026-04-01"),
                (5, "s2", "2026-05-01"),
            ]:
                connection.execute(
                    db.text(
                        "INSERT INTO attempts (id, user_id, scenario_id, role, content_version, node_id, step,"
                        " flags_json, totals_json, started_at, updated_at, finished_at, order_seed) VALUES (:id, 1,"
                        " :scenario, 'ops', 'v', 'end', 2, '[]', '{}', '2026-01-01', '2026-01-01', :finished, 1)"
                    ),
                    {"id": attempt_id, "scenario": scenario, "finished": finished},
                )
                if finished:  # a score per finished attempt, and steps that must survive the table rebuilds
                    values = {"id": attempt_id, "score": attempt_id * 10}
                    connection.execute(
                        db.text(
                            "INSERT INTO skill_scores (attempt_id, skill_id, total, score)"
                            " VALUES (:id, 'data', 1, :score)"
                        ),
                        values,
                    )
            connection.exec_driver_sql(
                "INSERT INTO lesson_completions (user_id, lesson_id, completed_at) VALUES (1, 'first', '2026-01-02')"
            )
        upgrade()
        with db.engine.connect() as connection:
            kinds = dict(connection.exec_driver_sql("SELECT id, kind FROM attempts").all())
            kept = connection.exec_driver_sql("SELECT count(*) FROM skill_scores").scalar()
            completions = connection.exec_driver_sql("SELECT count(*) FROM lesson_completions").scalar()
            evidence = dict(connection.exec_driver_sql("SELECT scenario_id, attempt_id FROM evidence").all())
        assert kinds == {1: "assessed", 2: "practice", 3: "practice", 4: "assessed", 5: "practice"}
        assert evidence == {"s1": 1, "s2": 4}
        assert (kept, completions) == (4, 1)  # rebuilding attempts and users deleted nothing that refers to them


def _add_learner(connection) -> None:
    """User 1, a learner, in the schema of d9e0f1a2b3c4."""
    connection.exec_driver_sql(
        "INSERT INTO users (id, email, name, password_hash, role, access, created_at, active, session_token,"
        " order_seed, external) VALUES (1, 'a@example.com', 'A', 'x', 'ops', 'learner', '2026-01-01', TRUE,"
        " 't', 1, FALSE)"
    )


def test_a_database_with_evidence_waits_for_a_rebuild_of_the_track_sums(migration_database):
    """The kept sums over each learner's track need the content catalogue: a database that already
    has evidence is marked for 'flask rollups rebuild', so the pages read the live queries until then,
    and the sums are not marked as built."""
    app = app_for(migration_database)
    with app.app_context():
        _database_at("d9e0f1a2b3c4")  # before the track sums
        with db.engine.begin() as connection:
            _add_learner(connection)
            connection.exec_driver_sql(
                "INSERT INTO attempts (id, user_id, scenario_id, role, content_version, node_id, step, flags_json,"
                " totals_json, started_at, updated_at, finished_at, order_seed, kind) VALUES (1, 1, 's1', 'ops', 'v',"
                " 'end', 2, '[]', '{}', '2026-01-01', '2026-01-01', '2026-01-02', 1, 'assessed')"
            )
            connection.exec_driver_sql(
                "INSERT INTO evidence (user_id, scenario_id, skill_id, attempt_id, score, earned, available,"
                " finished_at) VALUES (1, 's1', 'data', 1, 50, 2.0, 4, '2026-01-02')"
            )
            connection.exec_driver_sql("UPDATE totals_state SET fingerprint = 'built for this content'")
        upgrade()
        with db.engine.connect() as connection:
            state = connection.exec_driver_sql("SELECT fingerprint, sums_built_at FROM totals_state").one()
            sums = connection.exec_driver_sql("SELECT count(*) FROM track_skill_points").scalar()
        assert (tuple(state), sums) == (("rebuild", None), 0)


def test_the_track_sums_wait_for_a_rebuild_once_there_are_people(migration_database):
    """Servers of the earlier release may still write evidence while the new ones start: with people
    but no evidence yet the totals stay as built, and the track sums wait for a rebuild; an empty
    database has nothing to sum, so its sums count as built with the totals."""
    app = app_for(migration_database)
    with app.app_context():
        found = {}
        for people in (False, True):
            _database_at("d9e0f1a2b3c4")
            with db.engine.begin() as connection:
                connection.exec_driver_sql("UPDATE totals_state SET fingerprint = 'built for this content'")
                if people:
                    _add_learner(connection)
            upgrade()
            with db.engine.connect() as connection:
                query = "SELECT fingerprint, sums_built_at = built_at, sums_built_at IS NULL FROM totals_state"
                found[people] = tuple(connection.exec_driver_sql(query).one())
    assert found == {False: ("built for this content", True, False), True: ("built for this content", None, True)}
