"""Command-line tools: ``flask content``, ``flask demo``, ``flask rollups``, ``flask xapi``, ``flask mail``,
``flask org``, ``flask scim`` and ``flask sso``.

``flask db`` comes from Flask-Migrate. A command that writes commits once at its end (or once per
chunk, for long ones): like a request, it owns its transaction.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import click
import yaml
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from literacy import content
from literacy.cohorts.tables import Cohort
from literacy.content import cues, sources
from literacy.content.errors import readable
from literacy.content.twee import export, import_story
from literacy.evidence import audit, cycles, pack, packs
from literacy.identity import sso
from literacy.identity import tokens as scim_tokens
from literacy.insights import items, rollups
from literacy.mail import schedule, sender
from literacy.mail.tables import MailMessage
from literacy.people import onboarding
from literacy.people.tables import Organization, Team, User
from literacy.platform.clock import utcnow
from literacy.platform.csvsafe import to_csv
from literacy.platform.extensions import db
from literacy.xapi import events, forward, outbox

content_cli = AppGroup("content", help="Validate learning content.")


@content_cli.command("check")
@click.argument("path", required=False, type=click.Path())
@click.option("--strict", is_flag=True, help="Fail on warnings too (cues that let a learner score without judgment).")
def check_command(path: str | None, strict: bool) -> None:
    """Validate all content, or one content root, folder or file (checked against the taxonomy)."""
    root = current_app.config["CONTENT_ROOT"]
    catalogue, problems = content.check(path or root, root)
    if problems:
        for problem in problems:
            click.echo(str(problem))
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    found = _warnings(catalogue, path)
    for warning in found:
        click.echo(f"{warning.path}:{warning.line}: warning: {warning.message}")
    if catalogue is None:
        click.echo(f"{path}: no problems found.")
    else:
        figures = catalogue.summary()
        click.echo("Content OK: " + ", ".join(f"{value} {name}" for name, value in figures.items()))
        for role in catalogue.roles.values():
            course = catalogue.courses.get(role.id)
            lessons = len(course.lessons) if course else 0
            scenarios = catalogue.role_scenarios(role.id)
            decisions = sum(len(s.decision_nodes) for s in scenarios)
            endings = sum(len(s.endings) for s in scenarios)
            click.echo(
                f"  {role.id}: {lessons} lessons, {len(scenarios)} scenarios,"
                f" {decisions} decision nodes, {endings} endings"
            )
    if found:
        click.echo(f"{len(found)} warning(s){' (--strict: failing)' if strict else ''}.", err=True)
        sys.exit(1 if strict else 0)


def _warnings(catalogue, path: str | None) -> list:
    """Cue warnings for the checked content: the whole catalogue, or the files under ``path``."""
    if catalogue is None:  # one file or folder: warn about it as part of the installed catalogue
        catalogue, target = current_app.extensions["catalogue"], readable(str(Path(path)))
        return [w for w in cues.warnings(catalogue) if w.path == target or w.path.startswith(target.rstrip("/") + "/")]
    return cues.warnings(catalogue)


@content_cli.command("sources")
@click.option("--out", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
def sources_command(out: str | None) -> None:
    """Every source the lessons cite, with the lessons citing it (docs/sources.md)."""
    text = sources.document(current_app.extensions["catalogue"])
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out}.")
    else:
        click.echo(text, nl=False)


@content_cli.command("stats")
@click.argument("scenario_id", required=False)
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False), help="Also write every option's figures as CSV.")
def stats_command(scenario_id: str | None, csv_file: str | None) -> None:
    """Item analysis from assessed attempts and check answers: selection rates, discrimination, flags."""
    catalogue, floor = current_app.extensions["catalogue"], current_app.config["INSIGHTS_MIN_LEARNERS"]
    if scenario_id is not None and scenario_id not in catalogue.scenarios:
        raise click.ClickException(f"no scenario '{scenario_id}'")
    report = rollups.item_report(None, catalogue, floor, scenario_id)
    for content_key, stats in report.items():
        click.echo(f"{content_key}")
        for found in stats:
            if not found.enough:
                click.echo(f"  {found.item}: not enough evidence ({found.answered} of {floor} learners)")
                continue
            click.echo(f"  {found.item}: {found.answered} learners, {found.strong} strong")
            for o in found.options:
                mark = "*" if o.keyed else " "
                click.echo(
                    f"   {mark} {o.rate:3d}% chose  D={o.discrimination if o.discrimination is not None else '-':>4}"
                    f"  {o.label}"
                )
            for flag in found.flags:
                click.echo(f"    ! {flag}")
    if csv_file:
        rows = [row for key, stats in report.items() for row in items.csv_rows(key, stats)]
        Path(csv_file).write_text(to_csv(items.CSV_HEADER, rows), encoding="utf-8")
        click.echo(f"Wrote {len(rows)} row(s) to {csv_file}")


@content_cli.command("export-twee")
@click.argument("scenario_id")
@click.option("--out", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
def export_twee_command(scenario_id: str, out: str | None) -> None:
    """Write a scenario as Twee 3, to open and edit in Twine."""
    scenario = current_app.extensions["catalogue"].scenarios.get(scenario_id)
    if scenario is None:
        raise click.ClickException(f"no scenario '{scenario_id}'")
    text = export(scenario)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out}")
    else:
        click.echo(text, nl=False)


@content_cli.command("import-twee")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--role", required=True, help="The role the scenario belongs to.")
@click.option(
    "--out", type=click.Path(dir_okay=False), help="Scenario file to write (default: scenarios/ROLE/<id>.md)."
)
def import_twee_command(file: str, role: str, out: str | None) -> None:
    """Convert a Twine story (Twee 3) into a scenario file; written only if it passes the content check."""

    root = Path(current_app.config["CONTENT_ROOT"])
    markdown, notes = import_story(Path(file).read_text(encoding="utf-8"), role)
    for note in notes:
        click.echo(f"{file}: {note}")
    scenario_id = yaml.safe_load(markdown.split("---", 2)[1])["id"]
    target = Path(out) if out else root / "scenarios" / role / f"{scenario_id}.md"
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / "scenarios" / role / target.name
        trial.parent.mkdir(parents=True)
        trial.write_text(markdown, encoding="utf-8")
        _, problems = content.check(trial, root)
    if problems:
        for problem in problems:
            click.echo(f"{target}:{problem.line}: {problem.message}")
        raise click.ClickException(f"not imported: the converted scenario has {len(problems)} problem(s)")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(markdown, encoding="utf-8")
    click.echo(f"Imported {file} as {target}")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create the demo organisation (idempotent). The schema must exist: run 'flask db upgrade' first."""
    from sqlalchemy import inspect

    from literacy.demo import load_demo

    if "users" not in inspect(db.engine).get_table_names():
        raise click.ClickException("The database has no tables yet: run 'flask --app app db upgrade' first.")
    logins = load_demo(current_app.extensions["catalogue"])
    click.echo("Demo data ready. Sign in at http://127.0.0.1:5000 with any of these:")
    for email, password, what in logins:
        click.echo(f"  {email:32} {password:16} {what}")


