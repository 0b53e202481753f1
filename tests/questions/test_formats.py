"""Every format both ways, and every Moodle fixture as its README describes."""

import io
import json

import pytest
from openpyxl import Workbook, load_workbook

from app.questions.data import BlankAnswer, FormatError, OptionData, QuestionData
from app.questions.formats import aiken, gift, moodle_xml, xlsx, yaml_format


@pytest.fixture
def read(interop):
    return lambda name: (interop / name).read_bytes()


# GIFT --------------------------------------------------------------------------------

def test_gift_questions_file(app, read):
    result = gift.parse(read("gift/questions.gift.txt"))
    assert len(result.questions) + len(result.skipped) == 9
    kinds = [(q.name, q.type) for q in result.questions]
    assert kinds == [("Q8", "essay"), ("Q2", "single_choice"), ("colours", "multiple_choice"),
                     ("Shortanswer", "fill_blank"), ("Q1", "true_false"),
                     ("2-08 TSL", "true_false"), ("2-08 TSL", "true_false")]
    skipped = {issue.location: str(issue.message) for issue in result.skipped}
    assert set(skipped) == {5, 31}
    assert "Moodle activities" in skipped[5] and "Q5" in skipped[31]
    q2, colours, short, q1, t1, t2 = result.questions[1:]
    assert q2.answer == "A" and [o.text for o in q2.options] == ["yellow", "red", "blue"]
    assert [o.feedback for o in q2.options] == ["right; good!", "wrong, it's yellow", "wrong, it's yellow"]
    assert [o.fraction for o in colours.options] == [0.5, -1.0, 0.5, -1.0]
    assert colours.answer == ["A", "C"]
    assert [(a.text, a.fraction) for a in short.blanks[0]] == [("Frog", 1.0), ("Cat", 0.5)]
    assert q1.answer is False
    assert (q1.true_feedback, q1.false_feedback) == ("42 is the Ultimate Answer.", "You gave the right answer.")
    assert q1.explanation == "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    assert t1.answer is True and t2.answer is True
    assert result.errors == []


def test_gift_category_and_escapes(app, read):
    result = gift.parse(read("gift/questions_in_category.gift.txt"))
    assert len(result.questions) + len(result.skipped) == 4
    assert {q.category for q in result.questions} == {"$course$/Default for New Features"}
    greeting = next(q for q in result.questions if q.name == "Greeting")
    assert greeting.stem_format == "html" and greeting.answer == "B"
    assert 'href="http://demo.moodle.net/file.php/5/media/bonjour.mp3"' in greeting.stem  # \= and \: unescaped
    assert "Listen to this greeting:" in greeting.stem
    acronym = next(q for q in result.questions if q.name == "Moodle acronym")
    assert acronym.type == "true_false" and acronym.answer is True
    user = next(q for q in result.questions if q.name == "Moodle user")
    assert user.type == "fill_blank" and user.blanks[0][0].text == "Moodler"


def test_gift_refuses_a_non_utf8_file(app, read):
    with pytest.raises(FormatError) as caught:
        gift.parse(read("gift/questions_encoding_windows-1252.gift.txt"))
    assert "UTF-8" in str(caught.value.message)


MOODLE_TYPES = {"essay": "essay", "truefalse": "true_false", "shortanswer": "fill_blank"}


def test_gift_matches_moodles_parse_of_every_test_case(app, read):
    cases = json.loads(read("gift/giftformat_test_cases.json"))
    assert len(cases) == 14
    for case in cases:
        expected = case["expected"]
        result = gift.parse(case["input"].encode())
        if expected["qtype"] in ("match", "numerical"):
            assert len(result.skipped) == 1 and not result.questions, case["test"]
            continue
        assert len(result.questions) == 1, case["test"]
        q = result.questions[0]
        assert q.name == expected["name"], case["test"]
        assert q.stem == expected["questiontext"], case["test"]
        assert (q.stem_format == "html") == (expected["questiontextformat"] == 1), case["test"]
        assert q.explanation == expected.get("generalfeedback", ""), case["test"]
        if expected["qtype"] == "multichoice":
            # One answer worth 100 % is a single choice even when Moodle calls it multiple
            # response (case multichoice_multi_tricky): the interop README's mapping.
            positive = [float(f) for f in expected["fraction"] if float(f) > 0]
            one_right = positive == [1.0]
            assert q.type == ("single_choice" if expected["single"] or one_right else "multiple_choice")
            assert [o.text for o in q.options] == [a["text"] for a in expected["answer"]]
            assert [o.fraction for o in q.options] == [float(f) for f in expected["fraction"]]
            assert [o.feedback for o in q.options] == [f["text"] for f in expected["feedback"]]
        else:
            assert q.type == MOODLE_TYPES[expected["qtype"]], case["test"]
        if expected["qtype"] == "truefalse":
            assert q.answer is bool(expected["correctanswer"])
            assert q.true_feedback == expected["feedbacktrue"]["text"]
            assert q.false_feedback == expected["feedbackfalse"]["text"]
        if expected["qtype"] == "shortanswer":
            graded = [(a, f) for a, f in zip(expected["answer"], expected["fraction"], strict=True) if f > 0]
            assert [(a.text, a.fraction) for a in q.blanks[0]] == [(a, float(f)) for a, f in graded]
        if "tags" in expected:
            assert q.tags == expected["tags"]
        if "idnumber" in expected:
            assert q.source_key == expected["idnumber"]


