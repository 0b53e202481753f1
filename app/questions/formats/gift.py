"""GIFT (Moodle's text format): single and multiple choice, true/false, short answer
(as a one-blank fill-in), essay. Matching, numerical and descriptions are reported as
skipped, one by one. `// [tag:x] [id:y]` comments give tags and an id."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from app.questions.content import html_to_text
from app.questions.data import BlankAnswer, OptionData, ParseIssue, ParseResult, QuestionData
from app.questions.formats import FULL_MARK, decode_utf8, multiple_response, right_shares
from app.questions.formats import can_carry_one_blank as can_carry
from app.questions.types import OPTION_KEYS

ESCAPABLE = "~=#{}:\\"
FORMAT_MARK = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
TAG = re.compile(r"\[tag:([^\]]+)\]")
IDNUMBER = re.compile(r"\[id:([^\]]+)\]")
WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
# Private-use characters stand in for escaped specials while the text is split.
_PLACEHOLDERS = {ch: chr(0xE000 + i) for i, ch in enumerate(ESCAPABLE)}
_RESTORE = {v: k for k, v in _PLACEHOLDERS.items()}


def _protect(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in _PLACEHOLDERS:
                out.append(_PLACEHOLDERS[nxt])
                i += 2
                continue
            if nxt == "n":
                out.append("\n")
                i += 2
                continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(ch, ch) for ch in text)


def _split_format(text: str) -> tuple[str, str | None]:
    match = FORMAT_MARK.match(text)
    if not match:
        return text, None
    return text[match.end():], match.group(1).lower()


def _plain(text: str) -> str:
    """An answer or feedback as plain text (markup of [html] answers is dropped)."""
    body, fmt = _split_format(text)
    body = _restore(body).strip()
    return html_to_text(body) if fmt == "html" else body


def _blocks(text: str):
    """Yield (start line, lines, comments, category) per question; blank lines outside
    braces separate questions."""
    lines = text.splitlines()
    block: list[str] = []
    start = 0
    comments: list[str] = []
    depth = 0
    for number, raw in enumerate(lines, 1):
        protected = _protect(raw)
        stripped = protected.strip()
        if depth == 0 and not block:
            if not stripped:
                continue
            if stripped.startswith("//"):
                comments.append(stripped[2:])
                continue
            if stripped.startswith("$CATEGORY:"):
                yield number, None, [], _restore(stripped[len("$CATEGORY:"):]).strip()
                comments = []
                continue
        if depth == 0 and not stripped:
            yield start, block, comments, None
            block, comments = [], []
            continue
        if depth == 0 and stripped.startswith("//") and block:
            continue
        if not block:
            start = number
        block.append(protected)
        depth += protected.count("{") - protected.count("}")
        depth = max(depth, 0)
    if block:
        yield start, block, comments, None


def parse(data: bytes) -> ParseResult:
    result = ParseResult()
    category = ""
    for start, block, comments, new_category in _blocks(decode_utf8(data)):
        if new_category is not None:
            category = new_category
            continue
        try:
            question = _question("\n".join(block), start, comments)
        except _Skip as skip:
            result.skipped.append(ParseIssue(start, skip.message))
            continue
        except _Bad as bad:
            result.errors.append(ParseIssue(start, bad.message))
            continue
        question.category = category
        result.questions.append(question)
    return result


class _Skip(Exception):
    def __init__(self, message):
        self.message = message


class _Bad(Exception):
    def __init__(self, message):
        self.message = message


def _question(text: str, line: int, comments: list[str]) -> QuestionData:
    name = ""
    body = text.strip()
    if body.startswith("::"):
        end = body.find("::", 2)
        if end < 0:
            raise _Bad(_l("The question name is not closed with '::'."))
        name = _restore(body[2:end]).strip()
        body = body[end + 2:]
    open_at = body.find("{")
    close_at = body.rfind("}")
    label = name or _restore(body[: open_at if open_at >= 0 else None]).strip()[:50]
    if open_at < 0:
        raise _Skip(_l("%(name)s: a description (no answer block) is not a question; skipped.",
                       name=label))
    if close_at < open_at:
        raise _Bad(_l("%(name)s: the answer block is not closed with '}'.", name=label))
    before, answers, after = body[:open_at], body[open_at + 1:close_at], body[close_at + 1:]
    stem, stem_format = _split_format(before)
    stem = _restore(stem).strip()
    trailing = _restore(after).strip()
    if trailing and re.search(r"\w", trailing):
        stem = f"{stem} ____ {trailing}"  # the missing-word form
    question = QuestionData(type="essay", stem=stem, name=name or stem[:50], line=line,
                            stem_format="html" if stem_format == "html" else "text")
    for comment in comments:
        question.tags += [t.strip() for t in TAG.findall(comment)]
        ids = IDNUMBER.findall(comment)
        if ids:
            question.source_key = ids[-1].strip()

    answers, explanation = _split_general_feedback(answers)
    question.explanation = _plain(explanation) if explanation else ""
    answers = answers.strip()
    if not answers:
        return question  # {} is an essay
    if answers.startswith("#"):
        raise _Skip(_l("%(name)s: numerical questions are not supported; skipped.", name=label))
    tf = re.match(r"^(TRUE|FALSE|T|F)\b\s*(.*)$", answers, re.IGNORECASE | re.DOTALL)
    if tf and not re.match(r"^[=~]", answers):
        return _true_false(question, tf.group(1).upper(), tf.group(2))
    parts = re.findall(r"([=~])([^=~]*)", answers)
    if not parts:
        raise _Bad(_l("%(name)s: the answer block is not understood.", name=label))
    if any("->" in text for sign, text in parts if sign == "="):
        raise _Skip(_l("%(name)s: matching questions are not supported; skipped.", name=label))
    if all(sign == "=" for sign, _text in parts):
        return _short_answer(question, parts, label)
    return _choice(question, parts, label)


def _split_general_feedback(answers: str) -> tuple[str, str]:
    at = answers.find("####")
    if at < 0:
        return answers, ""
    return answers[:at], answers[at + 4:].strip()


def _answer_parts(text: str) -> tuple[float | None, str, str]:
    text = text.strip()
    weight = WEIGHT.match(text)
    fraction = None
    if weight:
        fraction = float(weight.group(1)) / 100
        text = text[weight.end():]
    answer, _sep, feedback = text.partition("#")
    return fraction, _plain(answer), _plain(feedback) if feedback else ""


def _true_false(question: QuestionData, word: str, rest: str) -> QuestionData:
    question.type = "true_false"
    question.answer = TRUE_FALSE[word]
    feedbacks = [_plain(part) for part in rest.split("#")[1:]] if rest.strip().startswith("#") else []
    wrong = feedbacks[0] if feedbacks else ""
    right = feedbacks[1] if len(feedbacks) > 1 else ""
    question.true_feedback, question.false_feedback = (right, wrong) if question.answer else (wrong, right)
    return question


def _short_answer(question: QuestionData, parts, label) -> QuestionData:
    accepted = []
    for _sign, text in parts:
        fraction, answer, _feedback = _answer_parts(text)
        fraction = 1.0 if fraction is None else fraction
        if answer and answer != "*" and fraction > 0:
            accepted.append(BlankAnswer(answer, fraction))
    if not accepted:
        raise _Bad(_l("%(name)s: the short answer has no accepted answer.", name=label))
    question.type = "fill_blank"
    question.blanks = [accepted]
    return question


def _choice(question: QuestionData, parts, label) -> QuestionData:
    if len(parts) > len(OPTION_KEYS):
        raise _Bad(_l("%(name)s: at most %(n)d options are supported.", name=label, n=len(OPTION_KEYS)))
    single = any(sign == "=" for sign, _text in parts)
    for index, (sign, text) in enumerate(parts):
        fraction, answer, feedback = _answer_parts(text)
        if fraction is None:
            fraction = 1.0 if sign == "=" else 0.0
        question.options.append(OptionData(OPTION_KEYS[index], answer, fraction, feedback))
    if single:
        best = [o.key for o in question.options if o.fraction >= 1.0] or \
            [o.key for o in question.options if o.fraction > 0]
        if len(best) != 1:
            raise _Bad(_l("%(name)s: a single-choice question needs exactly one right answer.", name=label))
        question.type, question.answer = "single_choice", best[0]
    else:
        question.type, question.answer = multiple_response(question.options)
    return question


# Export ------------------------------------------------------------------------------

def _escape(text: str) -> str:
    return "".join("\\" + ch if ch in ESCAPABLE else ch for ch in text).replace("\n", "\\n")


def _percent(value: float) -> str:
    number = round(value * 100, 5)
    return f"%{int(number) if number == int(number) else number}%"


def export(questions: list[QuestionData]) -> bytes:
    """GIFT text; what GIFT cannot carry (see can_carry) is left out."""
    chunks = []
    category = None
    for q in questions:
        if not can_carry(q):
            continue
        if q.category and q.category != category:
            chunks.append(f"$CATEGORY: {q.category}\n")
            category = q.category
        meta = [f"[tag:{t}]" for t in q.tags]
        if q.source_key:
            meta.append(f"[id:{q.source_key}]")
        head = f"// {' '.join(meta)}\n" if meta else ""
        stem = ("[html]" if q.stem_format == "html" else "") + _escape(q.stem)
        name = _escape(q.name or q.source_key or "")
        chunks.append(f"{head}::{name}::{stem}{{{_answers(q)}}}\n")
    return "\n".join(chunks).encode("utf-8")


def _answers(q: QuestionData) -> str:
    general = f"\n####{_escape(q.explanation)}" if q.explanation else ""
    return WRITERS[q.type](q, general)


def _write_essay(q: QuestionData, general: str) -> str:
    return general


def _write_true_false(q: QuestionData, general: str) -> str:
    right, wrong = (q.true_feedback, q.false_feedback) if q.answer else (q.false_feedback, q.true_feedback)
    feedback = f"#{_escape(wrong)}#{_escape(right)}" if (wrong or right) else ""
    return f"{'TRUE' if q.answer else 'FALSE'}{feedback}{general}"


def _write_short_answer(q: QuestionData, general: str) -> str:
    lines = [f"\n={'' if a.fraction >= 1 else _percent(a.fraction)}{_escape(a.text)}" for a in q.blanks[0]]
    return "".join(lines) + general + "\n"


def _write_single_choice(q: QuestionData, general: str) -> str:
    lines = []
    for o in q.options:
        feedback = f"#{_escape(o.feedback)}" if o.feedback else ""
        if o.key == q.answer:
            weight = _percent(o.fraction) if 0 < o.fraction < FULL_MARK else ""
            lines.append(f"\n={weight}{_escape(o.text)}{feedback}")
        else:
            weight = _percent(o.fraction) if o.fraction else ""
            lines.append(f"\n~{weight}{_escape(o.text)}{feedback}")
    return "".join(lines) + general + "\n"


def _write_multiple_choice(q: QuestionData, general: str) -> str:
    lines = []
    right = list(q.answer or [])
    shares = right_shares(q, right)
    for o in q.options:
        feedback = f"#{_escape(o.feedback)}" if o.feedback else ""
        # A wrong option costs the whole mark unless it says otherwise: that is how the
        # bank grades a multiple choice (picking a wrong option scores nothing).
        fraction = shares[o.key] if o.key in right else (o.fraction if o.fraction < 0 else -1.0)
        lines.append(f"\n~{_percent(fraction)}{_escape(o.text)}{feedback}")
    return "".join(lines) + general + "\n"


# How each of our types is written in GIFT (all of them; a fill-in only with one blank).
WRITERS = {"single_choice": _write_single_choice, "multiple_choice": _write_multiple_choice, "true_false": _write_true_false,
           "fill_blank": _write_short_answer, "essay": _write_essay}
