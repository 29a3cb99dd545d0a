"""The audit log for admins: every administrative action of the organisation, filtered and paged,
and its CSV export (itself an entry). `flask audit verify` proves the chain is unbroken."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user

from literacy.evidence import audit
from literacy.platform.access import allow
from literacy.web.exports import csv_response

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def _day(name: str) -> datetime | None:
    try:
        return datetime.fromisoformat(request.args.get(name, "")) if request.args.get(name) else None
    except ValueError:
        return None


def _filters() -> tuple[audit.Filters, dict, list[str]]:
    """The filters from the query string, what to keep in paging links, and any that were ignored."""
    ignored = [name for name in ("since", "until") if request.args.get(name) and _day(name) is None]
    action = request.args.get("action", "")
    if action and action not in audit.ACTIONS:
        ignored.append("action")
        action = ""
    until = _day("until")
    filters = audit.Filters(
        action=action,
        actor=request.args.get("actor", "").strip()[:254],
        since=_day("since"),
        until=until + timedelta(days=1) if until else None,  # "until" includes that whole day
    )
    kept = {k: v for k, v in request.args.items() if k in ("action", "actor", "since", "until") and v}
    return filters, kept, ignored


@bp.route("/")
@allow("admin")
def index():
    filters, kept, ignored = _filters()
    page = audit.entries(current_user.org_id, filters, request.args.get("page", 1, type=int))
    return render_template(
        "admin/audit.html", page=page, actions=audit.ACTIONS, kept=kept, ignored=ignored, values=request.args
    )


@bp.route("/export.csv")
@allow("admin")
def export():
    filters, _, _ = _filters()
    rows = [
        (
            e.id,
            e.at.isoformat(timespec="seconds"),
            e.actor,
            e.action,
            e.target,
            e.details,
            e.address,
            e.previous,
            e.hash,
        )
        for e in audit.all_entries(current_user.org_id, filters)
    ]
    header = ["id", "at_utc", "actor", "action", "target", "details", "address", "previous_hash", "hash"]
    return csv_response("audit-log.csv", header, rows)
