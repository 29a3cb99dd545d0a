"""Single sign-on against a real OpenID provider on loopback (``make test-sso`` installs it): the provider
runs once for the session; each test gets a fresh app on a clean database, served on one loopback port
(the redirect URI the provider has registered), and a world file saying who may sign in."""

from __future__ import annotations

import threading

import pytest
from support.oidc import Provider, installed
from werkzeug.serving import make_server


class Switch:
    """A WSGI app that hands each request to the current test's app."""

    target = None

    def __call__(self, environ, start_response):
        return self.target(environ, start_response)


@pytest.fixture(scope="session")
def app_server():
    switch = Switch()
    server = make_server("127.0.0.1", 0, switch, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield switch, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def provider_process(tmp_path_factory, app_server):
    if not installed():
        pytest.fail(
            "no oidc-provider in tests/sso/node_modules: run these tests with 'make test-sso', which installs it"
        )
    provider = Provider(tmp_path_factory.mktemp("oidc-provider"), app_server[1])
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def provider(provider_process):
    """The provider, up (a test may have stopped it), with nobody in its world until the test says who."""
    if not provider_process.running:
        provider_process.start()
    provider_process.world()
    yield provider_process
    provider_process.world()


@pytest.fixture
def site(app, app_server):
    """The base URL at which this test's app answers."""
    switch, base = app_server
    switch.target = app
    yield base
    switch.target = None
