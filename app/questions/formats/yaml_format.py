"""Our own YAML bank format (docs/question-bank-format.md): carries everything.

The simple syntax (`A: text`, `answer: B`, `blanks: [["a", "b"]]`) is what people write by
hand. Where a question says more than that syntax can hold, an option may be a mapping
`{text, fraction, feedback}` and an accepted blank answer a mapping `{text, fraction}`;
the exporter writes those mappings only where the simple form would lose something.
"""

from __future__ import annotations

import math
from decimal import Decimal

import yaml
from flask_babel import lazy_gettext as _l

from app.questions.data import (
    BlankAnswer,
    FormatError,
    OptionData,
    ParseIssue,
    ParseResult,
    QuestionData,
)
from app.questions.formats import decode_utf8, plain_number
from app.questions.types import OPTION_KEYS, to_points
from app.vocabulary import AREA_ALIASES, TIER_ALIASES

LINE = "__line__"


class _LineLoader(yaml.SafeLoader):
    """Records the line where each mapping starts (as `__line__`)."""


def _construct_mapping(loader, node):
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def can_carry(q: QuestionData) -> bool:
    """YAML holds every question of the bank, with every field."""
    return True


def parse(data: bytes) -> ParseResult:
    text = decode_utf8(data)
    try:
        document = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        if mark is None:
            raise FormatError(_l("The YAML is malformed.")) from None
        raise FormatError(_l("The YAML is malformed near line %(line)d.", line=mark.line + 1),
                          location=mark.line + 1) from None
    if isinstance(document, list):
        document = {"questions": document, LINE: 1}
    if not isinstance(document, dict) or not isinstance(document.get("questions"), list):
        raise FormatError(_l("The YAML must hold a list under 'questions'."), location=1)
    file_area = document.get("area")
    result = ParseResult()
    for item in document["questions"]:
        if not isinstance(item, dict):
            result.errors.append(ParseIssue(None, _l("Each question must be a mapping.")))
            continue
        line = item.get(LINE)
        try:
            result.questions.append(_question(item, file_area, line))
        except (ValueError, TypeError, KeyError) as exc:
            result.errors.append(ParseIssue(line, _l("Question %(id)s: %(reason)s",
                                                     id=item.get("id", "?"), reason=str(exc))))
    return result


def _text(value) -> str:
    return "" if value is None else str(value)


def _fraction(value, where: str) -> float:
    """A grade share: a number from -1 to 1, or a percentage such as `50%` or `-100 %`."""
    number = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        raw = value.strip()
        try:
            number = float(raw[:-1].strip()) / 100 if raw.endswith("%") else float(raw)
        except ValueError:
            number = None
    if number is None or math.isnan(number) or not -1.0 <= number <= 1.0:
        raise ValueError(str(_l("%(where)s: the fraction %(value)s must be a number from -1 to 1 "
                                "or a percentage from -100%% to 100%%.", where=where, value=value)))
    return number


def _points(value) -> Decimal:
    """Exact points; a bad value is this question's error (types.to_points says why)."""
    return to_points(value)


def _question(item: dict, file_area: str | None, line: int) -> QuestionData:
    qtype = str(item.get("type", "")).strip()
    area = item.get("area", file_area)
    tier = item.get("tier")
    stem = _text(item.get("stem"))
    data = QuestionData(
        type=qtype, stem=stem, line=line,
        stem_format="html" if item.get("stem_format") == "html" else "text",
        explanation=_text(item.get("explanation")),
        points=_points(item.get("points", 1)), difficulty=item.get("difficulty"),
        area=AREA_ALIASES.get(area, area), tier=TIER_ALIASES.get(tier, tier),
        lesson_key=item.get("lesson"), usage=item.get("usage", "both"),
        tags=[str(t) for t in item.get("tags") or []],
        source_key=str(item["id"]) if item.get("id") is not None else None,
        category=_text(item.get("category")),
        name=_text(item["name"]) if item.get("name") is not None else stem[:50],
        case_sensitive=bool(item.get("case_sensitive", False)),
        reference_answer=_text(item.get("reference_answer")),
        true_feedback=_text(item.get("true_feedback")),
        false_feedback=_text(item.get("false_feedback")),
    )
    options = item.get("options") or {}
    if isinstance(options, dict):
        options = [options[k] for k in sorted((k for k in options if k != LINE), key=str)]
    explicit: dict[str, float] = {}
    for index, entry in enumerate(options):
        key = OPTION_KEYS[index] if index < len(OPTION_KEYS) else str(index)
        if isinstance(entry, dict):
            option = OptionData(key, _text(entry.get("text")), feedback=_text(entry.get("feedback")))
            if entry.get("fraction") is not None:
                explicit[key] = _fraction(entry["fraction"], str(_l("option %(key)s", key=key)))
        else:
            option = OptionData(key, _text(entry))
        data.options.append(option)
    if qtype in ANSWERS:
        data.answer = ANSWERS[qtype](item.get("answer"))
    data.blanks = [[_blank_answer(a, number) for a in (blank if isinstance(blank, list) else [blank])]
                   for number, blank in enumerate(item.get("blanks") or [], 1)]
    data.rubric = [{"point": _text(r.get("point")), "score": r.get("score")}
                   for r in item.get("rubric") or [] if isinstance(r, dict)]
    for choice in data.options:
        choice.fraction = explicit.get(choice.key, _default_fraction(choice.key, data))
    return data


