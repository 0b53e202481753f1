"""Spreadsheets in the layout Chinese exam systems use.

Columns (header row; any order; other columns ignored): 题目, 类型, 答案, 解析, 选项A…选项F,
分值, 难度, 知识点, and optionally 业务领域, 层级, 用途, 评分标准, 参考答案, 标签, 编号.
- 类型: 单选题/单项选择题, 多选题/多项选择题, 判断题, 填空题, 简答题.
- 答案: 单选 `B`; 多选 `ACD` or `A,C,D`; 判断 对/错, 正确/错误, √/×, T/F; 填空: blanks separated
  by `；` or `;`, each blank's accepted answers by `|`; 简答: the reference answer (or in 参考答案).
- 难度: 1-5, or 易/较易/中等/较难/难.
- 用途: 练习/考试/练习和考试 (or practice/exam/both); empty means both.
- 评分标准 (essay rubric): items `要点：分值`, one a line or separated by `|`.
A spreadsheet cannot carry option fractions and feedback, partial credit of fill-in answers,
case sensitivity, true/false feedback, categories or HTML stems; export them as YAML.
The instruction sheet of the template (NOTES) is in Chinese: it is for the trainers.
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from app.questions.data import (
    BlankAnswer,
    FormatError,
    OptionData,
    ParseIssue,
    ParseResult,
    QuestionData,
)
from app.questions.formats import plain_number
from app.questions.types import OPTION_KEYS, to_points
from app.vocabulary import AREA_ALIASES, AREA_NAMES_ZH, AREAS, TIER_ALIASES, TIERS

TYPES = {
    "单选题": "single_choice", "单项选择题": "single_choice", "单选": "single_choice",
    "多选题": "multiple_choice", "多项选择题": "multiple_choice", "多选": "multiple_choice",
    "判断题": "true_false", "判断": "true_false",
    "填空题": "fill_blank", "填空": "fill_blank",
    "简答题": "essay", "简答": "essay", "问答题": "essay", "论述题": "essay",
}
TYPE_NAMES = {"single_choice": "单选题", "multiple_choice": "多选题", "true_false": "判断题",
              "fill_blank": "填空题", "essay": "简答题"}
TRUTH = {"对": True, "正确": True, "√": True, "✓": True, "T": True, "TRUE": True, "是": True,
         "错": False, "错误": False, "×": False, "✗": False, "X": False, "F": False, "FALSE": False, "否": False}
DIFFICULTY_WORDS = {"易": 1, "容易": 1, "较易": 2, "中": 3, "中等": 3, "一般": 3, "较难": 4, "难": 5, "困难": 5}
REQUIRED = ("题目", "类型", "答案")
OPTION_COLUMNS = [f"选项{k}" for k in OPTION_KEYS]
COLUMNS = ["题目", "类型", "答案", "解析", *OPTION_COLUMNS, "分值", "难度", "知识点", "业务领域", "层级", "用途",
           "评分标准", "标签", "编号"]
FORMULA_START = ("=", "+", "-", "@")
BLANK_SPLIT = re.compile(r"[;；\n]")
TIER_NAMES = {"basic": "初级", "intermediate": "中级", "expert": "专家"}
USAGES = {"练习": "practice", "考试": "exam", "练习和考试": "both", "练习与考试": "both", "练习/考试": "both",
          "练习、考试": "both", "practice": "practice", "exam": "exam", "both": "both"}
USAGE_NAMES = {"practice": "练习", "exam": "考试", "both": "练习和考试"}
RUBRIC_SPLIT = re.compile(r"[|｜\n]")
RUBRIC_ITEM = re.compile(r"^(.*?)\s*[：:]\s*([^：:]*)$", re.DOTALL)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    # Our own export escapes formula-like text with a leading apostrophe; take it off.
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        text = text[1:]
    return text


def parse(data: bytes) -> ParseResult:
    if not data:
        raise FormatError(_l("The file is empty."))
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise FormatError(_l("The file is not a readable .xlsx workbook.")) from None
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header_index = next((i for i, row in enumerate(rows) if any(_cell(c) for c in row)), None)
    if header_index is None:
        raise FormatError(_l("The spreadsheet is empty."))
    header_row = header_index + 1
    merged = [str(r) for r in sheet.merged_cells.ranges if r.min_row <= header_row <= r.max_row]
    if merged:
        raise FormatError(_l("Row %(row)d: the header has merged cells (%(cells)s); unmerge them so each "
                             "column has its own title.", row=header_row, cells=", ".join(merged)),
                          location=header_row)
    columns: dict[str, int] = {}
    for index, value in enumerate(rows[header_index]):
        title = _cell(value).replace(" ", "")
        if title and title not in columns:
            columns[title] = index
    missing = [title for title in REQUIRED if title not in columns]
    if missing:
        raise FormatError(_l("Row %(row)d: the header lacks the column(s) %(names)s.", row=header_row,
                             names="、".join(missing)), location=header_row)
    merged_rows = {}
    for cell_range in sheet.merged_cells.ranges:
        for row in range(cell_range.min_row, cell_range.max_row + 1):
            merged_rows.setdefault(row, str(cell_range))

    result = ParseResult()
    for offset, values in enumerate(rows[header_index + 1:], start=header_row + 1):
        cells = {title: _cell(values[index]) if index < len(values) else "" for title, index in columns.items()}
        if not any(cells.values()):
            continue
        if offset in merged_rows:
            result.errors.append(ParseIssue(offset, _l("merged cells (%(cells)s); unmerge them.",
                                                       cells=merged_rows[offset]), "row"))
            continue
        try:
            result.questions.append(_question(cells, offset))
        except ValueError as exc:
            result.errors.append(ParseIssue(offset, str(exc), "row"))
    if not result.questions and not result.errors:
        raise FormatError(_l("The spreadsheet has a header but no questions."), location=header_row)
    return result


def _question(cells: dict[str, str], row: int) -> QuestionData:
    type_name = cells.get("类型", "")
    qtype = TYPES.get(type_name.replace(" ", ""))
    if qtype is None:
        raise ValueError(str(_l("类型 %(value)s is not one of 单选题, 多选题, 判断题, 填空题, 简答题.",
                                value=type_name or "（空）")))
    stem = cells.get("题目", "")
    if not stem:
        raise ValueError(str(_l("题目 is empty.")))
    question = QuestionData(type=qtype, stem=stem, line=row, explanation=cells.get("解析", ""),
                            name=stem[:50], source_key=cells.get("编号") or None)
    question.points = to_points(cells["分值"]) if cells.get("分值") else None
    question.difficulty = _difficulty(cells.get("难度", ""))
    question.lesson_key = cells.get("知识点") or None
    area, tier = cells.get("业务领域", ""), cells.get("层级", "")
    question.area = (area if area in AREAS else AREA_ALIASES.get(area)) if area else None
    question.tier = (tier if tier in TIERS else TIER_ALIASES.get(tier)) if tier else None
    if area and question.area is None:
        raise ValueError(str(_l("业务领域 %(value)s is not known.", value=area)))
    if tier and question.tier is None:
        raise ValueError(str(_l("层级 %(value)s is not one of 初级, 中级, 专家.", value=tier)))
    question.tags = [t for t in re.split(r"[,，、;；\s]+", cells.get("标签", "")) if t]
    usage = cells.get("用途", "").replace(" ", "")
    if usage:
        question.usage = USAGES.get(usage.lower() if usage.isascii() else usage)
        if question.usage is None:
            raise ValueError(str(_l("用途 %(value)s is not one of 练习, 考试, 练习和考试.", value=usage)))
    question.rubric = _rubric(cells.get("评分标准", ""))
    READERS[qtype](question, cells, cells.get("答案", ""))
    if question.points is None:  # the defaults the notes sheet promises (item 9)
        question.points = DEFAULT_POINTS[qtype](question)
    return question


def _read_options(question: QuestionData, cells: dict[str, str], answer: str) -> list[str]:
    """The options of a choice row, with the keys 答案 picks (each a known, different option)."""
    options = [(key, cells.get(f"选项{key}", "")) for key in OPTION_KEYS]
    last = max((i for i, (_k, text) in enumerate(options) if text), default=-1)
    if any(not text for _k, text in options[: last + 1]):
        raise ValueError(str(_l("Options must be filled from 选项A on, without gaps.")))
    question.options = [OptionData(key, text) for key, text in options[: last + 1]]
    keys = {o.key for o in question.options}
    picked = [c for c in re.sub(r"[\s,，、;；]", "", answer.upper())]
    if not picked:
        raise ValueError(str(_l("答案 is empty.")))
    missing = [p for p in picked if p not in keys]
    if missing:
        raise ValueError(str(_l("答案 %(answer)s names option(s) %(keys)s that the row does not have.",
                                answer=answer, keys="、".join(missing))))
    if len(set(picked)) != len(picked):
        raise ValueError(str(_l("答案 %(answer)s repeats an option.", answer=answer)))
    texts = [o.text for o in question.options]
    if len(set(texts)) != len(texts):
        raise ValueError(str(_l("Two options have the same text.")))
    for option in question.options:
        option.fraction = 1.0 if option.key in picked else 0.0
    return picked


def _read_single(question: QuestionData, cells: dict[str, str], answer: str) -> None:
    picked = _read_options(question, cells, answer)
    if len(picked) != 1:
        raise ValueError(str(_l("A 单选题 has exactly one answer, not %(answer)s.", answer=answer)))
    question.answer = picked[0]


def _read_multiple(question: QuestionData, cells: dict[str, str], answer: str) -> None:
    question.answer = sorted(_read_options(question, cells, answer))


def _read_truth(question: QuestionData, cells: dict[str, str], answer: str) -> None:
    value = TRUTH.get(answer.upper() if answer.isascii() else answer)
    if value is None:
        raise ValueError(str(_l("答案 %(answer)s of a 判断题 must be 对/错, 正确/错误, √/× or T/F.",
                                answer=answer or "（空）")))
    question.answer = value


def _read_blanks(question: QuestionData, cells: dict[str, str], answer: str) -> None:
    blanks = [[BlankAnswer(v.strip()) for v in part.split("|") if v.strip()]
              for part in BLANK_SPLIT.split(answer) if part.strip()]
    if not blanks:
        raise ValueError(str(_l("答案 is empty.")))
    question.blanks = blanks


def _read_reference(question: QuestionData, cells: dict[str, str], answer: str) -> None:
    question.reference_answer = cells.get("参考答案") or answer


# How the 答案 column reads for each of our types, and the points a row gets when 分值 is
# empty (the notes sheet, item 9: a fill-in gets one per blank).
READERS = {"single_choice": _read_single, "multiple_choice": _read_multiple, "true_false": _read_truth,
           "fill_blank": _read_blanks, "essay": _read_reference}
DEFAULT_POINTS = {"single_choice": lambda q: Decimal(1), "multiple_choice": lambda q: Decimal(2),
                  "true_false": lambda q: Decimal(1), "fill_blank": lambda q: Decimal(len(q.blanks) or 1),
                  "essay": lambda q: Decimal(10)}


def _whole(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _rubric(text: str) -> list[dict]:
    """评分标准: `要点：分值` items, one a line or separated by `|`."""
    rubric = []
    for part in RUBRIC_SPLIT.split(text or ""):
        part = part.strip()
        if not part:
            continue
        match = RUBRIC_ITEM.match(part)
        try:
            score = float(match.group(2)) if match and match.group(1).strip() else None
        except ValueError:
            score = None
        if score is None:
            raise ValueError(str(_l("评分标准 %(item)s must be written 要点：分值 (a point, a colon, a score).",
                                    item=part)))
        rubric.append({"point": match.group(1).strip(), "score": _whole(score)})
    return rubric


def _difficulty(text: str) -> int | None:
    if not text:
        return None
    if text in DIFFICULTY_WORDS:
        return DIFFICULTY_WORDS[text]
    try:
        value = float(text)
    except ValueError:
        raise ValueError(str(_l("难度 %(value)s must be 1-5 or 易/较易/中等/较难/难.", value=text))) from None
    if not value.is_integer() or not 1 <= value <= 5:
        raise ValueError(str(_l("难度 %(value)s must be 1-5 or 易/较易/中等/较难/难.", value=text)))
    return int(value)


def safe_cell(value):
    """Text that a spreadsheet would take for a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _answer_text(q: QuestionData) -> str:
    return ANSWER_TEXT[q.type](q)


