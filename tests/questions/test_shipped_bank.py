"""The shipped bank: at least 300 questions, every type and tier, each tied to a handbook
lesson with an explanation, and all of it importable (published) on top of the handbook."""

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.accounts import services as accounts
from app.cli.demo import POSTS
from app.courses.handbook import import_handbook
from app.questions.formats import yaml_format
from app.questions.importer import import_questions
from app.questions.models import Question
from app.questions.types import REGISTRY
from app.vocabulary import TIERS

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def bank_files():
    return sorted((ROOT / "question_bank").glob("*.yaml"))


@pytest.fixture
def parsed(app):
    files = bank_files()
    if not files:
        pytest.skip("the question bank is not written yet")
    questions = []
    for path in files:
        result = yaml_format.parse(path.read_bytes())
        assert result.errors == [], (path.name, [(e.location, str(e.message)) for e in result.errors])
        questions += result.questions
    return questions


def test_size_types_tiers_and_links(parsed):
    assert len(parsed) >= 300
    assert set(Counter(q.type for q in parsed)) == set(REGISTRY)
    assert set(Counter(q.tier for q in parsed)) == set(TIERS)
    for q in parsed:
        assert q.lesson_key and "/" in q.lesson_key, q.source_key
        assert q.explanation.strip(), q.source_key
    ids = [q.source_key for q in parsed]
    assert len(ids) == len(set(ids))


def test_the_bank_imports_on_top_of_the_handbook(db, parsed):
    for code, name, area, description in POSTS:
        accounts.create_post(code, name, area, description)
    import_handbook(ROOT / "handbook", now=NOW)
    total = 0
    for path in bank_files():
        report = import_questions(path.read_bytes(), fmt="yaml", filename=path.name, actor=None, now=NOW,
                                  publish=True)
        assert report.errors == [], (path.name, [(e.location, str(e.message)) for e in report.errors])
        total += report.imported
    db.session.commit()
    assert total == len(parsed)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question).where(
        Question.lesson_id.is_(None))) == 0