rollups_cli = AppGroup("rollups", help="Maintain the read models behind the insight pages.")


@rollups_cli.command("rebuild")
def rebuild_command() -> None:
    """Recompute evidence, its sums over each learner's track, track progress, monthly evidence and the
    organisation totals from the full history (after imports, upgrades or content changes)."""
    from literacy.insights import readmodels

    readmodels.rebuild(current_app.extensions["catalogue"])
    db.session.commit()
    click.echo("Rollup read models and organisation totals rebuilt.")


@rollups_cli.command("check")
def check_command_totals() -> None:
    """Compare the organisation totals with a recomputation from the read models, and the track sums
    with one from the evidence (nothing is written but the snapshots that time has made due); exit 1
    and name the groups and learners that differ."""
    from literacy.insights import readmodels, totals

    catalogue, now = current_app.extensions["catalogue"], utcnow()
    if not totals.ready(catalogue):
        raise click.ClickException("The totals wait for 'flask rollups rebuild' (new content or settings).")
    for org_id in db.session.scalars(select(Organization.id)):
        totals.sweep(catalogue, org_id, now)
    db.session.commit()
    differ = totals.differences(totals.kept_totals(), totals.recomputed_totals(catalogue, now))
    for org_id, key, kept, computed in differ[:20]:
        click.echo(f"organisation {org_id}, {' / '.join(map(str, key))}: kept {kept}, recomputed {computed}")
    sums_kept = totals.sums_ready(catalogue)
    sums = readmodels.sums_differences(catalogue) if sums_kept else []
    for user_id, skill, kept, computed in sums[:20]:
        click.echo(f"learner {user_id}, {skill}: kept sums {kept}, recomputed {computed}")
    if differ or sums:
        raise click.ClickException(
            f"{len(differ)} totals and {len(sums)} track sums differ: run 'flask rollups rebuild'."
        )
    click.echo("The organisation totals agree with the read models.")
    if sums_kept:
        click.echo("The track sums agree with the evidence.")
    else:
        click.echo("The track sums wait for 'flask rollups rebuild' (the cohort dashboard adds up the evidence).")


