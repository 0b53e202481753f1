"""Moodle XML: multichoice (single or multiple), truefalse, shortanswer (a one-blank
fill-in), essay. Categories, tags and idnumbers are kept; images embedded as base64 are
inlined. Unsupported types (cloze, matching, numerical, description...) are reported one
by one as skipped. A grade that is not one of Moodle's allowed fractions is an error."""

from __future__ import annotations

import base64
import mimetypes
import re
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation
from xml.parsers import expat
from xml.sax.saxutils import escape

from flask_babel import lazy_gettext as _l

from app.questions.content import html_to_text
from app.questions.data import (
    BlankAnswer,
    FormatError,
    OptionData,
    ParseIssue,
    ParseResult,
    QuestionData,
)
from app.questions.formats import FULL_MARK, decode_utf8, multiple_response, right_shares
from app.questions.formats import can_carry_one_blank as can_carry
from app.questions.types import OPTION_KEYS, to_points
from app.uploads import MAX_QUESTIONS, MAX_XML_DEPTH, too_many

MAX_XML_ELEMENTS = MAX_QUESTIONS * 60  # a Moodle question has 10 to 40 elements
QUESTION_TAG = re.compile(r"<question[\s>/]")

# Moodle's allowed grade fractions (question_bank::fraction_options_full).
ALLOWED_FRACTIONS = (1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3,
                     0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0)
SUPPORTED = {"multichoice", "truefalse", "shortanswer", "essay"}
CONTEXT_PREFIX = re.compile(r"^\$(course|system|module|cat\d*)\$/?")


class _Refused(Exception):
    def __init__(self, message, line: int | None):
        self.message, self.line = message, line


