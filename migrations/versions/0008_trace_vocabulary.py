"""traces: the verbs and object types of exams, certificates and corrections

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:15:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OLD_VERBS = ('opened', 'studied', 'completed', 'attended', 'answered', 'passed', 'failed')
NEW_VERBS = OLD_VERBS + ('attempted', 'certified', 'regraded', 'withdrawn', 'voided')
OLD_OBJECTS = ('lesson', 'course', 'collective_session', 'exam', 'question')
NEW_OBJECTS = OLD_OBJECTS + ('certificate',)


def _in(values):
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _swap(verbs, objects):
    sqlite = op.get_bind().dialect.name == "sqlite"
    # A batch rebuild on SQLite copies the table and loses its trigger: drop and restore it.
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS traces_no_update")
    with op.batch_alter_table('traces') as batch:
        batch.drop_constraint(op.f('ck_traces_verb'), type_='check')
        batch.drop_constraint(op.f('ck_traces_object_type'), type_='check')
        batch.create_check_constraint(op.f('ck_traces_verb'), f"verb IN {_in(verbs)}")
        batch.create_check_constraint(op.f('ck_traces_object_type'), f"object_type IN {_in(objects)}")
    if sqlite:
        op.execute("""
            CREATE TRIGGER traces_no_update BEFORE UPDATE ON traces
            BEGIN SELECT RAISE(ABORT, 'traces are append-only'); END""")


def upgrade():
    _swap(NEW_VERBS, NEW_OBJECTS)


def downgrade():
    _swap(OLD_VERBS, OLD_OBJECTS)
