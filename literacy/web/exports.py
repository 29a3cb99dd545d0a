"""CSV and JSON downloads shared by the cohort and insight views."""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from datetime import date, datetime

from flask import Response, request
from flask_login import current_user

from literacy.evidence import audit
from literacy.platform.csvsafe import to_csv


def _downloaded(filename: str) -> None:
    """Every download is an audit entry: who took which file, from where (docs/compliance.md)."""
    org_id = getattr(current_user, "org_id", None)
    audit.record(org_id, "export.downloaded", filename, path=request.full_path.rstrip("?"))


def csv_response(filename: str, header: list[str], rows) -> Response:
    _downloaded(filename)
    return Response(
        to_csv(header, rows), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def _plain(value):
    if is_dataclass(value):
        return asdict(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def json_response(filename: str, payload) -> Response:
    _downloaded(filename)
    body = json.dumps(payload, default=_plain, indent=2, ensure_ascii=False)
    return Response(
        body, mimetype="application/json", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def file_response(filename: str, content: bytes, mimetype: str) -> Response:
    """A stored file (an evidence pack), as a download that is an audit entry like every other."""
    _downloaded(filename)
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