# What the 答案 column says for each of our types.
ANSWER_TEXT = {
    "single_choice": lambda q: q.answer or "",
    "multiple_choice": lambda q: "".join(q.answer or []),
    "true_false": lambda q: "对" if q.answer else "错",
    "fill_blank": lambda q: "；".join("|".join(a.text for a in blank) for blank in q.blanks),
    "essay": lambda q: q.reference_answer,
}


def _rubric_text(rubric: list[dict]) -> str:
    """评分标准 as the import reads it: `要点：分值`, one a line."""
    lines = []
    for item in rubric:
        score = item.get("score")
        if isinstance(score, (int, float)) and not isinstance(score, bool):
            score = _whole(float(score))
        lines.append(f"{item.get('point', '')}：{score}")
    return "\n".join(lines)


def can_carry(q: QuestionData) -> bool:
    """Every question fits a row (see the module docstring for the details a row loses)."""
    return q.type in TYPE_NAMES


def export(questions: list[QuestionData]) -> bytes:
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = "题库"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for q in questions:
        if not can_carry(q):
            continue
        options = {o.key: o.text for o in q.options}
        row = [q.stem, TYPE_NAMES[q.type], _answer_text(q), q.explanation,
               *[options.get(k, "") for k in OPTION_KEYS],
               plain_number(q.points), q.difficulty, q.lesson_key or "", AREA_NAMES_ZH.get(q.area, q.area or ""),
               TIER_NAMES.get(q.tier, q.tier or ""), USAGE_NAMES.get(q.usage, q.usage or ""),
               _rubric_text(q.rubric), "、".join(q.tags), q.source_key or ""]
        sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


