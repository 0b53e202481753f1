"""The menu: one table of entries, each shown to the roles that may use it."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.accounts.models import User


@dataclass(frozen=True)
class MenuItem:
    endpoint: str
    label: LazyString
    roles: frozenset[str]
    group: LazyString | None = None


MENU: list[MenuItem] = [
    MenuItem("dashboard.home", _l("Home"), frozenset({"cadre", "trainer", "manager", "admin"})),
    MenuItem("plans.plan", _l("My plan"), frozenset({"cadre", "trainer", "manager"})),
    MenuItem("courses.index", _l("Courses"), frozenset({"cadre", "trainer", "manager", "admin"})),
    MenuItem("exams.index", _l("Exams"), frozenset({"cadre", "trainer", "manager"})),
    MenuItem("courses.check_in", _l("Check in"), frozenset({"cadre", "trainer", "manager"})),
    MenuItem("courses.my_timeline", _l("My timeline"), frozenset({"cadre", "trainer", "manager"})),
    MenuItem("ledger.my_points", _l("My points"), frozenset({"cadre", "trainer", "manager"}),
             _l("Points and rewards")),
    MenuItem("ledger.leaderboard", _l("Leaderboard"), frozenset({"cadre", "trainer", "manager", "admin"}),
             _l("Points and rewards")),
    MenuItem("ledger.rewards", _l("Rewards"), frozenset({"cadre", "trainer", "manager"}), _l("Points and rewards")),
    MenuItem("ledger.adjust", _l("Grant or deduct points"), frozenset({"manager", "admin"}),
             _l("Points and rewards")),
    MenuItem("teach.lessons", _l("Lessons"), frozenset({"trainer", "admin"}), _l("Teaching")),
    MenuItem("teach.collective_sessions", _l("Collective study"), frozenset({"trainer", "admin"}),
             _l("Teaching")),
    MenuItem("questions.index", _l("Question bank"), frozenset({"trainer", "admin"}), _l("Teaching")),
    MenuItem("questions.review_queue", _l("Review queue"), frozenset({"trainer", "admin"}),
             _l("Teaching")),
    MenuItem("questions.import_page", _l("Import questions"), frozenset({"trainer", "admin"}),
             _l("Teaching")),
    MenuItem("exams.manage", _l("Manage exams"), frozenset({"trainer", "admin"}), _l("Teaching")),
    MenuItem("accounts.people", _l("People"), frozenset({"manager", "admin"})),
    MenuItem("teach.assignments", _l("Assignments"), frozenset({"manager", "admin"})),
    MenuItem("reports.completion", _l("Completion"), frozenset({"manager", "admin"})),
    MenuItem("admin.org_units", _l("Org units"), frozenset({"admin"}), _l("Administration")),
    MenuItem("admin.posts", _l("Posts"), frozenset({"admin"}), _l("Administration")),
    MenuItem("admin.users", _l("Users"), frozenset({"admin"}), _l("Administration")),
    MenuItem("admin.user_import", _l("Import users"), frozenset({"admin"}), _l("Administration")),
    MenuItem("admin.audit_log", _l("Audit log"), frozenset({"admin"}), _l("Administration")),
    MenuItem("ledger.admin_rules", _l("Points rules"), frozenset({"admin"}), _l("Administration")),
    MenuItem("ledger.admin_rewards", _l("Rewards catalogue"), frozenset({"admin"}),
             _l("Administration")),
    MenuItem("traces.export_xapi", _l("Export traces (xAPI)"), frozenset({"admin"}),
             _l("Administration")),
]


def menu_for(user: User) -> list[MenuItem]:
    """The menu entries `user`'s roles allow, in menu order."""
    if not user.is_authenticated:
        return []
    held = set(user.roles)
    return [item for item in MENU if item.roles & held]


def menu_groups(items: list[MenuItem]) -> list[tuple[object, list[MenuItem]]]:
    """The grouped entries as dropdowns, in menu order (not sorted by the translated name)."""
    groups: dict[str, tuple[object, list[MenuItem]]] = {}
    for item in items:
        if item.group:
            groups.setdefault(str(item.group), (item.group, []))[1].append(item)
    return list(groups.values())


def init_app(app) -> None:
    """The menu for every page's header."""
    from flask_login import current_user

    @app.context_processor
    def menu_globals():
        return {"menu": menu_for(current_user) if current_user else [], "menu_groups": menu_groups}
