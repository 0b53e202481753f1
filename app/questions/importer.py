"""One importer behind the CLI, the web upload and POST /api/v1/question-imports.

Every question is checked before anything is written. By default a file with any error
imports nothing; `allow_partial` imports the valid part. A question already in the bank
(same identity hash, or the same source key with the same text) is skipped, so importing
a file twice adds nothing; a question whose source key exists with new text becomes a
new version of that question.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.errors import ValidationFailed
from app.extensions import db
from app.questions import services
from app.questions.content import identity_hash, to_content, version_hash, version_meta
from app.questions.data import FormatError, ParseIssue, ParseResult, QuestionData
from app.questions.models import Question
from app.questions.types import REGISTRY

# format code -> (module, file suffixes it is saved with)
FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "yaml": ("app.questions.formats.yaml_format", (".yaml", ".yml")),
    "gift": ("app.questions.formats.gift", (".gift", ".txt")),
    "aiken": ("app.questions.formats.aiken", (".txt",)),
    "moodle_xml": ("app.questions.formats.moodle_xml", (".xml",)),
    "xlsx": ("app.questions.formats.xlsx", (".xlsx",)),
}


class ImportFailed(ValidationFailed):
    """The whole file could not be read; `location` is its line or row when known."""

    code = "invalid_file"

    def __init__(self, message, location: int | None = None):
        super().__init__(message)
        self.location = location


@dataclass(frozen=True)
class Defaults:
    """What a question gets when its file does not say (GIFT, Aiken, Moodle, spreadsheets)."""

    area: str = "cadre"
    tier: str = "basic"
    difficulty: int = 3


@dataclass
class ImportReport:
    imported: int = 0
    skipped: int = 0
    errors: list[ParseIssue] = field(default_factory=list)
    skipped_items: list[ParseIssue] = field(default_factory=list)
    would_import: list[ParseIssue] = field(default_factory=list)  # a dry run's list
    question_ids: list[int] = field(default_factory=list)
    valid: int = 0  # how many questions are importable (errors aside)
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {"imported": self.imported, "skipped": self.skipped,
                "errors": [e.as_dict() for e in self.errors],
                "skipped_items": [s.as_dict() for s in self.skipped_items],
                "would_import": [w.as_dict() for w in self.would_import],
                "question_ids": self.question_ids, "valid": self.valid, "dry_run": self.dry_run}


def format_module(fmt: str):
    if fmt not in FORMATS:
        raise ImportFailed(_l("Unknown format %(format)s; use one of %(formats)s.",
                              format=fmt, formats=", ".join(FORMATS)))
    return importlib.import_module(FORMATS[fmt][0])


def parse_file(data: bytes, fmt: str) -> ParseResult:
    """Parse `data` in format `fmt`, or raise ImportFailed with the reason."""
    try:
        return format_module(fmt).parse(data)
    except FormatError as exc:
        raise ImportFailed(exc.message, exc.location) from None


def import_questions(data: bytes, *, fmt: str, filename: str, actor: User | None, now: datetime,
                     dry_run: bool = False, publish: bool = False, allow_partial: bool = False,
                     defaults: Defaults = Defaults(),
                     progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import a question file; see the module docstring for the rules."""
    parsed = parse_file(data, fmt)
    unit = "row" if fmt == "xlsx" else "line"
    report = ImportReport(errors=list(parsed.errors), skipped_items=list(parsed.skipped),
                          dry_run=dry_run)
    report.skipped = len(parsed.skipped)

    identities = {}
    for question in parsed.questions:
        _apply_defaults(question, defaults)
        identities[id(question)] = identity_hash(question.type, to_content(question)) \
            if question.type in REGISTRY else None
    known = _existing(identities.values(), [q.source_key for q in parsed.questions if q.source_key])

    lessons: dict[str, object] = {}
    accepted: list[tuple[QuestionData, object, Question | None]] = []
    seen: dict[str, int | None] = {}  # identity -> line of its first appearance in this file
    for question in parsed.questions:
        found = services.problems(question)
        lesson = None
        if question.lesson_key:
            if question.lesson_key not in lessons:
                lessons[question.lesson_key] = services.find_lesson(question.lesson_key)
            lesson = lessons[question.lesson_key]
            if lesson is None and fmt == "yaml":
                found.append(str(_l("The lesson %(key)s does not exist; import the handbook first.",
                                    key=question.lesson_key)))
            elif lesson is None:
                question.tags.append(question.lesson_key)  # a free-text 知识点 stays as a tag
        if found:
            report.errors.append(ParseIssue(question.line, _describe(question, "；".join(found)), unit))
            continue
        identity = identities[id(question)]
        existing = known["by_key"].get(question.source_key) if question.source_key else None
        if identity in seen:
            report.skipped += 1
            report.skipped_items.append(ParseIssue(question.line, _describe(question, str(_l(
                "The same question as %(unit)s %(where)s of this file; imported once.",
                unit=_l("row") if unit == "row" else _l("line"), where=seen[identity]))), unit))
            continue
        if (identity in known["hashes"] and existing is None) or \
                (existing is not None and existing.content_hash == identity
                 and not _changed(existing, question, lesson)):
            report.skipped += 1
            report.skipped_items.append(ParseIssue(question.line, _describe(
                question, str(_l("Already in the bank."))), unit))
            continue
        seen[identity] = question.line
        accepted.append((question, lesson, existing))
        if dry_run:
            report.would_import.append(ParseIssue(question.line, _describe(
                question, str(_l("Would be imported.") if existing is None else
                              _l("Would become a new version of question %(id)d.", id=existing.id))), unit))

    report.valid = len(accepted)
    if dry_run or (report.errors and not allow_partial):
        # A dry run reports what the same request would import for real.
        if dry_run and (allow_partial or not report.errors):
            report.imported = len(accepted)
        return report
    fresh = [(question, lesson) for question, lesson, existing in accepted if existing is None]
    report.question_ids.extend(services.create_many(fresh, actor=actor, now=now, publish=publish))
    if progress:
        progress(len(fresh))
    for question, lesson, existing in accepted:
        if existing is None:
            continue
        saved = services.save(question, actor=actor, now=now, question=existing, lesson=lesson)
        if publish and saved.status != "published":
            services.publish_on_import(saved, actor=actor, now=now)
        report.question_ids.append(saved.id)
    report.imported = len(accepted)
    if accepted:
        services.record_import(actor, filename=filename, fmt=fmt, count=len(accepted), published=publish)
    db.session.flush()
    return report


