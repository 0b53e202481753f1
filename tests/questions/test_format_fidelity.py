"""What each format keeps: YAML keeps every field, XLSX keeps usage and rubric, GIFT and
Moodle XML keep weights, and every format says what it cannot carry (can_carry)."""

import io
import json
from dataclasses import asdict

import pytest
import yaml
from flask_babel import force_locale
from openpyxl import load_workbook

from app.questions.data import BlankAnswer, FormatError, OptionData, QuestionData
from app.questions.formats import aiken, gift, moodle_xml, xlsx, yaml_format
from tests.questions.test_formats import sample_bank, sheet


def sheet_with(header, rows) -> bytes:
    return sheet(rows, header=header)

ALL_FORMATS = (yaml_format, gift, moodle_xml, xlsx, aiken)


def fields(q: QuestionData) -> dict:
    """Every field but the line it was read from."""
    data = asdict(q)
    data.pop("line")
    return data


def assert_yaml_round_trip(questions: list[QuestionData]) -> None:
    assert questions
    back = yaml_format.parse(yaml_format.export(questions))
    assert back.errors == []
    assert len(back.questions) == len(questions)
    for original, copy in zip(questions, back.questions, strict=True):
        assert fields(copy) == fields(original), original.name


def rich_bank() -> list[QuestionData]:
    """Questions that use every field with a value that is not the default."""
    common = {"area": "cadre", "tier": "expert", "difficulty": 5, "lesson_key": "cadre-selection/cs-principles",
              "category": "top/干部工作/民主推荐", "tags": ["民主推荐", "选拔任用"]}
    return [
        QuestionData(type="single_choice", stem="<p>哪一项<b>正确</b>？&amp;</p>", stem_format="html",
                     name="html 单选", source_key="x-1", usage="exam", points=2.5,
                     options=[OptionData("A", "甲", 1.0, "对"), OptionData("B", "乙", -0.5, "扣一半"),
                              OptionData("C", "丙", 0.0, ""), OptionData("D", "true", 0.1, "")],
                     answer="A", explanation="多行\n解析", **common),
        QuestionData(type="multiple_choice", stem="选两项", name="选两项", usage="practice",
                     options=[OptionData("A", "一", 0.5), OptionData("B", "二", -1.0, "错"),
                              OptionData("C", "三", 0.5), OptionData("D", "1.0")],
                     answer=["A", "C"], **common),
        QuestionData(type="true_false", stem="判断", name="判断", answer=False, true_feedback="不对哦",
                     false_feedback="答对了", explanation="因为……", **common),
        QuestionData(type="fill_blank", stem="____和____", name="两空", case_sensitive=True, points=2,
                     blanks=[[BlankAnswer("Cat"), BlankAnswer("cat", 0.5)], [BlankAnswer("五"), BlankAnswer("5", 0.8)]],
                     **common),
        QuestionData(type="essay", stem="简述", name="简述", reference_answer="第一\n第二", points=10,
                     rubric=[{"point": "第一", "score": 6}, {"point": "第二", "score": 4}], **common),
        QuestionData(type="essay", stem="无要点", name="无要点"),  # everything left at its default
    ]


# YAML --------------------------------------------------------------------------------

@pytest.mark.parametrize("fixture", ["gift/questions.gift.txt", "gift/questions_in_category.gift.txt"])
def test_yaml_keeps_every_field_of_gift_fixtures(app, interop, fixture):
    assert_yaml_round_trip(gift.parse((interop / fixture).read_bytes()).questions)


def test_yaml_keeps_every_field_of_gift_test_cases(app, interop):
    cases = json.loads((interop / "gift/giftformat_test_cases.json").read_text())
    questions = [q for case in cases for q in gift.parse(case["input"].encode()).questions]
    assert_yaml_round_trip(questions)


@pytest.mark.parametrize("fixture", ["moodle_xml/multichoice.xml", "moodle_xml/truefalse.xml",
                                     "moodle_xml/nested_categories_with_questions.xml"])
def test_yaml_keeps_every_field_of_moodle_fixtures(app, interop, fixture):
    assert_yaml_round_trip(moodle_xml.parse((interop / fixture).read_bytes()).questions)


def test_yaml_keeps_every_field_of_moodle_test_cases(app, interop):
    cases = json.loads((interop / "moodle_xml/xmlformat_test_cases.json").read_text())
    questions = []
    for case in cases:
        questions += moodle_xml.parse(f"<quiz>{case['input']}</quiz>".encode()).questions
    assert_yaml_round_trip(questions)


