"""study clocks carry the sitting being counted (one studied trace per sitting)

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-01 23:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('study_clocks') as batch:
        batch.add_column(sa.Column('sitting_lesson_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('sitting_started_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('sitting_last_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('sitting_seconds', sa.Integer(), server_default='0', nullable=False))
        batch.create_foreign_key(batch.f('fk_study_clocks_sitting_lesson_id_lessons'), 'lessons',
                                 ['sitting_lesson_id'], ['id'], ondelete='SET NULL')
        batch.create_index(batch.f('ix_study_clocks_sitting_last_at'), ['sitting_last_at'], unique=False)
        batch.create_check_constraint(batch.f('ck_study_clocks_sitting_seconds'), 'sitting_seconds >= 0')


def downgrade():
    with op.batch_alter_table('study_clocks') as batch:
        batch.drop_constraint(batch.f('ck_study_clocks_sitting_seconds'), type_='check')
        batch.drop_index(batch.f('ix_study_clocks_sitting_last_at'))
        batch.drop_constraint(batch.f('fk_study_clocks_sitting_lesson_id_lessons'), type_='foreignkey')
        batch.drop_column('sitting_seconds')
        batch.drop_column('sitting_last_at')
        batch.drop_column('sitting_started_at')
        batch.drop_column('sitting_lesson_id')
