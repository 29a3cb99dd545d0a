"""Entry point: ``flask --app app ...`` and WSGI servers load ``app`` from here."""

import sys

from literacy import create_app
from literacy.content import ContentError
from literacy.platform.settings import ConfigError

try:
    app = create_app()
except ConfigError as error:
    print(f"Settings problem: {error}", file=sys.stderr)
    sys.exit(1)
except ContentError as error:
    # Refuse to start on invalid content, with the same messages as `flask content check`.
    print(f"Content has {len(error.problems)} problem(s):", file=sys.stderr)
    for problem in error.problems:
        print(problem, file=sys.stderr)
    sys.exit(1)
