"""The app on a real HTTP server on loopback, for SCIM clients: the shipped content (ten marketing
roles), an organisation with a token, another organisation with its own (``make test-scim``)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import pytest
from support import make
from support.apps import app_for
from support.database import fresh_sqlite
from support.paths import ROOT
from werkzeug.serving import make_server

from literacy.identity import tokens


@dataclass(frozen=True)
class Server:
    base_url: str  # the SCIM base URL, as an identity provider is given it
    secret: str  # Acme's token
    other_secret: str  # Globex's token


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    app = app_for(fresh_sqlite(tmp_path_factory.mktemp("scim")), ROOT, TESTING=False, SECRET_KEY="scim")
    with make.saved(app):
        acme, globex = make.organization("Acme", "acme"), make.organization("Globex", "globex")
        make.user("admin@acme.example", org=acme, access="admin", role="marketing-ops")
        make.user("someone@globex.example", org=globex)
        secret = tokens.create(acme.id, "scim2-tester", created_by="")[1]
        other = tokens.create(globex.id, "Globex", created_by="")[1]
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request in the output
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield Server(f"http://127.0.0.1:{http.server_port}/scim/v2", secret, other)
    http.shutdown()