# Aiken -------------------------------------------------------------------------------

def test_aiken_questions_keep_markup_as_text(app, read):
    result = aiken.parse(read("aiken/questions.aiken.txt"))
    assert [q.answer for q in result.questions] == ["B", "A"]
    assert all(q.stem_format == "text" for q in result.questions)
    assert '<html class="cool"> &' in result.questions[1].stem


def test_aiken_errors_name_their_lines(app, read):
    result = aiken.parse(read("aiken/aiken_errors.txt"))
    assert len(result.questions) == 3
    assert [e.location for e in result.errors] == [3, 5, 7, 18]
    assert [q.options[int(ord(q.answer) - 65)].text for q in result.questions] == [
        "Correct", "Correct (No space)", "Correct (< > &)"]


# Moodle XML --------------------------------------------------------------------------

def test_moodle_truefalse_with_inline_images(app, read):
    result = moodle_xml.parse(read("moodle_xml/truefalse.xml"))
    assert [q.answer for q in result.questions] == [False, True]
    assert all('src="data:image/' in q.stem for q in result.questions)
    assert {q.category for q in result.questions} == {"Default for testhead/TrueFalse"}


def test_moodle_multichoice(app, read):
    [greeting] = moodle_xml.parse(read("moodle_xml/multichoice.xml")).questions
    assert greeting.type == "single_choice" and greeting.answer == "B"
    assert [o.text for o in greeting.options] == ["English", "French", "German", "Danish"]
    assert greeting.category == "Default for testhead/Multichoice"


@pytest.mark.parametrize("name, expected", [
    ("category_with_description.xml", {"Alpha Question": "Alpha"}),
    ("nested_categories.xml", {"Zeta Question": "Delta/Epsilon/Zeta"}),
    ("nested_categories_with_questions.xml", {
        "Iota Question": "Iota", "Kappa Essay Question": "Iota/Kappa", "Kappa Question": "Iota/Kappa",
        "Lambda Question": "Iota/Kappa/Lambda", "Mu Question": "Iota/Mu"}),
    ("old_format_file.xml", {"Pi Question": "Pi", "Rho Question": "Pi/Rho"}),
    ("categories_reverse_order.xml", {"Tau Question": "Sigma/Tau", "Sigma Question": "Sigma"}),
])
def test_moodle_questions_land_in_their_categories(app, read, name, expected):
    result = moodle_xml.parse(read(f"moodle_xml/{name}"))
    assert {q.name: q.category for q in result.questions} == expected
    assert not result.errors and not result.skipped


def test_moodle_invalid_grade_is_refused_with_its_line(app, read):
    result = moodle_xml.parse(read("moodle_xml/error_invalid_grades.xml"))
    assert not result.questions
    [error] = result.errors
    assert error.location == 4 and "33" in str(error.message) and "38" in str(error.message)


@pytest.mark.parametrize("name, count", [
    ("broken_cloze_questions.xml", 5), ("multianswer.xml", 1), ("sample_questions_with_old_image_tag.xml", 1)])
def test_moodle_cloze_is_reported_as_skipped(app, read, name, count):
    result = moodle_xml.parse(read(f"moodle_xml/{name}"))
    assert len(result.skipped) == count
    assert all("cloze" in str(s.message) and s.location for s in result.skipped)


