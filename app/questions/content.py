"""Turning QuestionData into the stored content dict and back, sanitizing, hashing."""

from __future__ import annotations

import hashlib
import html
import json
import re
from decimal import Decimal

import nh3

from app.questions.data import QuestionData
from app.questions.types import REGISTRY, exact, normalize_text

STEM_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "sub", "sup", "ul", "ol", "li", "pre",
             "code", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "span", "img", "hr"}
STEM_ATTRIBUTES = {"img": {"src", "alt", "width", "height"}}
DATA_IMAGE = re.compile(r"^data:image/(png|jpe?g|gif|webp);base64,[A-Za-z0-9+/=\s]+$")


def _filter(tag: str, name: str, value: str) -> str | None:
    if tag == "img" and name == "src":
        return value if DATA_IMAGE.match(value) or value.startswith("https://") else None
    return value


def sanitize_stem(markup: str) -> str:
    """HTML from a format that marks its stems as HTML, cut down to a safe allow-list."""
    return nh3.clean(markup, tags=STEM_TAGS, attributes=STEM_ATTRIBUTES, attribute_filter=_filter,
                     url_schemes={"https", "data"}).strip()


def html_to_text(markup: str) -> str:
    """The visible text of an HTML fragment."""
    text = nh3.clean(re.sub(r"<br\s*/?>|</p>", "\n", markup, flags=re.I), tags=set())
    return html.unescape(text).strip()


def stem_plain(content: dict) -> str:
    """The stem as plain text, for lists and search."""
    stem = content.get("stem", "")
    return html_to_text(stem) if content.get("stem_format") == "html" else stem


def to_content(data: QuestionData) -> dict:
    """The stored content of a question (type-specific keys only)."""
    stem = sanitize_stem(data.stem) if data.stem_format == "html" else data.stem.strip()
    content: dict = {"stem": stem, "stem_format": data.stem_format,
                     "explanation": (data.explanation or "").strip()}
    qtype = REGISTRY.get(data.type)
    if qtype is not None:  # an unknown type is reported by services.problems
        content.update(qtype.content_of(data))
    return content


def to_data(qtype: str, content: dict, **meta) -> QuestionData:
    """QuestionData for a stored question (for export and for the edit form)."""
    data = QuestionData(type=qtype, stem=content.get("stem", ""),
                        stem_format=content.get("stem_format", "text"),
                        explanation=content.get("explanation", ""), **meta)
    kind = REGISTRY.get(qtype)
    if kind is not None:
        kind.read_content(content, data)
    return data


def identity_hash(qtype: str, content: dict) -> str:
    """What makes two questions the same question: type, stem, options and answer
    (explanations and feedback may differ)."""
    key = {
        "type": qtype,
        "stem": normalize_text(stem_plain(content)),
        "options": [normalize_text(o["text"]) for o in content.get("options", [])],
        "answer": content.get("answer"),
        "blanks": [sorted(normalize_text(a["text"]) for a in blank) for blank in content.get("blanks", [])],
    }
    return hashlib.sha256(json.dumps(key, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def version_meta(data: QuestionData, lesson_key: str | None) -> dict:
    """What a version says about its question besides the text: where it belongs and how
    it is used. Kept per version, so history shows it and old versions keep theirs."""
    return {"area": data.area, "tier": data.tier, "difficulty": data.difficulty, "usage": data.usage,
            "category": data.category or "", "lesson": lesson_key}


def version_hash(content: dict, points: Decimal | float, tags: list[str], meta: dict) -> str:
    """Everything a version says, to tell a real edit from a no-op save."""
    # The points are hashed as the float they were stored as before they became exact
    # (1 as 1.0, 2.5 as 2.5): a Decimal of two places has one shortest float, so the hashes
    # of existing versions stay as they are.
    blob = json.dumps({"c": content, "p": float(exact(points)), "t": tags, "m": meta}, ensure_ascii=False,
                      sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def keep_imported_details(data: QuestionData, old: QuestionData) -> None:
    """The form has no fields for what imports may carry (partial credit, wrong-answer
    penalties, per-option and true/false feedback, HTML stems); keep them where the trainer
    left the option or answer as it was, so an edit of the explanation changes no grading."""
    data.stem_format = old.stem_format
    qtype = REGISTRY.get(data.type)
    if qtype is not None:
        qtype.keep_imported(data, old)
