"""Grading edge cases for each question type."""

import pytest

from app.questions.types import REGISTRY, InvalidAnswer, normalize_text

SINGLE = {"options": [{"key": k, "text": t} for k, t in zip("ABCD", "甲乙丙丁", strict=True)], "answer": "B"}
MULTI = {"options": [{"key": k, "text": t} for k, t in zip("ABCD", "甲乙丙丁", strict=True)], "answer": ["A", "C", "D"]}
FILL = {"stem": "预备期为____，可以延长，但最长不超过____。",
        "blanks": [[{"text": "一年", "fraction": 1.0}, {"text": "1年", "fraction": 1.0}],
                   [{"text": "一年", "fraction": 1.0}, {"text": "12个月", "fraction": 1.0}]],
        "case_sensitive": False}


def grade(code, q, answer, points=2.0, policy="all_or_nothing"):
    qtype = REGISTRY[code]
    return qtype.grade(q, qtype.validate_answer(q, answer), points, policy=policy)


@pytest.mark.parametrize("answer, score", [("B", 2.0), ("b", 2.0), (" B ", 2.0), ("A", 0.0)])
def test_single_choice(answer, score):
    assert grade("single_choice", SINGLE, answer).score == score


@pytest.mark.parametrize("answer", ["E", 1, ["B"], None, ""])
def test_single_choice_refuses_malformed_answers(answer):
    with pytest.raises(InvalidAnswer):
        REGISTRY["single_choice"].validate_answer(SINGLE, answer)


@pytest.mark.parametrize("answer, policy, score", [
    (["A", "C", "D"], "all_or_nothing", 2.0),
    (["D", "c", "A"], "all_or_nothing", 2.0),   # order and case do not matter
    (["A", "C"], "all_or_nothing", 0.0),
    (["A", "C"], "partial", 1.0),               # 少选得一半分
    (["A"], "partial", 1.0),
    (["A", "B"], "partial", 0.0),               # 错选不得分
    (["A", "B", "C", "D"], "partial", 0.0),
    ([], "partial", 0.0),
    (["A", "A", "C", "D"], "all_or_nothing", 2.0),  # a repeated pick counts once
])
def test_multiple_choice_policies(answer, policy, score):
    assert grade("multiple_choice", MULTI, answer, policy=policy).score == score


def test_multiple_choice_refuses_unknown_keys():
    with pytest.raises(InvalidAnswer):
        REGISTRY["multiple_choice"].validate_answer(MULTI, ["A", "Z"])
    with pytest.raises(InvalidAnswer):
        REGISTRY["multiple_choice"].validate_answer(MULTI, "AC")


@pytest.mark.parametrize("answer, right", [(True, True), (False, False)])
def test_true_false(answer, right):
    assert grade("true_false", {"answer": True}, answer).correct is right


@pytest.mark.parametrize("answer", ["true", 1, None, "对"])
def test_true_false_needs_a_boolean(answer):
    with pytest.raises(InvalidAnswer):
        REGISTRY["true_false"].validate_answer({"answer": True}, answer)


@pytest.mark.parametrize("answer, score", [
    (["一年", "一年"], 2.0),
    (["1年", "12个月"], 2.0),
    (["１年", " 一 年 "], 2.0),      # full-width digits and stray spaces
    (["一年", "半年"], 1.0),          # each blank earns its share
    (["", ""], 0.0),
    (["两年", "两年"], 0.0),
])
def test_fill_blank_normalizes_and_credits_each_blank(answer, score):
    assert grade("fill_blank", FILL, answer).score == score


def test_fill_blank_case_sensitivity():
    q = {"blanks": [[{"text": "XML", "fraction": 1.0}]], "case_sensitive": False}
    assert grade("fill_blank", q, ["xml"], 1.0).correct
    q["case_sensitive"] = True
    assert not grade("fill_blank", q, ["xml"], 1.0).correct
    assert grade("fill_blank", q, ["ＸＭＬ"], 1.0).correct  # NFKC still applies


def test_fill_blank_partial_credit_answers():
    q = {"blanks": [[{"text": "Frog", "fraction": 1.0}, {"text": "Cat", "fraction": 0.5}]]}
    assert grade("fill_blank", q, ["cat"], 1.0).score == 0.5


def test_fill_blank_needs_one_string_per_blank():
    with pytest.raises(InvalidAnswer):
        REGISTRY["fill_blank"].validate_answer(FILL, ["一年"])


def test_essay_waits_for_a_trainer():
    result = grade("essay", {"rubric": []}, "我的回答", points=10)
    assert result.needs_review and result.score == 0


def test_normalize_text():
    assert normalize_text(" ＡＢＣ　１２３ ") == "abc123"
    assert normalize_text("（一）") == normalize_text("(一)")


@pytest.mark.parametrize("code, q, problem", [
    ("single_choice", {"options": [{"key": "A", "text": "甲"}, {"key": "B", "text": "甲"}], "answer": "A"}, "相同"),
    ("single_choice", {"options": [{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}], "answer": "C"}, "选项之一"),
    ("multiple_choice", {"options": [{"key": k, "text": t} for k, t in zip("ABC", "甲乙丙", strict=True)],
                         "answer": ["A"]}, "至少两个"),
    ("fill_blank", {"stem": "____和____", "blanks": [[{"text": "甲"}]]}, "标出了 2 个空"),
    ("true_false", {"answer": "yes"}, "正确"),
])
def test_definitions_are_checked(app, code, q, problem):
    assert any(problem in p for p in REGISTRY[code].validate(q))


def test_fill_blank_marks_must_match_the_blanks():
    qtype = REGISTRY["fill_blank"]
    one = [[{"text": "一年"}]]
    two = [[{"text": "一年"}], [{"text": "五个"}]]
    assert qtype.validate({"stem": "民主推荐结果多久内有效？", "blanks": one}) == []  # a short answer
    assert qtype.validate({"stem": "推荐结果____内有效，公示不少于____工作日。", "blanks": two}) == []
    assert qtype.validate({"stem": "推荐结果多久有效，公示多少工作日？", "blanks": two})
    assert qtype.validate({"stem": "推荐结果____内有效。", "blanks": two})