def test_yaml_keeps_every_field_of_a_rich_bank(app):
    assert_yaml_round_trip(rich_bank())


def simple_bank() -> list[QuestionData]:
    """The sample bank as an importer gives it: each right option worth 100 %, no feedback."""
    bank = sample_bank()
    for q in bank:
        for o in q.options:
            o.fraction = 1.0 if o.key in (q.answer if isinstance(q.answer, list) else [q.answer]) else 0.0
    return bank


def test_yaml_uses_the_simple_syntax_when_it_loses_nothing(app):
    text = yaml_format.export(simple_bank()).decode()
    assert "fraction" not in text and "text:" not in text and "feedback" not in text
    document = yaml.safe_load(text)["questions"]
    assert document[0]["options"] == {"A": "每月", "B": "每两个月", "C": "每季度", "D": "每半年"}
    assert document[0]["answer"] == "C" and document[1]["answer"] == ["A", "B", "D"]
    assert document[3]["blanks"] == [["六", "6"]]
    assert_yaml_round_trip(simple_bank())
    assert_yaml_round_trip(sample_bank())  # right options worth 0 % are written out, and kept


def test_yaml_richer_syntax_only_where_needed(app):
    document = yaml.safe_load(yaml_format.export(rich_bank()))["questions"]
    single, multiple, _tf, fill = document[:4]
    assert single["options"]["A"] == {"text": "甲", "feedback": "对"}  # 100 % is what `answer` says
    assert single["options"]["B"] == {"text": "乙", "fraction": -0.5, "feedback": "扣一半"}
    assert single["options"]["C"] == "丙"
    assert multiple["options"]["B"] == {"text": "二", "fraction": -1, "feedback": "错"}
    assert fill["blanks"] == [["Cat", {"text": "cat", "fraction": 0.5}], ["五", {"text": "5", "fraction": 0.8}]]


def test_yaml_reads_percentages_and_mixed_options(app):
    text = """
questions:
  - type: multiple_choice
    stem: 选
    options:
      A: {text: 一, fraction: 50%}
      B: {text: 二, fraction: "-100 %", feedback: 错}
      C: 三
      D: 四
    answer: [A, C]
  - type: fill_blank
    stem: 最好的动物是____
    blanks: [[Frog, {text: Cat, fraction: 50%}]]
"""
    multiple, fill = yaml_format.parse(text.encode()).questions
    assert [(o.text, o.fraction, o.feedback) for o in multiple.options] == [
        ("一", 0.5, ""), ("二", -1.0, "错"), ("三", 1.0, ""), ("四", 0.0, "")]
    assert [(a.text, a.fraction) for a in fill.blanks[0]] == [("Frog", 1.0), ("Cat", 0.5)]


@pytest.mark.parametrize("fraction", ["150%", "abc", 2, "-1.5"])
def test_yaml_refuses_a_fraction_out_of_range(app, fraction):
    text = f"questions:\n  - type: single_choice\n    stem: 选\n    options:\n      A: {{text: 一, fraction: {fraction!r}}}\n" \
           "      B: 二\n    answer: A\n"
    with force_locale("en"):
        result = yaml_format.parse(text.encode())
        [error] = result.errors
        assert error.location == 2 and "option A" in str(error.message) and "-1" in str(error.message)


@pytest.mark.parametrize("text, line", [
    ("questions: [", 1),
    ("questions:\n  - type: essay\n    stem: 'unclosed\n", 4),
    ("questions:\n  - type: essay\n   stem: x\n", 3),
])
def test_yaml_syntax_errors_name_the_line_without_pyyaml_text(app, text, line):
    with pytest.raises(FormatError) as caught:
        yaml_format.parse(text.encode())
    assert caught.value.location == line
    message = str(caught.value.message)  # in the request's language
    assert str(line) in message
    for english in ("expected", "while", "found", "could not", "mapping", "scanning"):
        assert english not in message
    with force_locale("en"):
        assert str(caught.value.message) == f"The YAML is malformed near line {line}."


# GIFT and Moodle XML: one 100 % answer of a multiple response is a single choice --------

