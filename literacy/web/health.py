"""Health check for load balancers and monitors: answers 200 only when the database answers."""

from __future__ import annotations

from flask import Blueprint, jsonify

from literacy.platform.access import allow
from literacy.platform.database import reachable

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@allow("public")
def healthz():
    if not reachable():
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
