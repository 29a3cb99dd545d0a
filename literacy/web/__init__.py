"""Blueprints: thin views that parse input, call one service or query of a feature, and render.

Nothing here touches the database directly (tests/test_architecture.py holds that)."""

from flask import Flask, current_app

from literacy.content import Catalogue


def catalogue() -> Catalogue:
    """The validated content catalogue loaded at start-up."""
    return current_app.extensions["catalogue"]


def register_blueprints(app: Flask) -> None:
    from literacy.platform.access import enforce
    from literacy.web import admin, auth, cohorts, health, insights, learn, scenarios

    app.register_blueprint(auth.bp)
    app.register_blueprint(learn.bp)
    app.register_blueprint(scenarios.bp)
    app.register_blueprint(cohorts.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(insights.bp)
    app.register_blueprint(health.bp)
    enforce(app)
