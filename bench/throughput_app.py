"""The app plus one bare route, for bench/throughput.py (never deployed)."""

from app import app
from literacy.platform.access import allow


@app.route("/bare")
@allow("public")
def bare():
    return "ok"
