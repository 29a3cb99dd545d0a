"""CSV and JSON downloads shared by the cohort and insight views."""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from datetime import date, datetime

from flask import Response

from literacy.platform.csvsafe import to_csv


def csv_response(filename: str, header: list[str], rows) -> Response:
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
    body = json.dumps(payload, default=_plain, indent=2, ensure_ascii=False)
    return Response(
        body, mimetype="application/json", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
