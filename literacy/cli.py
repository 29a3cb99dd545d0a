"""Command-line tools: ``flask content check``, ``flask demo``, ``flask rollups rebuild`` (``flask db`` comes from Flask-Migrate)."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click
import yaml
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from . import content
from .content.twee import export, import_story
from .extensions import db

content_cli = AppGroup("content", help="Validate learning content.")


@content_cli.command("check")
@click.argument("path", required=False, type=click.Path())
def check_command(path: str | None) -> None:
    """Validate all content, or one content root, folder or file (checked against the taxonomy)."""
    root = current_app.config["CONTENT_ROOT"]
    catalogue, problems = content.check(path or root, root)
    if problems:
        for problem in problems:
            click.echo(str(problem))
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    if catalogue is None:
        click.echo(f"{path}: no problems found.")
        return
    figures = catalogue.summary()
    click.echo("Content OK: " + ", ".join(f"{value} {name}" for name, value in figures.items()))
    for role in catalogue.roles.values():
        course = catalogue.courses.get(role.id)
        scenarios = catalogue.role_scenarios(role.id)
        lessons = len(course.lessons) if course else 0
        click.echo(f"  {role.id}: {lessons} lessons, {len(scenarios)} scenarios")


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
@click.option("--out", type=click.Path(dir_okay=False), help="Scenario file to write (default: scenarios/ROLE/<id>.md).")
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

    from .demo import load_demo

    if "users" not in inspect(db.engine).get_table_names():
        raise click.ClickException("The database has no tables yet: run 'flask --app app db upgrade' first.")
    logins = load_demo(current_app.extensions["catalogue"])
    click.echo("Demo data ready. Sign in at http://127.0.0.1:5000 with any of these:")
    for email, password, what in logins:
        click.echo(f"  {email:32} {password:16} {what}")


rollups_cli = AppGroup("rollups", help="Maintain the read models behind the insight pages.")


@rollups_cli.command("rebuild")
def rebuild_command() -> None:
    """Recompute learner progress and monthly evidence from the full history (after imports or content changes)."""
    from . import readmodel

    readmodel.rebuild(current_app.extensions["catalogue"])
    click.echo("Rollup read models rebuilt.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(rollups_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(demo_command)
