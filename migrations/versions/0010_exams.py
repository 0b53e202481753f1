"""exams: exams, paper versions, audiences, attempts, answers

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:00:04.052568

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('post_certification_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=32), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.CheckConstraint("area IN ('cadre', 'organization', 'supervision', 'remote_edu', 'informatization', 'self_building')", name=op.f('ck_post_certification_targets_area')),
    sa.CheckConstraint("tier IN ('basic', 'intermediate', 'expert')", name=op.f('ck_post_certification_targets_tier')),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_certification_targets_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_certification_targets')),
    sa.UniqueConstraint('post_id', 'area', name=op.f('uq_post_certification_targets_post_id_area'))
    )
    op.create_table('exams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('area', sa.String(length=32), nullable=True),
    sa.Column('tier', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('time_limit_s', sa.Integer(), nullable=True),
    sa.Column('max_attempts', sa.Integer(), nullable=True),
    sa.Column('counting', sa.String(length=10), nullable=False),
    sa.Column('pass_score', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('shuffle', sa.Boolean(), nullable=False),
    sa.Column('multiple_choice_policy', sa.String(length=16), nullable=False),
    sa.Column('review_policy', sa.String(length=12), nullable=False),
    sa.Column('grace_s', sa.Integer(), nullable=False),
    sa.Column('max_tab_switches', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("area IS NULL OR area IN ('cadre', 'organization', 'supervision', 'remote_edu', 'informatization', 'self_building')", name=op.f('ck_exams_area')),
    sa.CheckConstraint("counting IN ('highest', 'last', 'first')", name=op.f('ck_exams_counting')),
    sa.CheckConstraint("kind <> 'certification' OR (area IS NOT NULL AND tier IS NOT NULL)", name=op.f('ck_exams_certification_area')),
    sa.CheckConstraint("kind IN ('exam', 'practice', 'daily', 'certification')", name=op.f('ck_exams_kind')),
    sa.CheckConstraint("multiple_choice_policy IN ('all_or_nothing', 'partial')", name=op.f('ck_exams_mc_policy')),
    sa.CheckConstraint("review_policy IN ('immediately', 'after_close', 'never')", name=op.f('ck_exams_review_policy')),
    sa.CheckConstraint("status IN ('draft', 'published', 'archived')", name=op.f('ck_exams_status')),
    sa.CheckConstraint("tier IS NULL OR tier IN ('basic', 'intermediate', 'expert')", name=op.f('ck_exams_tier')),
    sa.CheckConstraint('closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at', name=op.f('ck_exams_window')),
    sa.CheckConstraint('grace_s >= 0 AND grace_s <= 600', name=op.f('ck_exams_grace')),
    sa.CheckConstraint('max_attempts IS NULL OR max_attempts > 0', name=op.f('ck_exams_max_attempts')),
    sa.CheckConstraint('max_tab_switches IS NULL OR max_tab_switches > 0', name=op.f('ck_exams_tab_switches')),
    sa.CheckConstraint('pass_score >= 0 AND pass_score <= 100', name=op.f('ck_exams_pass_score')),
    sa.CheckConstraint('time_limit_s IS NULL OR time_limit_s > 0', name=op.f('ck_exams_time_limit')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_exams_version')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_exams_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exams'))
    )
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.create_index('ix_exams_status_kind', ['status', 'kind'], unique=False)

    op.create_table('exam_audience',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(CASE WHEN org_unit_id IS NULL THEN 0 ELSE 1 END + CASE WHEN post_id IS NULL THEN 0 ELSE 1 END + CASE WHEN user_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_exam_audience_one_target')),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_exam_audience_exam_id_exams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_exam_audience_org_unit_id_org_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_exam_audience_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_exam_audience_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_audience'))
    )
    with op.batch_alter_table('exam_audience', schema=None) as batch_op:
        batch_op.create_index('ix_exam_audience_exam', ['exam_id'], unique=False)

    op.create_table('exam_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('paper_mode', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("paper_mode IN ('fixed', 'rules')", name=op.f('ck_exam_versions_paper_mode')),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_exam_versions_exam_id_exams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_versions')),
    sa.UniqueConstraint('exam_id', 'version', name=op.f('uq_exam_versions_exam_id_version'))
    )
    op.create_table('post_exams',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_post_exams_exam_id_exams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_exams_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', 'exam_id', name=op.f('pk_post_exams'))
    )
    op.create_table('attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('exam_version_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('attempt_no', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('score', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('max_score', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('paper', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('paper_hash', sa.String(length=64), nullable=False),
    sa.Column('tab_switches', sa.Integer(), nullable=False),
    sa.Column('signals', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('submitted_by', sa.String(length=16), nullable=True),
    sa.CheckConstraint("kind IN ('exam', 'practice', 'daily', 'certification')", name=op.f('ck_attempts_kind')),
    sa.CheckConstraint("status = 'in_progress' OR finished_at IS NOT NULL", name=op.f('ck_attempts_finished')),
    sa.CheckConstraint("status IN ('in_progress', 'submitted', 'pending_review', 'graded')", name=op.f('ck_attempts_status')),
    sa.CheckConstraint('attempt_no >= 1', name=op.f('ck_attempts_attempt_no')),
    sa.CheckConstraint('deadline IS NULL OR deadline >= started_at', name=op.f('ck_attempts_deadline')),
    sa.CheckConstraint('max_score >= 0', name=op.f('ck_attempts_max_score')),
    sa.CheckConstraint('score IS NULL OR (score >= 0 AND score <= max_score)', name=op.f('ck_attempts_score')),
    sa.CheckConstraint('tab_switches >= 0', name=op.f('ck_attempts_tab_switches')),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_attempts_exam_id_exams'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['exam_version_id'], ['exam_versions.id'], name=op.f('fk_attempts_exam_version_id_exam_versions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_attempts_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempts')),
    sa.UniqueConstraint('user_id', 'exam_id', 'attempt_no', name=op.f('uq_attempts_user_id_exam_id_attempt_no'))
    )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index('ix_attempts_exam_status', ['exam_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempts_exam_version_id'), ['exam_version_id'], unique=False)
        batch_op.create_index('ix_attempts_overdue', ['deadline'], unique=False, sqlite_where=sa.text("status = 'in_progress'"), postgresql_where=sa.text("status = 'in_progress'"))
        batch_op.create_index('uq_attempts_open', ['user_id', 'exam_id'], unique=True, sqlite_where=sa.text("status = 'in_progress'"), postgresql_where=sa.text("status = 'in_progress'"))

    op.create_table('exam_paper_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_version_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('points IS NULL OR points > 0', name=op.f('ck_exam_paper_items_points')),
    sa.CheckConstraint('position >= 0', name=op.f('ck_exam_paper_items_position')),
    sa.ForeignKeyConstraint(['exam_version_id'], ['exam_versions.id'], name=op.f('fk_exam_paper_items_exam_version_id_exam_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_exam_paper_items_question_id_questions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_paper_items')),
    sa.UniqueConstraint('exam_version_id', 'question_id', name=op.f('uq_exam_paper_items_exam_version_id_question_id'))
    )
    with op.batch_alter_table('exam_paper_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_paper_items_question_id'), ['question_id'], unique=False)

    op.create_table('exam_paper_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=32), nullable=False),
    sa.Column('qtype', sa.String(length=20), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=True),
    sa.Column('tag', sa.String(length=100), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('points', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.CheckConstraint("area IN ('cadre', 'organization', 'supervision', 'remote_edu', 'informatization', 'self_building')", name=op.f('ck_exam_paper_rules_area')),
    sa.CheckConstraint("qtype IN ('single_choice', 'multiple_choice', 'true_false', 'fill_blank', 'essay')", name=op.f('ck_exam_paper_rules_qtype')),
    sa.CheckConstraint("tier IN ('basic', 'intermediate', 'expert')", name=op.f('ck_exam_paper_rules_tier')),
    sa.CheckConstraint('count > 0 AND count <= 500', name=op.f('ck_exam_paper_rules_count')),
    sa.CheckConstraint('points > 0', name=op.f('ck_exam_paper_rules_points')),
    sa.CheckConstraint('position >= 0', name=op.f('ck_exam_paper_rules_position')),
    sa.ForeignKeyConstraint(['exam_version_id'], ['exam_versions.id'], name=op.f('fk_exam_paper_rules_exam_version_id_exam_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_exam_paper_rules_lesson_id_lessons'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_paper_rules'))
    )
    with op.batch_alter_table('exam_paper_rules', schema=None) as batch_op:
        batch_op.create_index('ix_exam_paper_rules_version', ['exam_version_id'], unique=False)

    op.create_table('attempt_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('device', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('correct', sa.Boolean(), nullable=True),
    sa.Column('graded', sa.Boolean(), nullable=False),
    sa.CheckConstraint('score IS NULL OR score >= 0', name=op.f('ck_attempt_answers_score')),
    sa.CheckConstraint('seq >= 0', name=op.f('ck_attempt_answers_seq')),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_attempt_answers_attempt_id_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_attempt_answers_question_id_questions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_answers')),
    sa.UniqueConstraint('attempt_id', 'question_id', name=op.f('uq_attempt_answers_attempt_id_question_id'))
    )
    with op.batch_alter_table('attempt_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_answers_question_id'), ['question_id'], unique=False)



def downgrade():
    for table in ('attempt_answers', 'exam_paper_rules', 'exam_paper_items', 'attempts',
                  'post_exams', 'exam_versions', 'exam_audience', 'exams',
                  'post_certification_targets'):
        op.drop_table(table)