def _questions_xml(text: str, *, count_only: bool = False):
    """The <question> elements of a Moodle XML file, each handed over as soon as it ends and
    then forgotten, so memory holds one question at a time. Elements carry the line they
    start on (`_line`). A DTD or entity declaration, nesting deeper than MAX_XML_DEPTH, more
    than MAX_QUESTIONS questions or MAX_XML_ELEMENTS elements stop the reading at once."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    done: list[ET.Element] = []
    state = {"depth": 0, "elements": 0, "questions": 0, "root": None, "builder": None}

    def refuse(message):
        raise _Refused(message, parser.CurrentLineNumber)

    def doctype(*_args):
        refuse(_l("The XML declares a DTD (<!DOCTYPE>); Moodle XML never does, so the file is refused."))

    def entity(*_args):
        refuse(_l("The XML declares an entity; Moodle XML never does, so the file is refused."))

    def start(tag, attrs):
        state["depth"] += 1
        state["elements"] += 1
        depth = state["depth"]
        if depth > MAX_XML_DEPTH:
            refuse(_l("The XML is nested more than %(n)d levels deep.", n=MAX_XML_DEPTH))
        if state["elements"] > MAX_XML_ELEMENTS:
            refuse(too_many(MAX_QUESTIONS, _l("questions")).message)
        if depth == 1:
            state["root"] = tag
            if tag != "quiz":
                refuse(_l("This is not a Moodle XML file: the root element must be <quiz>."))
            return
        if depth == 2:  # a question, or something else that counts as one
            state["questions"] += 1
            if state["questions"] > MAX_QUESTIONS:
                refuse(too_many(MAX_QUESTIONS, _l("questions")).message)
            if tag == "question" and not count_only:
                state["builder"] = ET.TreeBuilder()
        if state["builder"] is not None:
            state["builder"].start(tag, attrs).set("_line", str(parser.CurrentLineNumber))

    def end(tag):
        builder = state["builder"]
        if builder is not None:
            builder.end(tag)
            if state["depth"] == 2:
                done.append(builder.close())
                state["builder"] = None
        state["depth"] -= 1

    def data(text):
        if state["builder"] is not None:
            state["builder"].data(text)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if not count_only:
        parser.CharacterDataHandler = data
    encoded = text.encode("utf-8")
    step = 256 * 1024
    try:
        for at in range(0, len(encoded), step):
            parser.Parse(encoded[at:at + step], at + step >= len(encoded))
            yield from done
            done.clear()
        if not encoded:
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise FormatError(_l("The XML is malformed: %(reason)s", reason=expat.ErrorString(exc.code)),
                          location=exc.lineno) from None
    except _Refused as exc:
        raise FormatError(exc.message, location=exc.line) from None
    yield from done


def _text(element: ET.Element | None, path: str = "text") -> str:
    if element is None:
        return ""
    found = element.find(path) if path else element
    return (found.text or "") if found is not None else ""


def _is_html(element: ET.Element | None) -> bool:
    return element is not None and element.get("format", "") == "html"


def _allowed(fraction: float) -> bool:
    return any(abs(abs(fraction) - allowed) < 1e-6 for allowed in ALLOWED_FRACTIONS)


def _inline_files(markup: str, holder: ET.Element | None) -> str:
    """Replace @@PLUGINFILE@@ image references with data: URLs from the embedded files."""
    if holder is None or "@@PLUGINFILE@@" not in markup:
        return markup
    for file in holder.findall("file"):
        name = file.get("name", "")
        mime = mimetypes.guess_type(name)[0] or ""
        if not mime.startswith("image/") or file.get("encoding") != "base64":
            continue
        data = "".join((file.text or "").split())
        try:
            base64.b64decode(data, validate=True)
        except ValueError:
            continue
        path = (file.get("path") or "/").lstrip("/")
        markup = markup.replace(f"@@PLUGINFILE@@/{path}{name}", f"data:{mime};base64,{data}")
    return markup


def parse(data: bytes) -> ParseResult:
    """At most MAX_QUESTIONS questions, read one at a time (see _questions_xml)."""
    text = decode_utf8(data)
    # Every <question> start tag matches QUESTION_TAG (so does text that only looks like one):
    # a file under the bound by this count is under it. Past it, a first pass that builds
    # nothing refuses the file in the time it takes to scan, not to read 20,000 questions.
    if any(n > MAX_QUESTIONS for n, _match in enumerate(QUESTION_TAG.finditer(text), 1)):
        for _nothing in _questions_xml(text, count_only=True):
            pass
    result = ParseResult()
    category = ""
    for element in _questions_xml(text):
        line = int(element.get("_line", "0")) or None
        qtype = element.get("type", "")
        name = _text(element.find("name")).strip()
        if qtype == "category":
            category = CONTEXT_PREFIX.sub("", _text(element.find("category")).strip())
            continue
        if qtype not in SUPPORTED:
            result.skipped.append(ParseIssue(line, _l(
                "%(name)s: Moodle question type %(type)s is not supported; skipped.",
                name=name or "?", type=qtype or "?")))
            continue
        try:
            question = _question(element, qtype, name, line)
        except ValueError as exc:
            result.errors.append(ParseIssue(line, f"{name}: {exc}"))
            continue
        question.category = category
        result.questions.append(question)
    return result


def _points(grade: str) -> Decimal:
    """A defaultgrade as exact points; Moodle writes 0 for "no grade", which counts 1 here."""
    try:
        if Decimal(grade) <= 0:
            return Decimal(1)
    except InvalidOperation:
        pass  # to_points says what is wrong
    return to_points(grade)


def _question(element: ET.Element, qtype: str, name: str, line: int | None) -> QuestionData:
    text_element = element.find("questiontext")
    stem = _inline_files(_text(text_element), text_element)
    question = QuestionData(type="essay", stem=stem.strip(), name=name, line=line,
                            stem_format="html" if _is_html(text_element) else "text")
    feedback = element.find("generalfeedback")
    question.explanation = html_to_text(_text(feedback)) if _is_html(feedback) else _text(feedback).strip()
    grade = _text(element, "defaultgrade").strip()
    if grade:
        question.points = _points(grade)
    question.tags = [_text(tag).strip() for tag in element.findall("tags/tag") if _text(tag).strip()]
    idnumber = _text(element, "idnumber").strip()
    question.source_key = idnumber or None

    answers = []
    for answer in element.findall("answer"):
        try:
            fraction = float(answer.get("fraction", "0")) / 100
        except ValueError:
            raise ValueError(str(_l("line %(line)s: the grade %(grade)s is not a number.",
                                    line=answer.get("_line"), grade=answer.get("fraction")))) from None
        if not _allowed(fraction):
            raise ValueError(str(_l("line %(line)s: the grade %(grade)s is not one of the allowed fractions.",
                                    line=answer.get("_line"), grade=answer.get("fraction"))))
        raw = _text(answer)
        text = html_to_text(raw) if answer.get("format") == "html" else raw.strip()
        answer_feedback = answer.find("feedback")
        fb = html_to_text(_text(answer_feedback)) if _is_html(answer_feedback) else _text(answer_feedback).strip()
        answers.append((text, fraction, fb))

    if qtype == "essay":
        grader = element.find("graderinfo")
        question.reference_answer = html_to_text(_text(grader)) if _is_html(grader) else _text(grader).strip()
        return question
    if qtype == "truefalse":
        question.type = "true_false"
        by_word = {text.strip().lower(): (fraction, fb) for text, fraction, fb in answers}
        if "true" not in by_word or "false" not in by_word:
            raise ValueError(str(_l("a true/false question needs a 'true' and a 'false' answer.")))
        question.answer = by_word["true"][0] > by_word["false"][0]
        question.true_feedback, question.false_feedback = by_word["true"][1], by_word["false"][1]
        return question
    if qtype == "shortanswer":
        accepted = [BlankAnswer(text, fraction) for text, fraction, _fb in answers
                    if text and text != "*" and fraction > 0]
        if not accepted:
            raise ValueError(str(_l("the short answer has no accepted answer.")))
        question.type = "fill_blank"
        question.blanks = [accepted]
        question.case_sensitive = _text(element, "usecase").strip() in ("1", "true")
        return question
    # multichoice
    if len(answers) > len(OPTION_KEYS):
        raise ValueError(str(_l("at most %(n)d options are supported.", n=len(OPTION_KEYS))))
    question.options = [OptionData(OPTION_KEYS[i], text, fraction, fb)
                        for i, (text, fraction, fb) in enumerate(answers)]
    single = _text(element, "single").strip().lower() in ("true", "1")
    if single:
        best = [o.key for o in question.options if o.fraction >= FULL_MARK]
        if len(best) != 1:
            raise ValueError(str(_l("a single-choice question needs exactly one answer worth 100%.")))
        question.type, question.answer = "single_choice", best[0]
    else:
        question.type, question.answer = multiple_response(question.options)
    return question


# Export ------------------------------------------------------------------------------

def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _text_block(tag: str, text: str, fmt: str = "html", indent: str = "    ") -> str:
    return f'{indent}<{tag} format="{fmt}">\n{indent}  <text>{_cdata(text)}</text>\n{indent}</{tag}>\n'


def _percent(value: float) -> str:
    number = round(value * 100, 7)
    return str(int(number)) if number == int(number) else f"{number:.7f}".rstrip("0")


def _nearest_allowed(value: float) -> float:
    sign = -1 if value < 0 else 1
    return sign * min(ALLOWED_FRACTIONS, key=lambda allowed: abs(allowed - abs(value)))


def export(questions: list[QuestionData]) -> bytes:
    """Moodle XML; what it cannot carry (see can_carry) is left out."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n']
    category = None
    for q in questions:
        if not can_carry(q):
            continue
        if q.category != category:
            category = q.category
            out.append('  <question type="category">\n    <category>\n'
                       f"      <text>$course$/{escape(category or 'top')}</text>\n    </category>\n  </question>\n")
        moodle_type = MOODLE_TYPES[q.type]
        out.append(f'  <question type="{moodle_type}">\n')
        out.append(f"    <name>\n      <text>{escape(q.name or q.stem[:50])}</text>\n    </name>\n")
        out.append(_text_block("questiontext", q.stem, "html" if q.stem_format == "html" else "plain_text"))
        out.append(_text_block("generalfeedback", q.explanation, "plain_text"))
        out.append(f"    <defaultgrade>{q.points:.7f}</defaultgrade>\n")
        if q.source_key:
            out.append(f"    <idnumber>{escape(q.source_key)}</idnumber>\n")
        if q.tags:
            out.append("    <tags>\n" + "".join(f"      <tag><text>{escape(t)}</text></tag>\n" for t in q.tags)
                       + "    </tags>\n")
        out.append(_answers(q))
        out.append("  </question>\n")
    out.append("</quiz>\n")
    return "".join(out).encode("utf-8")