xapi_cli = AppGroup("xapi", help="The xAPI outbox: state, forwarding to the LRS, replay, backfill and export.")


@xapi_cli.command("status")
def xapi_status_command() -> None:
    """Show how many statements are pending, sent and rejected, and why forwarding last failed."""
    endpoint = forward.Endpoint.from_config(current_app.config)
    state = outbox.summary()
    click.echo(f"LRS endpoint: {endpoint.statements_url if endpoint else 'not configured (statements are kept)'}")
    click.echo(
        "Statements: " + ", ".join(f"{n} {status}" for status, n in state.counts.items()) + f" ({state.total} in all)"
    )
    click.echo("By verb: " + (", ".join(f"{n} {verb}" for verb, n in state.verbs.items()) or "none"))
    if state.oldest_pending:
        click.echo(f"Oldest pending since {state.oldest_pending:%Y-%m-%d %H:%M:%S} UTC")
    if state.next_retry:
        click.echo(f"Next retry after {state.next_retry:%Y-%m-%d %H:%M:%S} UTC: {state.last_error}")
    if state.last_sent:
        click.echo(f"Last sent {state.last_sent:%Y-%m-%d %H:%M:%S} UTC")
    for row in state.rejected:
        click.echo(f"Rejected {row.statement_id} ({row.verb} {row.activity}): {row.last_error}")


@xapi_cli.command("forward")
@click.option("--retry-now", is_flag=True, help="Ignore the back-off and try waiting statements at once.")
@click.option("--watch", is_flag=True, help="Keep running, sending new statements as they arrive.")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between passes with --watch.")
def xapi_forward_command(retry_now: bool, watch: bool, interval: float) -> None:
    """Send pending statements to the configured LRS (XAPI_ENDPOINT)."""
    endpoint = forward.Endpoint.from_config(current_app.config)
    if endpoint is None:
        raise click.ClickException("XAPI_ENDPOINT is not set: there is no LRS to send to.")

    def forward_once() -> int:
        nonlocal retry_now
        report = forward.send_due(endpoint, current_app.config["XAPI_BATCH_SIZE"], ignore_backoff=retry_now)
        retry_now = False
        if not watch or report.sent or report.rejected or report.error:  # a quiet watch prints nothing
            click.echo(_forward_summary(report))
        return 1 if report.error else 0

    repeat(forward_once, watch, interval)


def repeat(step, watch: bool, interval: float) -> None:
    """Run ``step`` once (exit with its status) or, with --watch, every ``interval`` seconds for
    ever; a database error during a watch is reported and tried again, never the end of the worker."""
    while True:
        try:
            status = step()
        except SQLAlchemyError as error:
            if not watch:
                raise
            db.session.rollback()
            click.echo(f"Database error, trying again in {interval:g} s: {error.__class__.__name__}", err=True)
            time.sleep(interval)
            continue
        if not watch:
            sys.exit(status)
        time.sleep(interval)


