"""The test kit: what tests need to build data and drive the app, in one place.

- ``paths``: the project root and the test fixtures (``TINY``, the one-role content most tests run on).
- ``database``: the schema built once per session, and a clean database for each app.
- ``apps``: ``make_app`` (an app on a clean database), ``app_for`` (an app on a database you name).
- ``make``: factories for organisations, teams, users, cohorts, attempts and lesson completions,
  and ``saved``, the app context that commits them.
- ``worlds``: ``two_organisations``, the cast the access tests are written for.
- ``browser``: ``Browser``, a test client that submits forms as a person's browser does (CSRF token included).
- ``journeys``: signing up and in, playing a scenario, answering a knowledge check, importing a roster,
  all through the web pages.
- ``remote``: a browser over real HTTP, for a server in another process; ``free_port``.
- ``scenarios``: parsing scenario Markdown and comparing scenarios, for the Twine tests.
- ``oidc``: a real OpenID provider on loopback (``make test-sso``) and a browser that signs in through it.

Tests import it as ``support`` (pytest puts ``tests/`` on ``sys.path``, as the folder of the root conftest).
"""

PASSWORD = "correct horse battery"  # every test account's password, unless a test says otherwise

# Paths through the tiny scenario 'ops-send', as (node, choice index) pairs: journeys.play and make.attempt take them.
STRONG = [("queue", 0), ("review", 0)]  # checked the list, named an owner: 100 in both skills
POOR = [("queue", 1), ("review", 2)]  # sent at once, let the tool decide: 0 in both