def _answer(fraction: float, text: str, feedback: str = "") -> str:
    return (f'    <answer fraction="{_percent(fraction)}" format="plain_text">\n'
            f"      <text>{escape(text)}</text>\n"
            f'      <feedback format="plain_text">\n        <text>{escape(feedback)}</text>\n      </feedback>\n'
            "    </answer>\n")


def _answers(q: QuestionData) -> str:
    return WRITERS[q.type](q)


def _write_essay(q: QuestionData) -> str:
    return _text_block("graderinfo", q.reference_answer, "plain_text")


def _write_true_false(q: QuestionData) -> str:
    return (_answer(1.0 if q.answer else 0.0, "true", q.true_feedback)
            + _answer(0.0 if q.answer else 1.0, "false", q.false_feedback))


def _write_short_answer(q: QuestionData) -> str:
    return "    <usecase>" + ("1" if q.case_sensitive else "0") + "</usecase>\n" + "".join(
        _answer(_nearest_allowed(a.fraction), a.text) for a in q.blanks[0])


def _write_single_choice(q: QuestionData) -> str:
    return _write_choice(q, single=True)


def _write_multiple_choice(q: QuestionData) -> str:
    return _write_choice(q, single=False)


def _write_choice(q: QuestionData, *, single: bool) -> str:
    right = [q.answer] if single else list(q.answer or [])
    shares = right_shares(q, right)  # Moodle needs a multiple response's right answers to add up to 100 %
    parts = [f"    <single>{'true' if single else 'false'}</single>\n"]
    for o in q.options:
        if o.key in right:
            fraction = 1.0 if single else _nearest_allowed(shares[o.key])
        else:
            fraction = _nearest_allowed(o.fraction) if o.fraction < 0 or single else 0.0
        parts.append(_answer(fraction, o.text, o.feedback))
    return "".join(parts)


# How each of our types is written in Moodle XML (all of them; a fill-in only with one blank).
MOODLE_TYPES = {"single_choice": "multichoice", "multiple_choice": "multichoice", "true_false": "truefalse",
                "fill_blank": "shortanswer", "essay": "essay"}
WRITERS = {"single_choice": _write_single_choice, "multiple_choice": _write_multiple_choice,
           "true_false": _write_true_false, "fill_blank": _write_short_answer, "essay": _write_essay}