def _single_answer(answer):
    return str(answer).strip().upper() if answer is not None else None


def _multiple_answer(answer):
    if isinstance(answer, str):
        answer = [c for c in answer.replace(",", "").replace(" ", "")]
    return sorted(str(a).strip().upper() for a in answer or [])


def _truth(answer):
    if not isinstance(answer, bool):
        raise ValueError(str(_l("answer must be true or false")))
    return answer


# How `answer:` reads for the types that have one (fill-ins have `blanks`, essays
# `reference_answer`); the exporter writes `answer:` for the same types.
ANSWERS = {"single_choice": _single_answer, "multiple_choice": _multiple_answer, "true_false": _truth}


def _blank_answer(entry, number: int) -> BlankAnswer:
    if isinstance(entry, dict):
        answer = BlankAnswer(_text(entry.get("text")))
        if entry.get("fraction") is not None:
            answer.fraction = _fraction(entry["fraction"], str(_l("blank %(n)d", n=number)))
        return answer
    return BlankAnswer(_text(entry))


def _default_fraction(key: str, data: QuestionData) -> float:
    """What an option written as plain text is worth: all for a right one, nothing otherwise."""
    right = data.answer if isinstance(data.answer, list) else [data.answer]
    return 1.0 if key in right else 0.0


# Export ------------------------------------------------------------------------------

# The keys a type's entry always has, so a hand editor sees where its answers go.
WRITTEN_EVEN_EMPTY = {"fill_blank": ("blanks",), "essay": ("reference_answer", "rubric")}

class _Dumper(yaml.SafeDumper):
    """Writes multi-line text as literal blocks (`|`) so it reads like the original."""


def _represent_str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper, value: list):
    """Short lists of plain values on one line: `answer: [A, C]`, `tags: [x, y]`."""
    flow = all(isinstance(v, (str, int, float)) and "\n" not in str(v) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow or None)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)


def _number(value):
    """1.0 as 1, to keep hand-written files tidy."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _option(option: OptionData, data: QuestionData):
    default = _default_fraction(option.key, data)
    if option.fraction == default and not option.feedback:
        return option.text
    entry: dict = {"text": option.text}
    if option.fraction != default:
        entry["fraction"] = _number(option.fraction)
    if option.feedback:
        entry["feedback"] = option.feedback
    return entry


def _blank(answer: BlankAnswer):
    if answer.fraction == 1.0:
        return answer.text
    return {"text": answer.text, "fraction": _number(answer.fraction)}


def export(questions: list[QuestionData]) -> bytes:
    items = []
    for q in questions:
        if not can_carry(q):
            continue
        item: dict = {"id": q.source_key} if q.source_key else {}
        item["type"] = q.type
        if q.name and q.name != q.stem[:50]:
            item["name"] = q.name
        for key, value in (("area", q.area), ("tier", q.tier), ("difficulty", q.difficulty),
                           ("lesson", q.lesson_key)):
            if value is not None:
                item[key] = value
        item.update({"usage": q.usage, "points": plain_number(q.points)})
        if q.tags:
            item["tags"] = list(q.tags)
        if q.category:
            item["category"] = q.category
        item["stem"] = q.stem
        if q.stem_format == "html":
            item["stem_format"] = "html"
        if q.options:
            item["options"] = {o.key: _option(o, q) for o in q.options}
        if q.type in ANSWERS:
            item["answer"] = q.answer
        if q.true_feedback:
            item["true_feedback"] = q.true_feedback
        if q.false_feedback:
            item["false_feedback"] = q.false_feedback
        kept = WRITTEN_EVEN_EMPTY.get(q.type, ())
        if q.blanks or "blanks" in kept:
            item["blanks"] = [[_blank(a) for a in blank] for blank in q.blanks]
        if q.case_sensitive:
            item["case_sensitive"] = True
        if q.reference_answer or "reference_answer" in kept:
            item["reference_answer"] = q.reference_answer
        if q.rubric or "rubric" in kept:
            item["rubric"] = [{"point": r.get("point"), "score": _number(r.get("score"))} for r in q.rubric]
        item["explanation"] = q.explanation
        items.append(item)
    return yaml.dump({"questions": items}, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     width=100).encode()