NOTES = (
    "填写说明",
    "1. “题库”工作表的第一行是表头。列的顺序可以调整，不认识的列会被忽略。必须有的列：题目、类型、答案。"
    "示例行请删除后再填写自己的题目。",
    "2. 类型：单选题（或单项选择题）、多选题（或多项选择题）、判断题、填空题、简答题（或问答题、论述题）。",
    "3. 选项：单选题和多选题从“选项A”开始依次填写，最多到“选项F”，中间不能空缺，各选项内容不能相同。"
    "单选题至少 2 个选项，多选题至少 3 个选项。",
    "4. 答案：单选题填一个字母，如 B；多选题填至少两个字母，如 ACD 或 A,C,D；"
    "判断题填 对/错、正确/错误、√/× 或 T/F。",
    "5. 填空题：在题目中用“____”（四个下划线）标出每个空。答案按空的顺序填写，各空之间用“；”分隔，"
    "同一个空的几个可接受答案之间用“|”分隔，例如：一年|1年；半年。",
    "6. 简答题：参考答案填在“答案”列，也可以填在“参考答案”列（两列都填时以“参考答案”为准）。",
    "7. 评分标准（简答题用）：每个要点写成“要点：分值”，一行一个要点，也可以用“|”分隔，"
    "例如：干部档案必审：3|个人有关事项报告必核：3。各要点分值之和应等于本题分值。",
    "8. 解析：答题后给学员看的讲解，建议填写。",
    "9. 分值：大于 0、不超过 1000 的数，最多两位小数。不填时单选题、判断题 1 分，多选题 2 分，填空题每空 1 分，简答题 10 分。",
    "10. 难度：1 到 5 的整数，或 易、较易、中等、较难、难。不填时按导入时选择的默认值。",
    "11. 知识点：题目考查的课时，写成“课程编号/课时编号”，如 cadre-selection/cs-recommendation；"
    "找不到对应课时的，作为标签保留。",
    f"12. 业务领域：{'、'.join(AREA_NAMES_ZH.values())}；层级：初级、中级、专家。不填时按导入时选择的默认值。",
    "13. 用途：练习、考试 或 练习和考试。不填即为练习和考试。",
    "14. 标签：多个标签之间用逗号、顿号或空格分隔。",
    "15. 编号：题目在本单位题库中的唯一编号，可以不填。再次导入编号相同而内容有改动的题目时，会成为该题的新版本。",
    "16. 表格中不要有合并单元格。以“=”“+”“-”“@”开头的文字，请在前面加英文单引号“'”，以免被当作公式。",
    "17. 表格保存不了以下内容：选项的得分比例和反馈、填空题答案的部分得分、是否区分大小写、判断题的反馈、"
    "题目分类、带格式（HTML）的题干。需要完整保留这些内容时，请导出为 YAML 格式。",
)


