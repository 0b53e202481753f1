"""question versions keep their area, tier, difficulty, usage, category and lesson

Revision ID: 0006_question_version_meta
Revises: 0005_post_in_unit_assignments
Create Date: 2026-11-26 02:10:00

"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0006_question_version_meta'
down_revision = '0005_post_in_unit_assignments'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

def upgrade():
    with op.batch_alter_table('question_versions') as batch:
        batch.add_column(sa.Column('meta', JSON, nullable=True))
    # Existing versions take what their question says today.
    bind = op.get_bind()
    versions = sa.table('question_versions', sa.column('id', sa.Integer), sa.column('meta', JSON),
                        sa.column('content', JSON), sa.column('points', sa.Float),
                        sa.column('tags', JSON), sa.column('content_hash', sa.String))
    rows = bind.execute(sa.text(
        "SELECT v.id, q.area, q.tier, q.difficulty, q.usage, q.category, c.key, l.key"
        " FROM question_versions v JOIN questions q ON q.id = v.question_id"
        " LEFT JOIN lessons l ON l.id = q.lesson_id LEFT JOIN courses c ON c.id = l.course_id"))
    for vid, area, tier, difficulty, usage, category, course_key, lesson_key in rows.fetchall():
        meta = {"area": area, "tier": tier, "difficulty": difficulty, "usage": usage,
                "category": category or "",
                "lesson": f"{course_key}/{lesson_key}" if lesson_key else None}
        content, points, tags = bind.execute(
            sa.select(versions.c.content, versions.c.points, versions.c.tags).where(versions.c.id == vid)).one()
        # The version hash now covers the metadata too (app.questions.content.version_hash),
        # so an unchanged re-import or save keeps matching the stored version.
        blob = json.dumps({"c": content, "p": points, "t": tags, "m": meta}, ensure_ascii=False,
                          sort_keys=True)
        bind.execute(versions.update().where(versions.c.id == vid).values(
            meta=meta, content_hash=hashlib.sha256(blob.encode()).hexdigest()))
    with op.batch_alter_table('question_versions') as batch:
        batch.alter_column('meta', existing_type=JSON, nullable=False)

def downgrade():
    with op.batch_alter_table('question_versions') as batch:
        batch.drop_column('meta')
