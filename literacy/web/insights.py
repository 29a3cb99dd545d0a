"""Leaders (and managers, for their teams) see skill gaps and maturity, each figure drillable."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from literacy.evidence import certification, cycles
from literacy.insights import metrics, rollups
from literacy.insights import overview as insights
from literacy.insights.rollups import Scope, Windows
from literacy.learning import queries as learning_queries
from literacy.people import queries as people_queries
from literacy.platform.access import allow
from literacy.platform.clock import utcnow
from literacy.platform.paging import paginate
from literacy.web import catalogue
from literacy.web.exports import csv_response, json_response
from literacy.workflows import queries as workflow_queries

bp = Blueprint("insights", __name__, url_prefix="/insights")
log = logging.getLogger(__name__)


def scope() -> Scope:
    """Leaders and admins see their organisation; managers see the teams they belong to."""
    if current_user.org_id is None:
        abort(403)
    if current_user.access == "manager":
        return Scope(current_user.org_id, tuple(t.id for t in current_user.teams))
    return Scope(current_user.org_id)


def windows() -> Windows:
    config = current_app.config
    return Windows(utcnow(), config["EVIDENCE_WINDOW_DAYS"], config["CURRENCY_MONTHS"])


def build() -> insights.Overview:
    config, where, now = current_app.config, scope(), utcnow()
    return insights.overview(
        where,
        catalogue(),
        now,
        min_learners=config["INSIGHTS_MIN_LEARNERS"],
        evidence_days=config["EVIDENCE_WINDOW_DAYS"],
        currency_months=config["CURRENCY_MONTHS"],
        operating=workflow_queries.operating_counts(
            catalogue(), where.org_id, where.team_ids, now, config["EVIDENCE_WINDOW_DAYS"]
        ),
    )


def wants() -> str:
    return request.args.get("format", "html")


@bp.route("/")
@allow("insights")
def overview():
    data = build()
    if wants() == "json":
        return json_response(
            "overview.json",
            {
                "maturity": data.maturity,
                "roles": data.counts,
                "top_gaps": data.top_gaps,
                "trend": data.trend,
                "heatmaps": {d: list(h.cells.values()) for d, h in data.heatmaps.items()},
                "team_comparison": [
                    {"team": label, "at_target_percent": share, "skills_with_enough_evidence": shown}
                    for label, share, shown in insights.team_comparison(data.heatmaps["team"])
                ],
                "operating": data.operating,
                "definitions": {**metrics.INDICATORS, **metrics.OPERATING_INDICATORS},
                "min_learners": data.min_learners,
            },
        )
    if wants() == "csv":
        return maturity_csv(data)
    cat = catalogue()
    team_rows = insights.team_comparison(data.heatmaps["team"])
    return render_template(
        "insights/overview.html",
        data=data,
        compliance=data.compliance,
        statuses=certification.STATUSES,
        catalogue=cat,
        indicators=metrics.INDICATORS,
        operating_indicators=metrics.OPERATING_INDICATORS,
        levels=metrics.LEVELS,
        teams_scope=current_user.access == "manager",
        metrics_role=metrics.role_values,
        team_rows=team_rows,
        team_chart=[(label, share, None) for label, share, _ in team_rows],
        trend_series=[
            (name.replace("_", " ").capitalize(), [row[name] for row in data.trend]) for name in metrics.INDICATORS
        ],
    )


def maturity_csv(data: insights.Overview):
    rows = [("organisation", name, value) for name, value in data.maturity.values.items()]
    rows += [(c.role, name, value) for c in data.counts for name, value in metrics.role_values(c).items()]
    return csv_response("maturity.csv", ["scope", "indicator", "percent"], rows)


@bp.route("/heatmap/<dimension>")
@allow("insights")
def heatmap(dimension: str):
    if dimension not in insights.DIMENSIONS:
        abort(404)
    cfg = current_app.config
    data = insights.heatmap(scope(), catalogue(), windows(), dimension, cfg["INSIGHTS_MIN_LEARNERS"])
    labels = dict(data.groups)
    header = [
        "group",
        "skill",
        "learners",
        "attempts",
        "stale_learners",
        "enough_evidence",
        "proficiency",
        "target",
        "gap",
        "at_target_percent",
        "interval_low",
        "interval_high",
        "low_confidence",
    ]
    rows = [
        (
            labels[c.group],
            c.skill_id,
            c.learners,
            c.attempts,
            c.stale,
            c.enough,
            c.proficiency,
            c.target,
            c.gap,
            c.at_target_share,
            c.low,
            c.high,
            c.low_confidence if c.enough else None,
        )
        for c in data.cells.values()
    ]
    if wants() == "json":
        return json_response(f"heatmap-{dimension}.json", [dict(zip(header, r, strict=False)) for r in rows])
    if wants() == "csv":
        return csv_response(f"heatmap-{dimension}.csv", header, rows)
    return render_template(
        "insights/heatmap.html", heatmap=data, catalogue=catalogue(), min_learners=cfg["INSIGHTS_MIN_LEARNERS"]
    )


@bp.route("/trend")
@allow("insights")
def trend():
    data = build().trend
    header = ["month", *metrics.INDICATORS]
    if wants() == "json":
        return json_response("trend.json", data)
    if wants() == "csv":
        return csv_response("trend.csv", header, [[row[h] for h in header] for row in data])
    return redirect(url_for(".overview", _anchor="trend-heading"))


@bp.route("/cells/<dimension>/<group>/<skill>")
@allow("insights")
def cell(dimension: str, group: str, skill: str):
    cat = catalogue()
    if dimension not in insights.DIMENSIONS or skill not in cat.skills:
        abort(404)
    data = insights.heatmap(scope(), cat, windows(), dimension, current_app.config["INSIGHTS_MIN_LEARNERS"])
    labels = dict(data.groups)
    if group not in labels:
        abort(404)
    figure = data.cells[(group, skill)]
    learners = rollups.cell_learners(scope(), cat, windows(), dimension, group, skill) if figure.enough else []
    header = ["name", "email", "role", "proficiency", "interval_low", "interval_high", "target", "attempts"]
    header += ["last_evidence", "stale"]
    rows = [
        (e.name, e.email, e.role, e.proficiency, e.low, e.high, e.target, e.attempts, e.last_at, e.proficiency is None)
        for e in learners
    ]
    if wants() == "json":
        return json_response(
            "cell.json", {"figure": figure, "learners": [dict(zip(header, r, strict=False)) for r in rows]}
        )
    if wants() == "csv":
        return csv_response("cell.csv", header, rows)
    return render_template(
        "insights/cell.html",
        figure=figure,
        group=labels[group],
        skill=cat.skills[skill],
        learners=learners,
        dimension=dimension,
        min_learners=current_app.config["INSIGHTS_MIN_LEARNERS"],
        catalogue=cat,
    )


@bp.route("/indicators/<name>")
@allow("insights")
def indicator(name: str):
    if name not in metrics.INDICATORS:
        abort(404)
    cat = catalogue()
    month = request.args.get("month") or None
    if month is not None and month not in rollups.months_back(utcnow().date(), 12):
        abort(404)
    if name == "role_specificity":
        rows = [
            (role, people, started, metrics.percent(started, people))
            for role, people, started in rollups.started_by_role(scope(), month)
        ]
        header = ["role", "learners", "started", "started_percent"]
        learners = []
    else:
        learners = rollups.indicator_learners(scope(), cat, windows(), name, month)
        header = ["name", "email", "role", "counted"]
        rows = [(n, e, r, c) for _, n, e, r, c in learners]
    stem = f"{name}-{month}" if month else name
    if wants() == "json":
        return json_response(
            f"{stem}.json",
            {
                "definition": metrics.INDICATORS[name],
                "month": month,
                "rows": [dict(zip(header, r, strict=False)) for r in rows],
            },
        )
    if wants() == "csv":
        return csv_response(f"{stem}.csv", header, rows)
    page = paginate(learners, request.args.get("page", 1, type=int))
    return render_template(
        "insights/indicator.html",
        name=name,
        definition=metrics.INDICATORS[name],
        rows=rows,
        learners=learners,
        page_rows=page.items,
        page=page.number,
        month=month,
        pages=page.pages,
        catalogue=cat,
        counted=sum(1 for learner in learners if learner[4]),
        externals=people_queries.externals([uid for uid, *_ in page.items]),
    )


@bp.route("/learners/<int:user_id>")
@allow("insights")
def learner(user_id: int):
    if not rollups.in_scope(scope(), user_id):
        abort(404)
    cat = catalogue()
    person = people_queries.user(user_id)
    attempts = learning_queries.learner_attempts(user_id, list(cat.scenarios))
    return render_template(
        "insights/learner.html",
        person=person,
        attempts=attempts,
        catalogue=cat,
        fresh_since=windows().fresh_since,
        standing=cycles.standings([person])[person.id],
    )
