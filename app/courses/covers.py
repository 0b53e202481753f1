"""Course covers: an SVG per business area (its colour, a simple pictogram, its name).

Drawn by the app, so there are no stock photos to license and nothing to download; a
course's cover follows its area, and a new course looks right without anyone making art.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from app.vocabulary import AREAS

# (dark, light) per area: muted, so the red masthead stays the loudest thing on the page.
PALETTE = {
    "cadre": ("#8c1a1a", "#b8412f"),
    "organization": ("#7b4d16", "#b07a2c"),
    "supervision": ("#34445e", "#56698a"),
    "remote_edu": ("#25594b", "#3f8570"),
    "informatization": ("#23507a", "#3d77a8"),
    "self_building": ("#6b2640", "#94455f"),
}
FALLBACK = ("#5b524a", "#857a6f")

# Pictograms on a 100 x 100 grid, stroked in white.
PICTOGRAMS = {
    # a person: head and shoulders
    "cadre": '<circle cx="50" cy="34" r="16"/><path d="M18 88c2-20 15-32 32-32s30 12 32 32"/>',
    # a hall with columns under a roof
    "organization": ('<path d="M12 38 50 16l38 22z"/><path d="M18 86h64M14 94h72"/>'
                     '<path d="M26 46v34M42 46v34M58 46v34M74 46v34"/>'),
    # a shield with a check mark
    "supervision": ('<path d="M50 10 82 22v24c0 22-14 36-32 44-18-8-32-22-32-44V22z"/>'
                    '<path d="m36 50 10 10 20-22"/>'),
    # a screen playing a lesson
    "remote_edu": ('<rect x="12" y="18" width="76" height="50" rx="5"/><path d="M44 32v22l18-11z"/>'
                   '<path d="M36 86h28M50 68v18"/>'),
    # connected nodes
    "informatization": ('<circle cx="50" cy="50" r="9"/><circle cx="20" cy="24" r="7"/>'
                        '<circle cx="82" cy="22" r="7"/><circle cx="18" cy="80" r="7"/>'
                        '<circle cx="80" cy="80" r="7"/><path d="m26 29 17 15M76 27 57 44M24 75l19-18M74 75 57 57"/>'),
    # an open book
    "self_building": ('<path d="M50 26C40 18 26 15 12 16v60c14-1 28 2 38 10 10-8 24-11 38-10V16c-14-1-28 2-38 10z"/>'
                      '<path d="M50 26v60"/>'),
}
FONT = ("-apple-system, BlinkMacSystemFont, 'PingFang SC', 'Noto Sans CJK SC', "
        "'Microsoft YaHei', 'Segoe UI', sans-serif")


def cover_svg(area: str, label: str, tier: str = "", tier_label: str = "") -> str:
    """The cover of a course in `area`, with `label` (the area's name) written on it and,
    when given, its tier as a small badge (one to three gold bars for 初级, 中级, 专家)."""
    dark, light = PALETTE.get(area, FALLBACK)
    pictogram = PICTOGRAMS.get(area, PICTOGRAMS["self_building"])
    size = 34 if len(label) <= 8 else 28 if len(label) <= 12 else 22
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 280" width="640" height="280" role="img" aria-label="{escape(label)}">
<defs>
  <linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
    <stop offset="0" stop-color="{light}"/><stop offset="1" stop-color="{dark}"/>
  </linearGradient>
</defs>
<rect width="640" height="280" fill="url(#g)"/>
<g fill="none" stroke="#e8c77f" stroke-opacity=".28" stroke-width="2">
  <circle cx="560" cy="140" r="120"/><circle cx="560" cy="140" r="160"/><circle cx="560" cy="140" r="200"/>
</g>
<g transform="translate(430 50) scale(1.8)" fill="none" stroke="#fff" stroke-opacity=".92" stroke-width="4.5"
   stroke-linecap="round" stroke-linejoin="round">{pictogram}</g>
{_tier_badge(tier, tier_label)}
<rect x="40" y="184" width="44" height="4" rx="2" fill="#e8c77f"/>
<text x="40" y="{236 if size > 24 else 232}" fill="#fff" font-family="{FONT}" font-size="{size}" font-weight="700"
      letter-spacing="2">{escape(label)}</text>
</svg>
"""


TIER_LEVELS = {"basic": 1, "intermediate": 2, "expert": 3}


def _tier_badge(tier: str, tier_label: str) -> str:
    level = TIER_LEVELS.get(tier)
    if not level or not tier_label:
        return ""
    bars = "".join(f'<rect x="{60 + i * 11}" y="{52 - i * 6}" width="7" height="{12 + i * 6}" rx="2" fill="#e8c77f"/>'
                   for i in range(level))
    width = 84 + 25 * len(tier_label)
    return (f'<rect x="40" y="30" width="{width}" height="44" rx="22" fill="#000" fill-opacity=".2"/>{bars}'
            f'<text x="104" y="61" fill="#fff" font-family="{FONT}" font-size="24" letter-spacing="1">'
            f'{escape(tier_label)}</text>')


def known_area(area: str) -> bool:
    return area in AREAS
