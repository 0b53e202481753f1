"""Each type's templates: a learner's template shows nothing that gives the answer away,
and the trainer's pages still show it all."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask import render_template

from app.questions import services
from app.questions.content import to_content
from app.questions.data import BlankAnswer, OptionData, QuestionData
from app.questions.types import REGISTRY, get_type
from tests.conftest import csrf_token, login

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
COMMON = {"area": "cadre", "tier": "basic", "difficulty": 2, "explanation": "MARK-EXPLANATION"}


def marked(code: str) -> QuestionData:
    """A question of type `code` whose every secret is a marker string."""
    options = [OptionData("A", "可见甲", 1.0, "MARK-FEEDBACK-A"), OptionData("B", "可见乙", 0.0, "MARK-FEEDBACK-B"),
               OptionData("C", "可见丙", 0.0, "MARK-FEEDBACK-C")]
    if code == "single_choice":
        return QuestionData(type=code, stem="单选题干", options=options, answer="A", **COMMON)
    if code == "multiple_choice":
        for option in options[:2]:
            option.fraction = 0.37  # a weight that would show as 0.37 or 37%
        return QuestionData(type=code, stem="多选题干", options=options, answer=["A", "B"], **COMMON)
    if code == "true_false":
        return QuestionData(type=code, stem="判断题干", answer=True, true_feedback="MARK-TRUE-FEEDBACK",
                            false_feedback="MARK-FALSE-FEEDBACK", **COMMON)
    if code == "fill_blank":
        return QuestionData(type=code, stem="甲____乙____", blanks=[
            [BlankAnswer("MARK-ACCEPTED-ONE"), BlankAnswer("MARK-ACCEPTED-TWO", 0.37)],
            [BlankAnswer("MARK-ACCEPTED-THREE")]], **COMMON)
    return QuestionData(type=code, stem="简答题干", reference_answer="MARK-REFERENCE", points=Decimal(3),
                        rubric=[{"point": "MARK-RUBRIC", "score": 3}], **COMMON)


SECRETS = ("MARK-", "0.37", "37%", "checked")


@pytest.mark.parametrize("code", list(REGISTRY))
@pytest.mark.parametrize("seed", [None, 5])
def test_the_answer_template_gives_nothing_away(app, code, seed):
    data = marked(code)
    assert not services.problems(data), services.problems(data)
    view = get_type(code).present(to_content(data), shuffle_seed=seed).view
    with app.test_request_context():
        html = render_template("questions/_question.html", view=view, points=Decimal("1.5"), picked=None,
                               disabled=False)
    assert data.stem in html and "1.5" in html
    for secret in SECRETS:
        assert secret not in html, (code, secret)
    for option in data.options:
        assert option.text in html
    inputs = {"true_false": 2, "essay": 1}.get(code) or len(data.options) or len(data.blanks)
    assert html.count('name="answer"') == inputs


@pytest.mark.parametrize("code", list(REGISTRY))
def test_the_preview_gives_nothing_away(client, make_user, code):
    make_user(username="author", roles=("trainer",))
    login(client, "author")
    form = {"fill_blank": {"stem": "甲____乙____", "blanks": "MARK-ACCEPTED-ONE|MARK-ACCEPTED-TWO\nMARK-ACCEPTED-3"},
            "essay": {"reference_answer": "MARK-REFERENCE", "rubric": "MARK-RUBRIC | 2"},
            "true_false": {"truth": "true"},
            "single_choice": {"option_a": "可见甲", "option_b": "可见乙", "single_answer": "A"},
            "multiple_choice": {"option_a": "可见甲", "option_b": "可见乙", "option_c": "可见丙",
                                "multiple_answer": ["A", "B"]}}[code]
    html = client.post(f"/teach/questions/preview/{code}", data={
        "csrf_token": csrf_token(client, "/teach/questions"), "stem": "题干", "area": "cadre", "tier": "basic",
        "difficulty": 2, "lesson_id": 0, "usage": "both", "points": "2", "explanation": "MARK-EXPLANATION",
        **form}).get_data(as_text=True)
    assert 'data-testid="question"' in html
    assert "MARK-" not in html and "checked" not in html


@pytest.mark.parametrize("code", list(REGISTRY))
def test_trainer_pages_show_each_type(client, db, make_user, code):
    author = make_user(username="author", roles=("trainer",))
    data = marked(code)
    question = services.save(data, actor=author, now=NOW)
    db.session.commit()
    login(client, "author")
    page = client.get(f"/teach/questions/{question.id}").get_data(as_text=True)
    assert 'data-testid="right-answer"' in page and "MARK-EXPLANATION" in page
    secret = {"fill_blank": "MARK-ACCEPTED-TWO (37%)", "essay": "MARK-RUBRIC"}.get(code)
    if secret:
        assert secret in page
    edit = client.get(f"/teach/questions/{question.id}/edit").get_data(as_text=True)
    assert edit.count(get_type(code).label.__str__()) >= 1
    if code == "fill_blank":
        assert "MARK-ACCEPTED-ONE|MARK-ACCEPTED-TWO" in edit
    if code == "essay":
        assert "MARK-REFERENCE" in edit and "MARK-RUBRIC | 3" in edit


def test_points_and_scores_are_shown_exactly(client, db, make_user):
    """0.1 + 0.2 is 0.3 everywhere: in the bank, in sums, in grades and on the pages."""
    import sqlalchemy as sa

    from app.questions.formats import yaml_format
    from app.questions.models import QuestionVersion

    author = make_user(username="author", roles=("trainer",))
    first = services.save(QuestionData(type="true_false", stem="甲对", answer=True, points=Decimal("0.1"),
                                       **COMMON), actor=author, now=NOW)
    second = services.save(QuestionData(type="true_false", stem="乙对", answer=True, points=0.2, **COMMON),
                           actor=author, now=NOW)
    third = services.save(QuestionData(type="true_false", stem="丙对", answer=True,
                                       points=Decimal("0.1") + Decimal("0.2"), **COMMON), actor=author, now=NOW)
    db.session.commit()
    db.session.expire_all()
    total = db.session.scalar(sa.select(sa.func.sum(QuestionVersion.points)).where(
        QuestionVersion.question_id.in_([first.id, second.id])))
    assert total == Decimal("0.3")
    versions = [db.session.get(type(q), q.id).current_version for q in (first, second, third)]
    assert [v.points for v in versions] == [Decimal("0.1"), Decimal("0.2"), Decimal("0.3")]
    assert all(isinstance(v.points, Decimal) for v in versions)
    qtype = get_type("true_false")
    score = sum((qtype.grade(v.content, True, v.points).score for v in versions[:2]), Decimal(0))
    assert score == versions[2].points
    login(client, "author")
    page = client.get(f"/teach/questions/{third.id}").get_data(as_text=True)
    assert "0.3 分" in page and "0.30000000000000004" not in page
    whole = services.save(QuestionData(type="true_false", stem="丁对", answer=True, points=Decimal(2), **COMMON),
                          actor=author, now=NOW)
    db.session.commit()
    page = client.get(f"/teach/questions/{whole.id}").get_data(as_text=True)
    assert "2 分" in page and "2.00 分" not in page
    exported = yaml_format.export([services.to_question_data(q) for q in (first, third, whole)]).decode()
    assert "points: 0.1\n" in exported and "points: 0.3\n" in exported and "points: 2\n" in exported