def template() -> bytes:
    """The blank import template, with one example row per type and a notes sheet."""
    examples = [
        QuestionData(type="single_choice", stem="民主推荐结果一般在多长时间内有效？", answer="B",
                     options=[OptionData(k, t) for k, t in zip("ABCD", ["半年", "一年", "两年", "三年"], strict=True)],
                     explanation="依据《党政领导干部选拔任用工作条例》（2019年修订），民主推荐结果一般在一年内有效。",
                     points=1, difficulty=2, lesson_key="cadre-selection/cs-recommendation",
                     area="cadre", tier="basic"),
        QuestionData(type="multiple_choice", stem="民主推荐包括哪些方式？", answer=["A", "B"],
                     options=[OptionData(k, t) for k, t in zip("ABC", ["谈话调研推荐", "会议推荐", "个人自荐"], strict=True)],
                     explanation="民主推荐包括谈话调研推荐和会议推荐。", points=2, difficulty=2,
                     area="cadre", tier="basic"),
        QuestionData(type="true_false", stem="预备党员的预备期为一年。", answer=True,
                     explanation="党章规定预备期为一年。", points=1, difficulty=1, area="organization", tier="basic"),
        QuestionData(type="fill_blank", stem="任职前公示期不少于____个工作日。",
                     blanks=[[BlankAnswer("五"), BlankAnswer("5")]], explanation="公示期不少于五个工作日。",
                     points=1, difficulty=2, area="cadre", tier="basic"),
        QuestionData(type="essay", stem="简述“凡提四必”的内容。",
                     reference_answer="干部档案必审、个人有关事项报告必核、纪检监察机关意见必听、线索具体的信访举报必查。",
                     rubric=[{"point": "干部档案必审", "score": 3}, {"point": "个人有关事项报告必核", "score": 3},
                             {"point": "纪检监察机关意见必听", "score": 2}, {"point": "线索具体的信访举报必查", "score": 2}],
                     points=10, difficulty=3, area="cadre", tier="intermediate", usage="exam"),
    ]
    workbook = load_workbook(io.BytesIO(export(examples)))
    notes = workbook.create_sheet("填写说明")
    for line in NOTES:
        notes.append([line])
    notes.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
