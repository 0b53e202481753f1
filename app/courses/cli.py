"""`flask handbook import DIR`: build or update courses from the handbook."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from app.courses.handbook import HandbookError, import_handbook
from app.extensions import db
from app.timeutil import utcnow

handbook_cli = AppGroup("handbook", help="Import the business handbook.")


@handbook_cli.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--quiet", is_flag=True, help="Print only the summary line.")
def import_command(directory: Path, quiet: bool) -> None:
    """Create or update courses from DIRECTORY/*.md; nothing is written if a file is bad."""
    try:
        report = import_handbook(directory, now=utcnow())
    except HandbookError as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc.path}:{exc.line}: {exc.reason}") from None
    db.session.commit()
    lines = report.lines()
    for line in lines[-1:] if quiet else lines:
        click.echo(line)


def init_app(app: Flask) -> None:
    app.cli.add_command(handbook_cli)