def _forward_summary(report: forward.Report) -> str:
    text = f"Sent {report.sent}, rejected {report.rejected}"
    if report.error:
        text += f"; stopped: {report.error}"
    if report.waiting_until:
        text += (
            f"; the last failure's back-off runs until {report.waiting_until:%H:%M:%S} UTC (--retry-now to try anyway)"
        )
    return text


@xapi_cli.command("replay")
@click.option("--all", "everything", is_flag=True, help="Queue every statement again (after the LRS lost data).")
def xapi_replay_command(everything: bool) -> None:
    """Queue rejected statements (or, with --all, every statement) to be sent again."""
    count = outbox.requeue(None if everything else "rejected")
    db.session.commit()
    click.echo(f"{count} statement(s) queued again. Run 'flask xapi forward' to send them.")


@xapi_cli.command("backfill")
@click.option("--chunk", default=500, show_default=True, help="Learners per transaction.")
def xapi_backfill_command(chunk: int) -> None:
    """Store statements for past events that have none (history from before statements were recorded)."""
    ids = list(db.session.scalars(select(User.id).order_by(User.id)))
    added = 0
    for start in range(0, len(ids), chunk):  # one transaction per chunk: a long history is not held in one
        added += events.backfill(current_app.extensions["catalogue"], ids[start : start + chunk])
        db.session.commit()
        db.session.expunge_all()
    click.echo(f"{added} statement(s) added to the outbox.")


@xapi_cli.command("export")
@click.option("--learner", "email", help="A learner's email address.")
@click.option("--cohort", "cohort_id", type=int, help="A cohort id: its members' statements on its assigned work.")
@click.option("--out", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
def xapi_export_command(email: str | None, cohort_id: int | None, out: str | None) -> None:
    """Write a learner's or a cohort's statements as a JSON array, ready for an LRS import."""
    if bool(email) == bool(cohort_id):
        raise click.UsageError("give exactly one of --learner or --cohort")
    if email:
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"no account '{email}'")
        found = outbox.statements([user.id])
    else:
        cohort = db.session.get(Cohort, cohort_id)
        if cohort is None:
            raise click.ClickException(f"no cohort {cohort_id}")
        activities = outbox.cohort_activities(current_app.extensions["catalogue"], cohort)
        found = outbox.statements(activities, activities)
    text = json.dumps(found, indent=2, ensure_ascii=False) + "\n"
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {len(found)} statement(s) to {out}")
    else:
        click.echo(text, nl=False)


SCHEDULE_EVERY_SECONDS = 3600  # the worker looks for due reminders and digests once an hour
mail_cli = AppGroup("mail", help="Email: the outbox's state, and sending it through MAIL_SERVER.")


@mail_cli.command("status")
def mail_status_command() -> None:
    """How many messages are pending, sent and failed."""
    counts = dict(db.session.execute(select(MailMessage.status, func.count()).group_by(MailMessage.status)).all())
    click.echo(", ".join(f"{status} {counts.get(status, 0)}" for status in ("pending", "sent", "failed")))
    retrying = db.session.scalar(
        select(MailMessage).where(MailMessage.status == "pending", MailMessage.tries > 0).order_by(MailMessage.id)
    )
    if retrying is not None:
        click.echo(f"Retrying since a failure ({retrying.tries} tries so far): {retrying.last_error}")
    if not sender.configured():
        click.echo("MAIL_SERVER is not set: messages are kept, not sent; admins read them on the Mail page.")


@mail_cli.command("send")
@click.option("--watch", is_flag=True, help="Keep running: send new messages as they arrive.")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between passes with --watch.")
def mail_send_command(watch: bool, interval: float) -> None:
    """Send the messages that are due (retries wait with back-off)."""
    if not sender.configured():
        raise click.ClickException("MAIL_SERVER is not set: there is no mail server to send to.")

    last_scheduled = None

    def send_once() -> int:
        nonlocal last_scheduled
        queued = 0
        if last_scheduled is None or time.monotonic() - last_scheduled >= SCHEDULE_EVERY_SECONDS:
            catalogue = current_app.extensions["catalogue"]
            cycles.renew_due(catalogue)  # recertification cycles, cohorts and their emails first
            queued = schedule.queue_due(catalogue)  # reminders, nudges, digests
            db.session.commit()
            last_scheduled = time.monotonic()
        report = sender.send_due()
        db.session.commit()
        if not watch or queued or report.sent or report.failed or report.error:
            text = f"Queued {queued}, sent {report.sent}, given up {report.failed}"
            click.echo(text + (f"; stopped: {report.error}" if report.error else ""))
        return 1 if report.error else 0

    repeat(send_once, watch, interval)