def test_moodle_idnumbers_with_html_characters(app, read):
    [q] = moodle_xml.parse(read("moodle_xml/html_chars_in_idnumbers.xml")).questions
    assert q.source_key == "T & F"


def test_moodle_test_cases(app, read):
    cases = json.loads(read("moodle_xml/xmlformat_test_cases.json"))
    assert len(cases) == 16
    for case in cases:
        expected = case.get("expected") or {}
        if expected.get("qtype") not in ("truefalse", "shortanswer", "essay", "multichoice"):
            continue
        wrapped = f"<quiz>{case['input']}</quiz>".encode()
        [q] = moodle_xml.parse(wrapped).questions
        assert q.name == expected["name"], case["test"]
        assert q.explanation == expected["generalfeedback"], case["test"]
        if "tags" in expected:
            assert q.tags == expected["tags"]
        if expected["qtype"] == "truefalse":
            assert q.answer is expected["correctanswer"]
            assert q.true_feedback == expected["feedbacktrue"]["text"]
            assert q.source_key == expected.get("idnumber")
        if expected["qtype"] == "multichoice":
            assert [o.fraction for o in q.options] == [float(f) for f in expected["fraction"]]
        if expected["qtype"] == "shortanswer":
            assert [a.text for a in q.blanks[0]] == [a for a, f in zip(expected["answer"], expected["fraction"],
                                                                       strict=True) if f > 0]


def test_malformed_xml_names_its_line(app):
    with pytest.raises(FormatError) as caught:
        moodle_xml.parse(b"<quiz>\n<question type='truefalse'>\n</quiz>")
    assert caught.value.location == 3


# XLSX --------------------------------------------------------------------------------

def sheet(rows, header=("题目", "类型", "答案", "解析", "选项A", "选项B", "选项C", "选项D", "分值", "难度", "知识点")):
    book = Workbook()
    ws = book.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_types_and_answer_spellings(app):
    data = sheet([
        ("单选", "单项选择题", "b", "解析", "甲", "乙", "丙", "", 1, "易", ""),
        ("多选", "多项选择题", "A,C,D", "", "甲", "乙", "丙", "丁", 2, 3, ""),
        ("多选2", "多选题", "ACD", "", "甲", "乙", "丙", "丁", "", "", ""),
        ("判断1", "判断题", "√", "", "", "", "", "", "", "", ""),
        ("判断2", "判断题", "错误", "", "", "", "", "", "", "", ""),
        ("判断3", "判断题", "F", "", "", "", "", "", "", "", ""),
        ("填空____和____", "填空题", "一年|1年；半年", "", "", "", "", "", "", "", ""),
        ("简答", "简答题", "参考答案", "", "", "", "", "", 10, "较难", "民主推荐"),
    ])
    result = xlsx.parse(data)
    assert result.errors == []
    answers = [q.answer for q in result.questions]
    assert answers[:6] == ["B", ["A", "C", "D"], ["A", "C", "D"], True, False, False]
    fill = result.questions[6]
    assert [[a.text for a in b] for b in fill.blanks] == [["一年", "1年"], ["半年"]]
    essay = result.questions[7]
    assert essay.reference_answer == "参考答案" and essay.difficulty == 4 and essay.lesson_key == "民主推荐"
    assert result.questions[0].difficulty == 1
    assert result.questions[2].points == 2.0  # default for 多选


@pytest.mark.parametrize("row, message", [
    (("题", "单选题", "E", "", "甲", "乙", "", "", "", "", ""), "E"),
    (("题", "单选题", "A", "", "甲", "甲", "", "", "", "", ""), "相同"),
    (("题", "单选题", "AB", "", "甲", "乙", "", "", "", "", ""), "只能有一个"),
    (("题", "问卷题", "A", "", "甲", "乙", "", "", "", "", ""), "问卷题"),
    (("题", "判断题", "也许", "", "", "", "", "", "", "", ""), "也许"),
    (("题", "单选题", "A", "", "甲", "", "丙", "", "", "", ""), "空缺"),
    (("题", "单选题", "A", "", "甲", "乙", "", "", "", "特难", ""), "特难"),
])
def test_xlsx_bad_rows_are_reported_with_their_row(app, row, message):
    result = xlsx.parse(sheet([("好题", "判断题", "对", "", "", "", "", "", "", "", ""), row]))
    [error] = result.errors
    assert error.location == 3 and error.unit == "row" and message in str(error.message)