def test_gift_multiple_response_with_one_full_answer_is_a_single_choice(app, interop):
    cases = json.loads((interop / "gift/giftformat_test_cases.json").read_text())
    tricky = next(c for c in cases if c["test"] == "test_import_multichoice_multi_tricky")
    [q] = gift.parse(tricky["input"].encode()).questions
    assert q.type == "single_choice" and q.answer == "A"
    assert [(o.text, o.fraction) for o in q.options] == [("yellow", 1.0), ("red", -0.5), ("blue", -0.5)]
    for module in (gift, moodle_xml, yaml_format):
        [back] = module.parse(module.export([q])).questions
        assert back.type == "single_choice" and back.answer == "A", module.__name__
        assert [o.fraction for o in back.options] == [1.0, -0.5, -0.5], module.__name__
        assert [o.feedback for o in back.options] == [o.feedback for o in q.options], module.__name__


def test_gift_multiple_response_without_a_full_answer_stays_multiple(app):
    [q] = gift.parse(b"::m:: pick {~%50%a ~%50%b ~%-100%c}").questions
    assert q.type == "multiple_choice" and q.answer == ["A", "B"]


MOODLE_MULTI = """<quiz><question type="multichoice"><name><text>m</text></name>
<questiontext format="html"><text>pick</text></questiontext><single>false</single>
<answer fraction="100"><text>yes</text></answer>
<answer fraction="-50"><text>no</text></answer>
<answer fraction="0"><text>maybe</text></answer>
</question></quiz>"""


def test_moodle_multiple_response_with_one_full_answer_is_a_single_choice(app):
    [q] = moodle_xml.parse(MOODLE_MULTI.encode()).questions
    assert q.type == "single_choice" and q.answer == "A"
    assert [o.fraction for o in q.options] == [1.0, -0.5, 0.0]
    [back] = moodle_xml.parse(moodle_xml.export([q])).questions
    assert back.type == "single_choice" and [o.fraction for o in back.options] == [1.0, -0.5, 0.0]


def test_gift_and_moodle_keep_the_weights_of_a_multiple_response(app, interop):
    colours = next(q for q in gift.parse((interop / "gift/questions.gift.txt").read_bytes()).questions
                   if q.name == "colours")
    for module in (gift, moodle_xml):
        [back] = module.parse(module.export([colours])).questions
        assert [(o.text, o.fraction, o.feedback) for o in back.options] == [
            (o.text, o.fraction, o.feedback) for o in colours.options], module.__name__


def test_multiple_response_weights_add_up_to_100_percent_on_export(app):
    q = sample_bank()[1]  # three right options, each written with the default 100 %
    for module in (gift, moodle_xml):
        [back] = module.parse(module.export([q])).questions
        right = [o.fraction for o in back.options if o.key in q.answer]
        assert back.answer == q.answer and abs(sum(right) - 1.0) < 1e-6, module.__name__


# can_carry ---------------------------------------------------------------------------

def test_every_format_says_what_it_can_carry(app):
    bank = rich_bank() + sample_bank()
    two_blanks = bank[3]
    one_blank = sample_bank()[3]
    for module in ALL_FORMATS:
        assert callable(module.can_carry)
    assert all(yaml_format.can_carry(q) and xlsx.can_carry(q) for q in bank)
    assert not gift.can_carry(two_blanks) and not moodle_xml.can_carry(two_blanks)
    assert gift.can_carry(one_blank) and moodle_xml.can_carry(one_blank)
    assert [aiken.can_carry(q) for q in sample_bank()] == [True, False, False, False, False]
    image_only = QuestionData(type="single_choice", stem='<img src="https://x/y.png">', stem_format="html",
                              options=[OptionData("A", "a", 1.0), OptionData("B", "b")], answer="A")
    assert not aiken.can_carry(image_only)


@pytest.mark.parametrize("module", ALL_FORMATS)
def test_export_leaves_out_exactly_what_it_cannot_carry(app, module):
    bank = rich_bank() + sample_bank()
    carried = [q for q in bank if module.can_carry(q)]
    back = module.parse(module.export(bank)).questions
    assert [(q.type, q.answer) for q in back] == [(q.type, q.answer) for q in carried]
    assert len(carried) < len(bank) or module in (yaml_format, xlsx)


def test_aiken_writes_html_as_plain_text(app):
    q = QuestionData(type="single_choice", stem="<p>What is <b>&lt;b&gt;</b> &amp; &quot;x&quot;?</p><p>Two</p>",
                     stem_format="html", options=[OptionData("A", "<i> as text"), OptionData("B", "b & c")],
                     answer="A")
    text = aiken.export([q]).decode()
    assert text.splitlines()[0] == 'What is <b> & "x"? Two'
    assert "<p>" not in text and "&amp;" not in text
    [back] = aiken.parse(text.encode()).questions
    assert [o.text for o in back.options] == ["<i> as text", "b & c"] and back.answer == "A"