org_cli = AppGroup("org", help="Organisations: create one with its first admin, list them.")


@org_cli.command("create")
@click.argument("name")
@click.option("--admin", "admin_email", required=True, help="The first admin's email: they get an invitation.")
@click.option("--admin-name", default="", help="The first admin's name (default: from the email).")
@click.option("--role", default="lifecycle", show_default=True, help="The first admin's marketing role.")
def org_create_command(name: str, admin_email: str, admin_name: str, role: str) -> None:
    """Create an organisation and its first admin, and email the admin an invitation."""
    try:
        created = onboarding.create_organization(name, admin_email, admin_name, role)
    except onboarding.Refused as refusal:
        raise click.ClickException(str(refusal)) from None
    db.session.commit()
    click.echo(f"Created {created.organization.name} ({created.organization.slug}); admin {created.admin.email}.")
    if sender.configured():
        click.echo("The invitation is in the mail outbox: 'flask mail send' (or the worker) sends it.")
    else:
        click.echo("MAIL_SERVER is not set, so nothing is emailed. The admin's invitation link (valid 14 days):")
        click.echo(created.link)


@org_cli.command("list")
def org_list_command() -> None:
    """Organisations with how many people and admins each has."""
    rows = db.session.execute(
        select(
            Organization.name,
            Organization.slug,
            func.count(User.id),
            func.count(User.id).filter(User.access == "admin"),
        )
        .outerjoin(User, User.org_id == Organization.id)
        .group_by(Organization.id)
        .order_by(Organization.name)
    ).all()
    if not rows:
        click.echo("No organisations yet: 'flask org create NAME --admin EMAIL' starts one.")
    for name, slug, people, admins in rows:
        click.echo(f"{name} ({slug}): {people} {'person' if people == 1 else 'people'}, {admins} admin(s)")


audit_cli = AppGroup("audit", help="The audit log's hash chains.")


@audit_cli.command("verify")
@click.option("--org", "slug", help="One organisation's slug (default: every organisation).")
def audit_verify(slug: str | None) -> None:
    """Check every link of each organisation's chain; exit 1 at the first broken one."""
    query = select(Organization).order_by(Organization.id)
    if slug:
        query = query.where(Organization.slug == slug)
    organisations = list(db.session.scalars(query))
    if slug and not organisations:
        raise click.ClickException(f"no organisation with the slug {slug!r}")
    broken = False
    for organisation in organisations:
        found = audit.verify(organisation.id)
        count = audit.count(organisation.id)
        if found is None:
            click.echo(f"{organisation.slug}: {count} entries, the chain is unbroken.")
        else:
            broken = True
            click.echo(f"{organisation.slug}: BROKEN at entry {found.id}: {found.reason}.")
    sys.exit(1 if broken else 0)


certification_cli = AppGroup("certification", help="Certification cycles and recertification.")


@certification_cli.command("renew")
def certification_renew() -> None:
    """Open recertification cycles that are due (the mail worker runs this too, every pass)."""
    opened = cycles.renew_due(current_app.extensions["catalogue"])
    db.session.commit()
    click.echo(f"Opened {opened} recertification {'cycle' if opened == 1 else 'cycles'}.")


evidence_cli = AppGroup("evidence", help="Evidence packs for auditors and scheduled jobs.")


