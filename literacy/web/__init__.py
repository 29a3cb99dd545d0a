"""Blueprints: thin views that parse input, call one service or query of a feature, and render.

Nothing here touches the database directly (tests/test_architecture.py holds that)."""

from flask import Flask, current_app

from literacy.content import Catalogue


def catalogue() -> Catalogue:
    """The validated content catalogue loaded at start-up."""
    return current_app.extensions["catalogue"]


def links_to_show(links: list) -> list:
    """Invitation links for a page to show once: only when no mail server is set (otherwise the
    invitation email carries the link, and the page says it is on its way)."""
    from literacy.mail import sender

    return [] if sender.configured() else links


def register_blueprints(app: Flask) -> None:
    from literacy.platform.access import enforce
    from literacy.web import (
        admin,
        audit,
        auth,
        certification,
        cohorts,
        evidence,
        health,
        insights,
        learn,
        mail,
        menu,
        organisation,
        policy,
        scenarios,
        scim,
        scim_tokens,
        sso,
        workflows,
    )

    @app.context_processor
    def _signed_in_as() -> dict:
        """The header says who is signed in and in which marketing role."""
        from flask_login import current_user

        signed_in = getattr(current_user, "is_authenticated", False)  # emails render outside any request
        role = catalogue().roles.get(current_user.role) if signed_in else None
        return {"role_title": role.name if role else None}

    menu.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(learn.bp)
    app.register_blueprint(scenarios.bp)
    app.register_blueprint(cohorts.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(insights.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(mail.bp)
    app.register_blueprint(organisation.bp)
    app.register_blueprint(workflows.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(policy.bp)
    app.register_blueprint(certification.bp)
    app.register_blueprint(evidence.bp)
    app.register_blueprint(sso.bp)
    app.register_blueprint(scim.bp)
    app.register_blueprint(scim_tokens.bp)
    enforce(app)
