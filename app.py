"""Entry point: ``flask --app app ...`` and WSGI servers load ``app`` from here."""

import sys

from literacy import create_app
from literacy.content import ContentError

try:
    app = create_app()
except ContentError as error:
    # Refuse to start on invalid content, with the same messages as `flask content check`.
    print(f"Content has {len(error.problems)} problem(s):", file=sys.stderr)
    for problem in error.problems:
        print(problem, file=sys.stderr)
    sys.exit(1)
