"""AI-literacy training for marketing teams: the application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from literacy import content
from literacy.platform.cookie_sessions import RememberedCookieSessions
from literacy.platform.extensions import csrf, db, login_manager, mailer, migrate
from literacy.platform.settings import PROJECT_ROOT, from_environment
from literacy.platform.transactions import App


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings -> extensions -> content catalogue -> blueprints -> CLI.

    Raises :class:`platform.settings.ConfigError` for a bad setting and
    :class:`content.ContentError` when the content is invalid, so neither ever serves a page.
    """
    app = App(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.session_interface = RememberedCookieSessions()
    app.config.update(from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["TRUSTED_PROXIES"]:
        # Behind N reverse proxies the client's address and scheme come from their headers; without
        # this every client shares the proxy's address, and so one sign-in throttle.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from literacy.platform.database import configure_engine, import_tables

    import_tables()

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"], app.config["SQLITE_SYNCHRONOUS"])
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    from literacy.people import sessions
    from literacy.platform import form_tokens

    login_manager.user_loader(sessions.load)  # the login cookie holds "id:token:signed-in-at"
    sessions.init_app(app)
    csrf.init_app(app)
    form_tokens.init_app(app)
    mailer.init_app(app)

    app.extensions["catalogue"] = content.load(app.config["CONTENT_ROOT"], app.config["CONTENT_CACHE"] or None)
    app.jinja_env.add_extension("jinja2.ext.do")

    from literacy.platform.access import bound_ids
    from literacy.web import register_blueprints

    bound_ids(app)
    register_blueprints(app)
    csrf.exempt("literacy.web.mail.unsubscribe")  # one-click unsubscribe (RFC 8058) carries a signed token instead
    from literacy.web import scim as scim_api

    csrf.exempt(scim_api.bp)  # SCIM clients authenticate with a bearer token, never a session

    from literacy.platform import errors, observability, security

    errors.init_app(app)
    security.init_app(app)
    observability.init_app(app)

    from literacy.cli import register_commands

    register_commands(app)
    return app
