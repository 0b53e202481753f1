"""Lesson Markdown to sanitized HTML with heading anchors and a table of contents.

Raw HTML in the Markdown is escaped (shown as text), and the produced HTML goes through
an nh3 allow-list as well, so a `<script>` or an `onerror=` never runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin

ALLOWED_TAGS = {
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "blockquote", "pre",
    "code", "strong", "em", "del", "s", "a", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"},
                      "th": {"style"}, "td": {"style"}}
_STYLE_ALIGN = re.compile(r"^text-align:(left|center|right)$")


def _slug(title: str) -> str:
    slug = re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
    return slug or "section"


_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
    .use(anchors_plugin, min_level=2, max_level=4, slug_func=_slug)
)


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: list[dict]  # [{"level": 3, "id": "...", "title": "..."}]


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "style":
        return value if _STYLE_ALIGN.match(value.replace(" ", "")) else None
    return value


def sanitize(html: str) -> str:
    """Keep only the allow-listed tags and attributes of `html`."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def render(markdown: str, *, shift_headings: int = 0) -> Rendered:
    """Render lesson Markdown; `shift_headings` demotes headings (### in a lesson stays h3)."""
    tokens = _md.parse(markdown)
    toc = []
    for index, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close") and shift_headings:
            level = min(6, int(token.tag[1]) + shift_headings)
            token.tag = f"h{level}"
        if token.type == "heading_open" and token.attrGet("id"):
            title = tokens[index + 1].content
            toc.append({"level": int(token.tag[1]), "id": token.attrGet("id"), "title": title})
    html = _md.renderer.render(tokens, _md.options, {})
    return Rendered(sanitize(html), toc)
