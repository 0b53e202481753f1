"""Aiken: single-choice questions, one stem line, options `A) text` or `A. text`, then
`ANSWER: X`. Text is always plain (markup shows as text)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from app.questions.content import html_to_text
from app.questions.data import OptionData, ParseIssue, ParseResult, QuestionData
from app.questions.formats import decode_utf8
from app.questions.types import OPTION_KEYS

OPTION = re.compile(r"^([A-Z])[).]\s*(.*)$")
ANSWER = re.compile(r"^ANSWER:\s*([A-Z])?\s*$", re.IGNORECASE)


def parse(data: bytes) -> ParseResult:
    result = ParseResult()
    current: QuestionData | None = None

    def unfinished(line: int) -> None:
        result.errors.append(ParseIssue(line, _l(
            "The question that starts on line %(start)d has no ANSWER line before the next one.",
            start=current.line)))

    for number, raw in enumerate(decode_utf8(data).splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        option = OPTION.match(line)
        if option:
            if current is None:
                result.errors.append(ParseIssue(number, _l("An option before any question starts.")))
                continue
            count = len(current.options)
            if count >= len(OPTION_KEYS) or option.group(1) != OPTION_KEYS[count]:
                result.errors.append(ParseIssue(number, _l(
                    "Options must run A, B, C... (at most %(n)d).", n=len(OPTION_KEYS))))
                current = None
                continue
            current.options.append(OptionData(option.group(1), option.group(2).strip()))
        elif line.upper().startswith("ANSWER:"):
            if current is None:
                result.errors.append(ParseIssue(number, _l("An ANSWER line without a question.")))
                continue
            answer = ANSWER.match(line)
            if len(current.options) < 2:
                result.errors.append(ParseIssue(number, _l("The question has fewer than two options.")))
            elif not answer or not answer.group(1) or \
                    answer.group(1).upper() not in {o.key for o in current.options}:
                result.errors.append(ParseIssue(number, _l("The ANSWER names no option of the question.")))
            else:
                current.answer = answer.group(1).upper()
                for choice in current.options:
                    choice.fraction = 1.0 if choice.key == current.answer else 0.0
                result.questions.append(current)
            current = None
        else:
            if current is not None:
                unfinished(number)
            current = QuestionData(type="single_choice", stem=line, name=line[:50], line=number)
    if current is not None:
        result.errors.append(ParseIssue(current.line, _l("The question has no ANSWER line.")))
    return result


def _plain(text: str, fmt: str) -> str:
    """One line of plain text: HTML loses its tags and entities, never shown as markup."""
    if fmt == "html":
        text = html_to_text(text)
    return " ".join(text.split())


TYPES = {"single_choice"}  # the only one of our types Aiken holds


def can_carry(q: QuestionData) -> bool:
    """Aiken holds single-choice questions only, with a stem that has some text."""
    return q.type in TYPES and bool(_plain(q.stem, q.stem_format)) and \
        2 <= len(q.options) <= len(OPTION_KEYS)


def export(questions: list[QuestionData]) -> bytes:
    """Single-choice questions only: Aiken carries nothing else (see can_carry)."""
    blocks = []
    for q in questions:
        if not can_carry(q):
            continue
        lines = [_plain(q.stem, q.stem_format)]
        # Options are always plain text in the bank (the importers strip HTML answers, and
        # learners see them escaped), so they are written as they are shown.
        lines += [f"{o.key}) {_plain(o.text, 'text')}" for o in q.options]
        lines.append(f"ANSWER: {q.answer}")
        blocks.append("\n".join(lines))
    return ("\n\n".join(blocks) + "\n").encode("utf-8")
