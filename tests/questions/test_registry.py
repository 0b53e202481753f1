"""The type registry, the database's CHECK constraint, the importers, the exporters and the
YAML format's documentation name the same question types."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.questions import services
from app.questions.formats import aiken, gift, moodle_xml, xlsx, yaml_format
from app.questions.models import Question
from app.questions.types import REGISTRY
from tests.questions.test_type_templates import NOW, marked

ROOT = Path(__file__).resolve().parents[2]


def test_the_check_constraint_is_built_from_the_registry():
    [check] = [c for c in Question.__table__.constraints
               if isinstance(c, sa.CheckConstraint) and "type IN" in str(c.sqltext)]
    assert set(re.findall(r"'(\w+)'", str(check.sqltext))) == set(REGISTRY)


def test_the_migrated_database_accepts_exactly_the_registry(db):
    for code in REGISTRY:  # every type is accepted...
        services.save(marked(code), actor=None, now=NOW)
    db.session.commit()
    assert sorted(db.session.scalars(sa.select(Question.type))) == sorted(REGISTRY)
    question = db.session.scalars(sa.select(Question)).first()
    with pytest.raises(sa.exc.IntegrityError):  # ...and nothing else
        db.session.execute(sa.update(Question).where(Question.id == question.id).values(type="matching"))
        db.session.flush()
    db.session.rollback()


def test_the_formats_have_a_rule_for_every_type():
    everything = set(REGISTRY)
    assert set(xlsx.TYPES.values()) == set(xlsx.TYPE_NAMES) == set(xlsx.READERS) == everything
    assert set(xlsx.ANSWER_TEXT) == set(xlsx.DEFAULT_POINTS) == everything
    assert set(gift.WRITERS) == set(moodle_xml.WRITERS) == set(moodle_xml.MOODLE_TYPES) == everything
    assert set(moodle_xml.MOODLE_TYPES.values()) <= moodle_xml.SUPPORTED
    assert set(yaml_format.ANSWERS) <= everything and set(yaml_format.WRITTEN_EVEN_EMPTY) <= everything
    assert aiken.TYPES.issubset(everything)


@pytest.mark.parametrize("code", list(REGISTRY))
@pytest.mark.parametrize("module", [yaml_format, xlsx, gift, moodle_xml, aiken])
def test_every_format_round_trips_the_types_it_carries(app, module, code):
    data = marked(code)
    if code == "fill_blank" and module in (gift, moodle_xml):
        data.stem, data.blanks = "甲", data.blanks[:1]  # a short answer: one blank
    if not module.can_carry(data):
        assert module is aiken and code != "single_choice"
        return
    result = module.parse(module.export([data]))
    assert not result.errors, [e.as_dict() for e in result.errors]
    [back] = result.questions
    assert back.type == code
    if module not in (gift, aiken):  # GIFT and Aiken carry no points
        assert back.points == data.points


def test_the_yaml_documentation_lists_the_registry():
    doc = (ROOT / "docs" / "question-bank-format.md").read_text(encoding="utf-8")
    listed = re.search(r"type: \w+\s+# ([\w |]+)", doc).group(1)
    assert {t.strip() for t in listed.split("|")} == set(REGISTRY)


def test_every_type_has_its_templates():
    templates = ROOT / "app" / "templates"
    for qtype in REGISTRY.values():
        for name in (qtype.edit_template, qtype.show_template, qtype.answer_template):
            assert (templates / name).is_file(), name


def test_no_type_branches_outside_the_registry():
    """Views, services, the importer and templates ask the registry; they never test a type."""
    pattern = re.compile(r"""(qtype|\.type|type)\s*(==|!=|\bin\b)\s*[("']+(single_choice|multiple_choice|"""
                         r"""true_false|fill_blank|essay)""")
    files = [ROOT / "app" / "questions" / name for name in ("routes.py", "content.py", "services.py",
                                                            "importer.py", "history.py")]
    files += list((ROOT / "app" / "templates").rglob("*.html"))
    offenders = [str(f.relative_to(ROOT)) for f in files if pattern.search(f.read_text(encoding="utf-8"))]
    assert offenders == []