def _apply_defaults(question: QuestionData, defaults: Defaults) -> None:
    question.area = question.area or defaults.area
    question.tier = question.tier or defaults.tier
    if question.difficulty is None:
        question.difficulty = defaults.difficulty


def _existing(hashes, keys) -> dict:
    hashes = [h for h in hashes if h]
    found_hashes = set()
    for start in range(0, len(hashes), 1000):
        chunk = hashes[start:start + 1000]
        found_hashes |= set(db.session.scalars(select(Question.content_hash).where(
            Question.content_hash.in_(chunk))))
    by_key = {}
    for start in range(0, len(keys), 1000):
        chunk = keys[start:start + 1000]
        by_key.update({q.source_key: q for q in db.session.scalars(
            select(Question).where(Question.source_key.in_(chunk)))})
    return {"hashes": found_hashes, "by_key": by_key}


def _changed(existing: Question, question: QuestionData, lesson) -> bool:
    """Whether a re-imported keyed question says anything new (explanation, points, tier...)."""
    tags = sorted({t.strip() for t in question.tags if t and t.strip()})
    current = existing.current_version
    meta = version_meta(question, services.lesson_label(lesson))
    return current is None or current.content_hash != version_hash(
        to_content(question), question.points, tags, meta)


def _describe(question: QuestionData, message: str) -> str:
    label = question.source_key or question.name or question.stem[:30]
    return str(_l("%(question)s: %(message)s", question=label, message=message)) if label else message
