"""`flask users ...`: account commands for operators."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.accounts import services
from app.errors import DomainError
from app.extensions import db
from app.timeutil import local_today

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--name", prompt="Display name")
@click.password_option()
def create_admin(username: str, name: str, password: str) -> None:
    """Create an administrator account (for a fresh production database)."""
    data = services.UserData(username=username, name=name, org_unit=None, roles=("admin",),
                             joined_on=None)
    try:
        user = services.create_user(data, password, actor=None, today=local_today(),
                                    must_change_password=False)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from None
    db.session.commit()
    click.echo(f"Created administrator {user.username}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
