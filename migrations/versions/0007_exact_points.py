"""question versions: points become exact (Numeric(8, 2)), never floats

Revision ID: 0007
Revises: 0006_question_version_meta
Create Date: 2026-12-01 23:20:00

"""

import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006_question_version_meta'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _rehash_rounded(bind):
    """A version whose float points had more than two decimals changes value when rounded to
    the cent; its version hash (app.questions.content.version_hash) follows, so an unchanged
    save still matches it. Whole and two-place points hash as before and are left alone."""
    versions = sa.table('question_versions', sa.column('id', sa.Integer), sa.column('content', JSON),
                        sa.column('points', sa.Float), sa.column('tags', JSON), sa.column('meta', JSON),
                        sa.column('content_hash', sa.String))
    rows = bind.execute(sa.select(versions.c.id, versions.c.content, versions.c.points, versions.c.tags,
                                  versions.c.meta)).fetchall()
    for vid, content, points, tags, meta in rows:
        if points is None:
            continue
        exact = Decimal(repr(float(points))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if float(exact) == float(points):
            continue
        blob = json.dumps({"c": content, "p": float(exact), "t": tags, "m": meta}, ensure_ascii=False,
                          sort_keys=True)
        bind.execute(versions.update().where(versions.c.id == vid).values(
            points=float(exact), content_hash=hashlib.sha256(blob.encode()).hexdigest()))


def upgrade():
    _rehash_rounded(op.get_bind())
    with op.batch_alter_table('question_versions') as batch:
        batch.alter_column('points', existing_type=sa.Float(), type_=sa.Numeric(8, 2),
                           existing_nullable=False, postgresql_using='round(points::numeric, 2)')


def downgrade():
    with op.batch_alter_table('question_versions') as batch:
        batch.alter_column('points', existing_type=sa.Numeric(8, 2), type_=sa.Float(),
                           existing_nullable=False)
