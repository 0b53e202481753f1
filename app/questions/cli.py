"""`flask questions import PATH --format ...`: the same importer as the web and the API."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.extensions import db
from app.questions.importer import FORMATS, Defaults, ImportFailed, import_questions
from app.timeutil import utcnow
from app.vocabulary import AREAS, TIERS

questions_cli = AppGroup("questions", help="Manage the question bank.")


def guess_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if path.name.endswith(".gift.txt") or suffix == ".gift":
        return "gift"
    for code, (_module, suffixes) in FORMATS.items():
        if suffix in suffixes:
            return code
    raise click.BadParameter(f"cannot tell the format of {path.name}; pass --format")


@questions_cli.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), help="Default: from the suffix.")
@click.option("--dry-run", is_flag=True, help="Check and report; import nothing.")
@click.option("--publish/--draft", default=False, help="Publish at once (a trusted file) or keep as drafts.")
@click.option("--allow-partial", is_flag=True, help="Import the valid questions of a file with errors.")
@click.option("--area", type=click.Choice(list(AREAS)), default="cadre", show_default=True,
              help="Area for questions whose file does not say.")
@click.option("--tier", type=click.Choice(list(TIERS)), default="basic", show_default=True)
def import_command(path: Path, fmt: str | None, dry_run: bool, publish: bool, allow_partial: bool,
                   area: str, tier: str) -> None:
    """Import a question file, or every .yaml file of a folder (the shipped bank)."""
    files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")) if path.is_dir() else [path]
    failed = False
    for file in files:
        file_format = fmt or guess_format(file)
        data = file.read_bytes()
        with click.progressbar(length=max(1, data.count(b"\n")), label=file.name,
                               show_pos=False, file=None) as bar:
            try:
                report = import_questions(data, fmt=file_format, filename=file.name, actor=None,
                                          now=utcnow(), dry_run=dry_run, publish=publish,
                                          allow_partial=allow_partial, defaults=Defaults(area, tier),
                                          progress=lambda n: bar.update(n))
            except ImportFailed as exc:
                db.session.rollback()
                where = f"{file}:{exc.location}" if exc.location else str(file)
                raise click.ClickException(f"{where}: {exc.message}") from None
        for issue in report.errors:
            click.echo(f"  {_('error')}   {file.name}:{issue.location}: {issue.message}", err=True)
        already = _("Already in the bank.")  # counted in the summary; one line each is noise
        for issue in report.skipped_items:
            if not str(issue.message).endswith(already):
                click.echo(f"  {_('skipped')} {file.name}:{issue.location}: {issue.message}")
        template = (_("%(file)s: would import %(n)d, skipped %(skipped)d, errors %(errors)d")
                    if dry_run else _("%(file)s: imported %(n)d, skipped %(skipped)d, errors %(errors)d"))
        click.echo(template % {"file": file.name, "n": report.valid if dry_run else report.imported,
                               "skipped": report.skipped, "errors": len(report.errors)})
        failed = failed or bool(report.errors and not allow_partial)
    if failed:
        db.session.rollback()
        raise click.ClickException(_("errors found; nothing was imported from the files with errors"))
    db.session.commit()


def init_app(app: Flask) -> None:
    app.cli.add_command(questions_cli)
