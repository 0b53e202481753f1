"""course assignments: a post within an org unit's subtree

Revision ID: 0005_post_in_unit_assignments
Revises: 0004_job_runs
Create Date: 2026-11-26 02:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005_post_in_unit_assignments'
down_revision = '0004_job_runs'
branch_labels = None
depends_on = None

NEW = ("(user_id IS NOT NULL AND org_unit_id IS NULL AND post_id IS NULL)"
       " OR (user_id IS NULL AND (org_unit_id IS NOT NULL OR post_id IS NOT NULL))")
OLD = ("(CASE WHEN org_unit_id IS NULL THEN 0 ELSE 1 END)"
       " + (CASE WHEN post_id IS NULL THEN 0 ELSE 1 END)"
       " + (CASE WHEN user_id IS NULL THEN 0 ELSE 1 END) = 1")


def upgrade():
    with op.batch_alter_table('course_assignments') as batch:
        batch.drop_constraint(op.f('ck_course_assignments_one_target'), type_='check')
        batch.create_check_constraint(op.f('ck_course_assignments_target'), NEW)


def downgrade():
    op.execute("DELETE FROM course_assignments WHERE org_unit_id IS NOT NULL AND post_id IS NOT NULL")
    with op.batch_alter_table('course_assignments') as batch:
        batch.drop_constraint(op.f('ck_course_assignments_target'), type_='check')
        batch.create_check_constraint(op.f('ck_course_assignments_one_target'), OLD)
