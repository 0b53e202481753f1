"""The question-type interface the exam engine builds on: present, parse, grade, exactly."""

from decimal import Decimal

import pytest

from app.errors import DomainError
from app.questions.types import (
    OPTION_KEYS,
    REGISTRY,
    Grade,
    InvalidAnswer,
    Policy,
    Presented,
    get_type,
)

MARKERS = {"answer", "fraction", "feedback", "explanation", "rubric", "reference_answer",
           "true_feedback", "false_feedback", "case_sensitive"}
SINGLE = {"stem": "哪个对？", "stem_format": "text", "explanation": "解析",
          "options": [{"key": k, "text": t, "fraction": 1.0 if k == "C" else 0.0, "feedback": "fb"}
                      for k, t in zip("ABCD", "甲乙丙丁", strict=True)], "answer": "C"}
MULTI = {"stem": "哪些对？", "stem_format": "text", "explanation": "",
         "options": [{"key": k, "text": t, "fraction": 0.0, "feedback": ""}
                     for k, t in zip("ABCDE", "甲乙丙丁戊", strict=True)], "answer": ["A", "C", "D"]}
TRUE_FALSE = {"stem": "对吗？", "answer": False, "true_feedback": "x", "false_feedback": "y"}
FILL = {"stem": "____和____", "blanks": [[{"text": "甲", "fraction": 1.0}, {"text": "乙", "fraction": 0.5}],
                                        [{"text": "丙", "fraction": 1.0}]], "case_sensitive": False}
ESSAY = {"stem": "简述。", "reference_answer": "要点", "rubric": [{"point": "一", "score": 5}]}
CONTENTS = {"single_choice": SINGLE, "multiple_choice": MULTI, "true_false": TRUE_FALSE,
            "fill_blank": FILL, "essay": ESSAY}


def test_registry_and_get_type():
    assert set(REGISTRY) == set(CONTENTS)
    for code, qtype in REGISTRY.items():
        assert get_type(code) is qtype and qtype.code == code
        assert qtype.edit_template and qtype.show_template and qtype.answer_template
    assert not get_type("essay").auto_graded and get_type("fill_blank").auto_graded


@pytest.mark.parametrize("code", list(CONTENTS))
def test_present_shows_no_answer(code):
    presented = get_type(code).present(CONTENTS[code])
    assert isinstance(presented, Presented)
    view = presented.view
    assert set(view) == {"type", "stem", "stem_format", "options", "blanks"}
    assert view["type"] == code and view["stem"] == CONTENTS[code]["stem"]
    for option in view["options"]:
        assert set(option) == {"key", "text"}
    assert not MARKERS & set(view)


def test_present_without_a_seed_keeps_the_stored_order():
    presented = get_type("single_choice").present(SINGLE)
    assert [o["key"] for o in presented.view["options"]] == list("ABCD")
    assert [o["text"] for o in presented.view["options"]] == list("甲乙丙丁")
    assert presented.key_map == {k: k for k in "ABCD"}
    assert get_type("fill_blank").present(FILL).view["blanks"] == 2
    assert get_type("fill_blank").present(FILL).key_map == {}
    assert get_type("single_choice").present(SINGLE).view["blanks"] == 0


def test_a_seed_shuffles_deterministically_and_relabels():
    qtype = get_type("multiple_choice")
    first, again = qtype.present(MULTI, shuffle_seed=7), qtype.present(MULTI, shuffle_seed=7)
    assert first == again
    assert [o["key"] for o in first.view["options"]] == list(OPTION_KEYS[:5])
    texts = {o["key"]: o["text"] for o in MULTI["options"]}
    for option in first.view["options"]:
        assert texts[first.key_map[option["key"]]] == option["text"]
    orders = {tuple(o["text"] for o in qtype.present(MULTI, shuffle_seed=s).view["options"]) for s in range(20)}
    assert len(orders) > 1


