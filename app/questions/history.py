"""What changed between two versions of a question, field by field."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.questions.content import stem_plain
from app.questions.models import USAGES, QuestionVersion
from app.questions.services import find_lesson
from app.questions.types import shortest
from app.vocabulary import AREAS, TIERS

FIELDS = {
    "stem": _l("Stem"), "options": _l("Options"), "answer": _l("Right answer"),
    "blanks": _l("Accepted answers"), "explanation": _l("Explanation (解析)"),
    "reference_answer": _l("Reference answer"), "rubric": _l("Rubric"), "points": _l("Points"),
    "tags": _l("Tags"), "area": _l("Business area"), "tier": _l("Tier"), "difficulty": _l("Difficulty"),
    "usage": _l("Use in"), "lesson": _l("Lesson tested"), "category": _l("Category"),
}
META_FIELDS = {"area", "tier", "difficulty", "usage", "lesson", "category"}


@dataclass(frozen=True)
class Change:
    field: LazyString
    before: str
    after: str


def _show(name: str, version: QuestionVersion) -> str:
    content = version.content
    if name == "lesson":
        return _lesson_title(version.meta.get("lesson"))
    if name in META_FIELDS:
        value = version.meta.get(name)
        labels = {"area": AREAS, "tier": TIERS, "usage": USAGES}.get(name, {})
        return str(labels.get(value, value) if value is not None else "")
    if name == "stem":
        return stem_plain(content)
    if name == "options":
        return "\n".join(f"{o['key']}. {o['text']}" for o in content.get("options", []))
    if name == "answer":
        answer = content.get("answer")
        if isinstance(answer, bool):
            return "对" if answer else "错"
        return "".join(answer) if isinstance(answer, list) else str(answer or "")
    if name == "blanks":
        return "；".join("|".join(a["text"] for a in blank) for blank in content.get("blanks", []))
    if name == "rubric":
        return "\n".join(f"{r['point']} ({r['score']})" for r in content.get("rubric", []))
    if name == "points":
        return shortest(version.points)
    if name == "tags":
        return "、".join(version.tags)
    return str(content.get(name, ""))


def _lesson_title(key: str | None) -> str:
    """`course/lesson` shown as the titles a trainer knows, or the key if it is gone."""
    lesson = find_lesson(key)
    return f"{lesson.course.title} · {lesson.title}" if lesson else (key or "")


def changes_between(qtype: str, old: QuestionVersion, new: QuestionVersion) -> list[Change]:
    """The fields whose shown value differs between `old` and `new`."""
    out = []
    for name, label in FIELDS.items():
        before, after = _show(name, old), _show(name, new)
        if before != after:
            out.append(Change(label, before, after))
    return out
