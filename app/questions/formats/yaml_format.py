"""Our own YAML bank format (docs/question-bank-format.md): carries everything."""

from __future__ import annotations

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
from app.questions.formats import decode_utf8
from app.questions.types import OPTION_KEYS
from app.vocabulary import AREA_ALIASES, TIER_ALIASES


class _LineLoader(yaml.SafeLoader):
    """Records the line where each mapping starts (as `__line__`)."""


def _construct_mapping(loader, node):
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse(data: bytes) -> ParseResult:
    text = decode_utf8(data)
    try:
        document = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise FormatError(_l("The YAML is malformed: %(problem)s", problem=getattr(exc, "problem", exc)),
                          location=mark.line + 1 if mark else None) from None
    if isinstance(document, list):
        document = {"questions": document, "__line__": 1}
    if not isinstance(document, dict) or not isinstance(document.get("questions"), list):
        raise FormatError(_l("The YAML must hold a list under 'questions'."), location=1)
    file_area = document.get("area")
    result = ParseResult()
    for item in document["questions"]:
        if not isinstance(item, dict):
            result.errors.append(ParseIssue(None, _l("Each question must be a mapping.")))
            continue
        line = item.get("__line__")
        try:
            result.questions.append(_question(item, file_area, line))
        except (ValueError, TypeError, KeyError) as exc:
            result.errors.append(ParseIssue(line, _l("Question %(id)s: %(reason)s",
                                                     id=item.get("id", "?"), reason=str(exc))))
    return result


def _question(item: dict, file_area: str | None, line: int) -> QuestionData:
    qtype = str(item.get("type", "")).strip()
    area = item.get("area", file_area)
    tier = item.get("tier")
    data = QuestionData(
        type=qtype, stem=str(item.get("stem", "")), line=line,
        stem_format="html" if item.get("stem_format") == "html" else "text",
        explanation=str(item.get("explanation") or ""),
        points=item.get("points", 1), difficulty=item.get("difficulty", 3),
        area=AREA_ALIASES.get(area, area), tier=TIER_ALIASES.get(tier, tier),
        lesson_key=item.get("lesson"), usage=item.get("usage", "both"),
        tags=[str(t) for t in item.get("tags") or []],
        source_key=str(item["id"]) if item.get("id") is not None else None,
        category=str(item.get("category") or ""), name=str(item.get("name") or ""),
    )
    options = item.get("options") or {}
    if isinstance(options, dict):
        options = [options[k] for k in sorted(k for k in options if k != "__line__")]
    data.options = [OptionData(OPTION_KEYS[i] if i < len(OPTION_KEYS) else str(i), str(text))
                    for i, text in enumerate(options)]
    answer = item.get("answer")
    if qtype == "single_choice":
        data.answer = str(answer).strip().upper() if answer is not None else None
    elif qtype == "multiple_choice":
        if isinstance(answer, str):
            answer = [c for c in answer.replace(",", "").replace(" ", "")]
        data.answer = sorted(str(a).strip().upper() for a in answer or [])
    elif qtype == "true_false":
        if not isinstance(answer, bool):
            raise ValueError("answer must be true or false")
        data.answer = answer
    elif qtype == "fill_blank":
        data.blanks = [[BlankAnswer(str(a)) for a in (blank if isinstance(blank, list) else [blank])]
                       for blank in item.get("blanks") or []]
        data.case_sensitive = bool(item.get("case_sensitive", False))
    elif qtype == "essay":
        data.reference_answer = str(item.get("reference_answer") or "")
        data.rubric = [{"point": str(r.get("point", "")), "score": r.get("score")}
                       for r in item.get("rubric") or []]
    for choice in data.options:
        choice.fraction = 1.0 if _is_right(choice.key, data) else 0.0
    return data


def _is_right(key: str, data: QuestionData) -> bool:
    if data.type == "single_choice":
        return key == data.answer
    return isinstance(data.answer, list) and key in data.answer


def export(questions: list[QuestionData]) -> bytes:
    items = []
    for q in questions:
        item: dict = {"id": q.source_key} if q.source_key else {}
        item.update({"type": q.type, "area": q.area, "tier": q.tier, "difficulty": q.difficulty})
        if q.lesson_key:
            item["lesson"] = q.lesson_key
        item.update({"usage": q.usage, "points": q.points})
        if q.tags:
            item["tags"] = list(q.tags)
        if q.category:
            item["category"] = q.category
        item["stem"] = q.stem
        if q.stem_format == "html":
            item["stem_format"] = "html"
        if q.options:
            item["options"] = {o.key: o.text for o in q.options}
        if q.type in ("single_choice", "multiple_choice", "true_false"):
            item["answer"] = q.answer
        if q.type == "fill_blank":
            item["blanks"] = [[a.text for a in blank] for blank in q.blanks]
            if q.case_sensitive:
                item["case_sensitive"] = True
        if q.type == "essay":
            item["reference_answer"] = q.reference_answer
            item["rubric"] = [{"point": r["point"], "score": r["score"]} for r in q.rubric]
        item["explanation"] = q.explanation
        items.append(item)
    return yaml.safe_dump({"questions": items}, allow_unicode=True, sort_keys=False, width=100).encode()
