"""The shared vocabulary: business areas and skill tiers, used by posts, courses and questions.

Codes are stored; labels are shown, translated through Flask-Babel.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

AREAS = {
    "cadre": _l("Cadre work"),
    "organization": _l("Organization building"),
    "supervision": _l("Cadre supervision"),
    "remote_edu": _l("Remote education"),
    "informatization": _l("Informatization and online information work"),
    "self_building": _l("Self-building of organization cadres"),
}

TIERS = {
    "basic": _l("Basic"),
    "intermediate": _l("Intermediate"),
    "expert": _l("Expert"),
}

# Chinese names as they appear in files people write by hand (imports, spreadsheets).
AREA_ALIASES = {
    "干部工作": "cadre",
    "组织建设": "organization",
    "基层组织建设": "organization",
    "干部监督": "supervision",
    "远程教育": "remote_edu",
    "信息化": "informatization",
    "信息网评": "informatization",
    "网络信息工作": "informatization",
    "自身建设": "self_building",
}
TIER_ALIASES = {"初级": "basic", "中级": "intermediate", "专家": "expert", "高级": "expert"}


def sql_in(values) -> str:
    """A SQL `IN (...)` list of string literals for a check constraint."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"
