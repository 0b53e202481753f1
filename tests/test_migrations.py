"""The models and the Alembic revisions describe the same schema, on every backend."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db


def test_autogenerate_finds_nothing_to_add(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_database_enforces_one_current_post(app, db, make_user, make_post):
    from datetime import date

    import sqlalchemy as sa

    from app.accounts.models import PostAssignment

    user = make_user()
    first, second = make_post(), make_post()
    db.session.add(PostAssignment(user_id=user.id, post_id=first.id, start_date=date(2024, 1, 1)))
    db.session.commit()
    db.session.add(PostAssignment(user_id=user.id, post_id=second.id, start_date=date(2025, 1, 1)))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
    else:
        raise AssertionError("two open post assignments were accepted")