@evidence_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(list(pack.FORMATS)), required=True)
@click.option("--org", "slug", help="The organisation's slug (needed when there are several).")
@click.option("--team", "team_name", help="One team's name: the pack covers its members.")
@click.option("--person", "email", help="One person's email: the pack covers them alone.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Evidence to the end of this day.")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), required=True)
def evidence_export(fmt: str, slug: str | None, team_name: str | None, email: str | None, as_of, out: str) -> None:
    """Write an evidence pack (CSV, JSON or PDF) for the organisation, a team or a person."""
    if team_name and email:
        raise click.ClickException("Give --team or --person, not both.")
    organisation = _one_organisation(slug)
    day = as_of.date() if as_of else date.today()
    if day > date.today():
        raise click.ClickException("The as-of date is in the future.")
    scope = packs.Scope(organisation.id, "organisation")
    if team_name:
        team = db.session.scalar(select(Team).where(Team.org_id == organisation.id, Team.name == team_name))
        if team is None:
            raise click.ClickException(f"{organisation.slug} has no team named {team_name!r}.")
        scope = packs.Scope(organisation.id, "team", team_id=team.id)
    elif email:
        person = db.session.scalar(
            select(User).where(User.org_id == organisation.id, func.lower(User.email) == email.lower())
        )
        if person is None:
            raise click.ClickException(f"Nobody in {organisation.slug} has the email {email}.")
        scope = packs.Scope(organisation.id, "person", user_id=person.id)
    started = time.monotonic()
    content, label = packs.build_file(current_app.extensions["catalogue"], scope, day, fmt)
    try:
        Path(out).write_bytes(content)
    except OSError as error:
        raise click.ClickException(f"Cannot write {out}: {error.strerror}.") from error
    audit.record(organisation.id, "evidence.pack", label, format=fmt, as_of=day.isoformat(), file=Path(out).name)
    db.session.commit()
    took = time.monotonic() - started
    click.echo(f"{label}, as of {day.isoformat()}: {len(content):,} bytes of {fmt.upper()} in {took:.1f} s to {out}")


def _one_organisation(slug: str | None) -> Organization:
    query = select(Organization).order_by(Organization.id)
    if slug:
        query = query.where(Organization.slug == slug)
    found = list(db.session.scalars(query.limit(2)))
    if not found:
        raise click.ClickException(f"no organisation with the slug {slug!r}" if slug else "no organisation yet")
    if len(found) > 1:
        raise click.ClickException("There are several organisations: name one with --org SLUG.")
    return found[0]


scim_cli = AppGroup("scim", help="SCIM provisioning: each organisation's bearer tokens.")
scim_token_cli = AppGroup("token", help="Create, list and revoke SCIM bearer tokens.")
scim_cli.add_command(scim_token_cli)


def _scim_organisation(slug: str) -> Organization:
    found = scim_tokens.organisation(slug)
    if found is None:
        raise click.ClickException(f"no organisation with the slug {slug!r}: 'flask org list' shows them")
    return found


@scim_token_cli.command("create")
@click.option("--org", "slug", required=True, help="The organisation's slug ('flask org list').")
@click.option("--label", default="", help="What the token is for, e.g. 'Entra ID'.")
def scim_token_create(slug: str, label: str) -> None:
    """Create a token and print it once: only its hash is kept."""
    organisation = _scim_organisation(slug)
    token, secret = scim_tokens.create(organisation.id, label, created_by="")
    db.session.commit()
    click.echo(f"SCIM token {token.prefix}… for {organisation.slug}, shown only now: give it to the identity provider.")
    click.echo(secret)
    click.echo(f"SCIM base URL: {current_app.config['PUBLIC_URL'].rstrip('/')}/scim/v2")


@scim_token_cli.command("list")
@click.option("--org", "slug", required=True, help="The organisation's slug.")
def scim_token_list(slug: str) -> None:
    """The organisation's tokens: prefix, label, created, last used, revoked."""
    found = scim_tokens.of_organisation(_scim_organisation(slug).id)
    if not found:
        click.echo("No tokens yet: 'flask scim token create --org SLUG' makes one.")
    for token in found:
        used = token.last_used_at.isoformat(timespec="minutes") if token.last_used_at else "never used"
        state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
        click.echo(f"{token.prefix}…  {token.label or '-'}  created {token.created_at:%Y-%m-%d}  {used}  {state}")


