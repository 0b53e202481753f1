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
# The names the Chinese pages show (the zh catalog's labels of AREAS); files we write use them.
AREA_NAMES_ZH = {
    "cadre": "干部工作",
    "organization": "组织建设",
    "supervision": "干部监督",
    "remote_edu": "远程教育",
    "informatization": "信息化与网络信息工作",
    "self_building": "组工干部自身建设",
}
AREA_ALIASES = {
    **{name: code for code, name in AREA_NAMES_ZH.items()},
    "基层组织建设": "organization",
    "信息化": "informatization",
    "信息网评": "informatization",
    "网络信息工作": "informatization",
    "自身建设": "self_building",
}
TIER_ALIASES = {"初级": "basic", "中级": "intermediate", "专家": "expert", "高级": "expert"}


def sql_in(values) -> str:
    """A SQL `IN (...)` list of string literals for a check constraint."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"