# XLSX --------------------------------------------------------------------------------

def test_xlsx_keeps_usage_and_rubric(app):
    bank = [q for q in rich_bank() if q.type != "fill_blank"] + sample_bank()
    back = xlsx.parse(xlsx.export(bank))
    assert back.errors == []
    for original, copy in zip(bank, back.questions, strict=True):
        assert copy.usage == original.usage
        assert copy.rubric == original.rubric
        assert copy.reference_answer == original.reference_answer
        assert (copy.type, copy.answer, copy.tags, copy.source_key) == (
            original.type, original.answer, original.tags, original.source_key)


@pytest.mark.parametrize("word, usage", [
    ("练习", "practice"), ("考试", "exam"), ("练习和考试", "both"), ("practice", "practice"),
    ("Exam", "exam"), ("both", "both"), ("", "both")])
def test_xlsx_usage_words(app, word, usage):
    [q] = xlsx.parse(sheet_with(("题目", "类型", "答案", "用途"), [("题", "判断题", "对", word)])).questions
    assert q.usage == usage


def test_xlsx_rubric_and_reference_answer_columns(app):
    data = sheet_with(("题目", "类型", "答案", "参考答案", "评分标准", "分值"), [
        ("简述一", "简答题", "", "参考", "要点一：3\n要点二: 2.5|要点：三：4.5", 10),
        ("简述二", "简答题", "答案列里的参考答案", "", "", 10),
    ])
    one, two = xlsx.parse(data).questions
    assert one.reference_answer == "参考"
    assert one.rubric == [{"point": "要点一", "score": 3}, {"point": "要点二", "score": 2.5},
                          {"point": "要点：三", "score": 4.5}]
    assert two.reference_answer == "答案列里的参考答案" and two.rubric == []


@pytest.mark.parametrize("column, value, needle", [
    ("用途", "自学", "自学"), ("评分标准", "只有要点", "只有要点"), ("评分标准", "要点：很多", "要点：很多")])
def test_xlsx_bad_usage_or_rubric_is_reported_with_its_row(app, column, value, needle):
    result = xlsx.parse(sheet_with(("题目", "类型", "答案", column), [("题", "简答题", "参考", value)]))
    [error] = result.errors
    assert error.location == 2 and error.unit == "row" and needle in str(error.message)


def test_xlsx_template_notes_are_in_chinese(app):
    book = load_workbook(io.BytesIO(xlsx.template()))
    assert book.sheetnames == ["题库", "填写说明"]
    lines = [row[0] for row in book["填写说明"].iter_rows(values_only=True) if row[0]]
    assert lines[0] == "填写说明" and len(lines) > 10
    for line in lines:
        assert sum("\u4e00" <= ch <= "\u9fff" for ch in line) >= len(line) / 4, line
    notes = "".join(lines)
    for word in ("用途", "评分标准", "参考答案", "YAML"):
        assert word in notes
    header = [c.value for c in book["题库"][1]]
    assert "用途" in header and "评分标准" in header
    examples = xlsx.parse(xlsx.template())
    assert examples.errors == []
    essay = next(q for q in examples.questions if q.type == "essay")
    assert essay.usage == "exam" and sum(r["score"] for r in essay.rubric) == essay.points


def test_xlsx_reads_and_writes_the_area_names_the_pages_show(app):
    result = xlsx.parse(sheet_with(("题目", "类型", "答案", "选项A", "选项B", "业务领域"), [
        ("组工干部应当坚持公道正派。", "判断题", "对", None, None, "组工干部自身建设"),
        ("组工信息报送要坚持什么？", "单选题", "A", "真实准确", "越快越好", "信息化与网络信息工作")]))
    assert result.errors == []
    assert [q.area for q in result.questions] == ["self_building", "informatization"]
    exported = load_workbook(io.BytesIO(xlsx.export(result.questions)))
    sheet = exported.worksheets[0]
    header = [c.value for c in sheet[1]]
    column = header.index("业务领域")
    assert [row[column].value for row in sheet.iter_rows(min_row=2)] == ["组工干部自身建设", "信息化与网络信息工作"]