@scim_token_cli.command("revoke")
@click.option("--org", "slug", required=True, help="The organisation's slug.")
@click.argument("prefix")
def scim_token_revoke(slug: str, prefix: str) -> None:
    """Revoke the token whose first characters are PREFIX (as 'scim token list' shows them)."""
    found = scim_tokens.by_prefix(_scim_organisation(slug).id, prefix.rstrip("…"))
    if len(found) != 1:
        raise click.ClickException(f"{len(found)} tokens of {slug} start with {prefix!r}: give exactly one's prefix")
    if scim_tokens.revoke(found[0]):
        db.session.commit()
        click.echo(f"Revoked {found[0].prefix}…: it no longer works.")
    else:
        click.echo(f"{found[0].prefix}… was already revoked.")


sso_cli = AppGroup("sso", help="Single sign-on (OpenID Connect): an organisation's provider, its test and rule.")


@sso_cli.command("configure")
@click.option("--org", "slug", required=True, help="The organisation's slug ('flask org list' shows them).")
@click.option("--issuer", required=True, help="The provider's issuer URL, exactly as its discovery document says.")
@click.option("--client-id", required=True, help="The client (application) id the provider gave this app.")
@click.option("--client-secret-env", "secret_env", help="The environment variable holding the client secret.")
@click.option("--client-secret-stdin", "secret_stdin", is_flag=True, help="Read the secret from standard input.")
@click.option("--domains", required=True, help="Allowed email domains, comma-separated: a.com,b.com.")
@click.option("--require/--no-require", "required", default=None, help="Require single sign-on (default: unchanged).")
def sso_configure(slug, issuer, client_id, secret_env, secret_stdin, domains, required) -> None:
    """Create or change an organisation's OpenID Connect provider (the admin page's settings)."""
    organisation = _one_organisation(slug)
    typed = sys.stdin.readline().strip() if secret_stdin else ""
    try:
        config = sso.save(organisation, issuer, client_id, sso.Secret(typed, secret_env or ""), domains, required)
    except sso.Refused as refusal:
        raise click.ClickException(str(refusal)) from None
    db.session.commit()
    domains_text, rule = config.domains.replace(",", ", "), "required" if config.required else "not required"
    click.echo(f"{organisation.slug}: single sign-on with {config.issuer} for {domains_text} ({rule}).")
    path = current_app.url_map.bind("localhost").build("sso.callback")
    click.echo(f"Redirect URI to register at the provider: {current_app.config['PUBLIC_URL'].rstrip('/')}{path}")
    if secret_env and not os.environ.get(secret_env):
        click.echo(f"Note: {secret_env} is not set here; the web servers need it in their environment.")


@sso_cli.command("test")
@click.option("--org", "slug", required=True, help="The organisation's slug.")
def sso_test(slug: str) -> None:
    """Fetch the provider's discovery document and keys; say what is wrong (exit 1), or that it works."""
    config = sso.config_for(_one_organisation(slug).id)
    if config is None:
        raise click.ClickException(f"{slug} has no single sign-on: 'flask sso configure' sets it up.")
    diagnosis = sso.test_connection(config)
    db.session.commit()
    click.echo(diagnosis.sentence)
    sys.exit(0 if diagnosis.ok else 1)


@sso_cli.command("require")
@click.option("--org", "slug", required=True, help="The organisation's slug.")
@click.option("--on/--off", "required", required=True, help="--off is the break-glass: passwords work again.")
def sso_require(slug: str, required: bool) -> None:
    """Require single sign-on for an organisation's members, or stop requiring it."""
    organisation = _one_organisation(slug)
    if sso.config_for(organisation.id) is None:
        raise click.ClickException(f"{slug} has no single sign-on: 'flask sso configure' sets it up.")
    changed = sso.set_required(organisation, required)
    db.session.commit()
    state = "now required" if required else "no longer required"
    click.echo(f"{organisation.slug}: single sign-on is {state}." if changed else f"{organisation.slug}: unchanged.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(scim_cli)
    app.cli.add_command(evidence_cli)
    app.cli.add_command(certification_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(xapi_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(org_cli)
    app.cli.add_command(rollups_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(sso_cli)