def test_xlsx_missing_and_merged_header_cells(app):
    with pytest.raises(FormatError, match="答案"):
        xlsx.parse(sheet([("题", "判断题")], header=("题目", "类型")))
    book = Workbook()
    ws = book.active
    ws.append(["题目", "类型", "答案"])
    ws.merge_cells("B1:C1")
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(FormatError, match="B1:C1"):
        xlsx.parse(buffer.getvalue())


@pytest.mark.parametrize("data", [b"", b"not a workbook"])
def test_xlsx_unreadable(app, data):
    with pytest.raises(FormatError):
        xlsx.parse(data)


def test_xlsx_export_escapes_formula_cells(app):
    q = QuestionData(type="true_false", stem="=HYPERLINK(\"x\")", answer=True, explanation="+1 @x -2",
                     area="cadre", tier="basic", difficulty=3)
    book = load_workbook(io.BytesIO(xlsx.export([q])))
    ws = book.active
    assert ws["A2"].value == "'=HYPERLINK(\"x\")" and ws["D2"].value == "'+1 @x -2"
    assert ws["A2"].data_type == "s"
    [back] = xlsx.parse(xlsx.export([q])).questions
    assert back.stem == q.stem and back.explanation == q.explanation


# Round trips -------------------------------------------------------------------------

def sample_bank() -> list[QuestionData]:
    common = {"area": "organization", "tier": "intermediate", "difficulty": 3}
    return [
        QuestionData(type="single_choice", stem="支部党员大会一般多久召开一次？", answer="C", name="q1",
                     options=[OptionData(k, t, 1.0 if k == "C" else 0.0) for k, t in
                              zip("ABCD", ["每月", "每两个月", "每季度", "每半年"], strict=True)],
                     explanation="三会一课：支部党员大会一般每季度召开一次。", points=1, **common),
        QuestionData(type="multiple_choice", stem="“三会一课”中的“三会”指：", answer=["A", "B", "D"], name="q2",
                     options=[OptionData(k, t) for k, t in
                              zip("ABCD", ["支部党员大会", "支部委员会会议", "民主生活会", "党小组会"], strict=True)],
                     explanation="三会指支部党员大会、支部委员会会议、党小组会。", points=2, **common),
        QuestionData(type="true_false", stem="预备党员的预备期为一年。", answer=True, name="q3",
                     explanation="《中国共产党章程》规定预备期为一年。", points=1, **common),
        QuestionData(type="fill_blank", stem="党员连续____个月不参加党的组织生活，被认为是自行脱党。", name="q4",
                     blanks=[[BlankAnswer("六"), BlankAnswer("6")]], explanation="依据党章。", points=1, **common),
        QuestionData(type="essay", stem="简述发展党员的五个阶段。", name="q5",
                     reference_answer="入党申请人、积极分子、发展对象、预备党员接收、预备党员教育考察和转正。",
                     explanation="依据《中国共产党发展党员工作细则》（2014年）。", points=10, **common),
    ]


def same(a: QuestionData, b: QuestionData, *, options=True) -> None:
    assert (a.type, a.stem, a.answer) == (b.type, b.stem, b.answer)
    if options:
        assert [o.text for o in a.options] == [o.text for o in b.options]
    assert [[x.text for x in blank] for blank in a.blanks] == [[x.text for x in blank] for blank in b.blanks]


@pytest.mark.parametrize("module, carries", [
    (yaml_format, {"single_choice", "multiple_choice", "true_false", "fill_blank", "essay"}),
    (gift, {"single_choice", "multiple_choice", "true_false", "fill_blank", "essay"}),
    (moodle_xml, {"single_choice", "multiple_choice", "true_false", "fill_blank", "essay"}),
    (xlsx, {"single_choice", "multiple_choice", "true_false", "fill_blank", "essay"}),
    (aiken, {"single_choice"}),
])
def test_round_trip(app, module, carries):
    bank = sample_bank()
    back = module.parse(module.export(bank)).questions
    kept = [q for q in bank if q.type in carries]
    assert len(back) == len(kept)
    for original, copy in zip(kept, back, strict=True):
        same(original, copy)
        if module is not aiken:
            assert copy.explanation == original.explanation
        if module in (yaml_format, xlsx):
            assert (copy.area, copy.tier, copy.difficulty, copy.points) == (
                original.area, original.tier, original.difficulty, original.points)