def test_answers_travel_under_the_shown_keys():
    qtype = get_type("multiple_choice")
    presented = qtype.present(MULTI, shuffle_seed=3)
    shown_right = qtype.correct_answer(MULTI, key_map=presented.key_map)
    stored = qtype.parse_answer(MULTI, shown_right, key_map=presented.key_map)
    assert stored == ["A", "C", "D"]
    assert qtype.shown_answer(stored, key_map=presented.key_map) == sorted(shown_right)
    assert qtype.grade(MULTI, stored, Decimal("2")).correct

    single = get_type("single_choice")
    presented = single.present(SINGLE, shuffle_seed=11)
    shown = single.correct_answer(SINGLE, key_map=presented.key_map)
    assert presented.key_map[shown] == "C"
    assert single.parse_answer(SINGLE, shown.lower(), key_map=presented.key_map) == "C"
    assert single.shown_answer("C", key_map=presented.key_map) == shown
    assert single.correct_answer(SINGLE) == "C"


def test_a_key_the_attempt_never_showed_is_refused():
    key_map = {"A": "B", "B": "A"}  # an attempt that showed two of four options
    with pytest.raises(InvalidAnswer):
        get_type("single_choice").parse_answer(SINGLE, "C", key_map=key_map)
    with pytest.raises(InvalidAnswer):
        get_type("multiple_choice").parse_answer(MULTI, ["A", "E"], key_map=key_map)


def test_invalid_answer_is_a_translated_domain_error(app):
    with pytest.raises(InvalidAnswer) as caught:
        get_type("true_false").parse_answer(TRUE_FALSE, "yes")
    error = caught.value
    assert isinstance(error, DomainError) and error.code == "invalid_answer"
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert "答案" in str(error.message)


@pytest.mark.parametrize("code, raw, parsed", [
    ("single_choice", " b ", "B"),
    ("multiple_choice", ["c", "A", "A"], ["A", "C"]),
    ("true_false", True, True),
    ("fill_blank", ["甲", "丙"], ["甲", "丙"]),
    ("essay", "文字", "文字"),
])
def test_parse_answer_and_back(code, raw, parsed):
    qtype = get_type(code)
    assert qtype.parse_answer(CONTENTS[code], raw) == parsed
    assert qtype.shown_answer(parsed) == parsed


@pytest.mark.parametrize("code", list(CONTENTS))
def test_unanswered_scores_zero(code):
    grade = get_type(code).grade(CONTENTS[code], None, Decimal("3"))
    assert grade == Grade(Decimal("0.00"), Decimal("3.00"), False)


def test_scores_are_exact_decimals():
    fill = get_type("fill_blank")
    grade = fill.grade(FILL, ["乙", "丙"], Decimal("0.3"))  # (0.5 + 1) / 2 of 0.3
    assert grade.score == Decimal("0.23") and isinstance(grade.score, Decimal)  # 0.225 rounds half up
    assert str(grade.max_score) == "0.30"
    grade = fill.grade(FILL, ["甲", "丙"], Decimal("0.1"))
    assert grade.correct and grade.score == Decimal("0.10")
    multi = get_type("multiple_choice")
    half = multi.grade(MULTI, ["A"], Decimal("0.25"), Policy.PARTIAL)
    assert half.score == Decimal("0.13") and not half.correct
    assert multi.grade(MULTI, ["A"], Decimal("3"), "partial").score == Decimal("1.5")
    assert multi.grade(MULTI, ["A"], Decimal("3")).score == 0
    total = sum((get_type("true_false").grade(TRUE_FALSE, False, Decimal(p)).score for p in ("0.1", "0.2")),
                Decimal(0))
    assert total == Decimal("0.3") and str(total) == "0.30"
    # A float slips in from old code: it is taken at its shortest repr, not its binary value.
    assert get_type("single_choice").grade(SINGLE, "C", 0.1).score == Decimal("0.10")


def test_essay_answers_wait_for_a_trainer():
    grade = get_type("essay").grade(ESSAY, "我的回答", Decimal("5"))
    assert grade.needs_review and grade.score == 0 and grade.max_score == Decimal("5")
    assert get_type("essay").correct_answer(ESSAY) == "要点"


def test_policy_values():
    assert Policy("partial") is Policy.PARTIAL and Policy.ALL_OR_NOTHING == "all_or_nothing"
