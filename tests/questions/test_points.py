"""Points are exact: every format reads them as Decimals and refuses what is not a sane
number of points, one question at a time; exports write them without float noise."""

from decimal import Decimal

import pytest

from app.questions.data import QuestionData
from app.questions.formats import moodle_xml, xlsx, yaml_format
from app.questions.types import points_problem, to_points
from tests.questions.test_formats import sheet


@pytest.mark.parametrize("value, points", [
    (1, Decimal("1")), ("2.5", Decimal("2.5")), (0.1, Decimal("0.1")), ("1.5000000", Decimal("1.5")),
    (Decimal("1000"), Decimal("1000")), ("0.01", Decimal("0.01")),
])
def test_good_points(value, points):
    assert to_points(value) == points and isinstance(to_points(value), Decimal)
    assert points_problem(value) is None


@pytest.mark.parametrize("value, words", [
    ("abc", "不是有效的数字"), ("nan", "不是有效的数字"), (float("inf"), "不是有效的数字"), (True, "不是有效的数字"),
    (None, "不是有效的数字"), (0, "大于零"), (-1, "大于零"), ("1000.01", "超过了 1000"), ("0.333", "两位"),
])
def test_bad_points_say_why(app, value, words):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert words in points_problem(value)
        with pytest.raises(ValueError):
            to_points(value)


YAML_ITEM = """\
  - id: q{n}
    type: true_false
    area: cadre
    tier: basic
    stem: 第{n}题对吗？
    answer: true
    points: {points}
"""


def test_yaml_reports_bad_points_per_question(app):
    values = ["1", "0.25", ".nan", "-1", "1001", "0.333", "abc", ".inf"]
    text = "questions:\n" + "".join(YAML_ITEM.format(n=n, points=v) for n, v in enumerate(values))
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        result = yaml_format.parse(text.encode())
        assert [q.points for q in result.questions] == [Decimal("1"), Decimal("0.25")]
        assert len(result.errors) == 6
        assert all("分值" in str(e.message) for e in result.errors)
        assert [e.location for e in result.errors] == [2 + 7 * n for n in range(2, 8)]
        assert "q5" in str(result.errors[3].message)  # 0.333 names its question


def test_xlsx_reports_bad_points_per_row(app):
    rows = [(f"判断{n}", "判断题", "对", "", "", "", "", "", value, "", "")
            for n, value in enumerate([0.1, "2.5", "x", -2, 0.125, 5000])]
    result = xlsx.parse(sheet(rows))
    assert [q.points for q in result.questions] == [Decimal("0.1"), Decimal("2.5")]
    assert [e.location for e in result.errors] == [4, 5, 6, 7]


def test_moodle_defaultgrade_is_exact(app):
    def quiz(grade):
        return (f'<?xml version="1.0"?><quiz><question type="truefalse"><name><text>n</text></name>'
                f'<questiontext format="plain_text"><text>对吗？</text></questiontext>'
                f'<defaultgrade>{grade}</defaultgrade>'
                f'<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>'
                f'</question></quiz>').encode()

    assert moodle_xml.parse(quiz("2.5000000")).questions[0].points == Decimal("2.5")
    assert moodle_xml.parse(quiz("0")).questions[0].points == Decimal("1")  # Moodle's "no grade"
    for bad in ("0.3333333", "abc", "NaN", "2000"):
        result = moodle_xml.parse(quiz(bad))
        assert not result.questions and len(result.errors) == 1, bad


def test_exports_write_points_without_float_noise(app):
    questions = [QuestionData(type="true_false", stem=f"第{n}题", answer=True, points=points, area="cadre",
                              tier="basic", difficulty=1)
                 for n, points in enumerate([Decimal("0.1") + Decimal("0.2"), Decimal("2.00"), Decimal("0.35")])]
    text = yaml_format.export(questions).decode()
    assert "points: 0.3\n" in text and "points: 2\n" in text and "points: 0.35\n" in text
    assert [q.points for q in yaml_format.parse(text.encode()).questions] == [
        Decimal("0.3"), Decimal("2"), Decimal("0.35")]
    assert [q.points for q in xlsx.parse(xlsx.export(questions)).questions] == [
        Decimal("0.3"), Decimal("2"), Decimal("0.35")]
    xml = moodle_xml.export(questions).decode()
    assert "<defaultgrade>0.3000000</defaultgrade>" in xml and "0.30000000000000004" not in xml
