"""Bulk user import from XLSX or CSV: every bad row is reported; any bad row imports nothing.

Columns (header row, any order; other columns are ignored):
姓名, 用户名, 组织单位 (a name path such as 组织部/干部室), 岗位 (name or code, may be empty),
角色 (one or more of 学员/培训管理员/管理者/管理员 or cadre/trainer/manager/admin, separated by
commas or 、), 入职日期 (a date, may be empty).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts import audit, services
from app.accounts.models import Post, User
from app.accounts.org import find_by_path
from app.errors import ValidationFailed
from app.extensions import db
from app.uploads import (
    ROWS_SEEN_FACTOR,
    ROWS_SEEN_MARGIN,
    UploadRefused,
    clean_filename,
    read_sheet,
    too_many,
    unstorable,
)

HEADERS = {"姓名": "name", "用户名": "username", "组织单位": "org_unit", "岗位": "post",
           "角色": "roles", "入职日期": "joined_on"}
ROLE_NAMES = {
    "学员": "cadre", "组工干部": "cadre", "干部": "cadre", "cadre": "cadre",
    "培训管理员": "trainer", "培训员": "trainer", "trainer": "trainer",
    "管理者": "manager", "部领导": "manager", "组室负责人": "manager", "manager": "manager",
    "管理员": "admin", "系统管理员": "admin", "admin": "admin",
}
MAX_ROWS = 10_000
MAX_NAME = User.name.type.length  # 64, as for the username
_SPLIT = re.compile(r"[,，、;；/\s]+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass(frozen=True)
class RowError:
    row: int
    message: str

    def __post_init__(self):
        # Plain text: the message may quote the file, and a lazy string renders unescaped.
        object.__setattr__(self, "message", str(self.message))


@dataclass(frozen=True)
class ImportReport:
    rows: int
    errors: tuple[RowError, ...]
    usernames: tuple[str, ...]
    imported: bool

    @property
    def ok(self) -> bool:
        return not self.errors


def import_users(filename: str, data: bytes, *, initial_password: str, actor: User | None,
                 today: date, dry_run: bool) -> ImportReport:
    """Check a roster file and, unless `dry_run` or any row is bad, create its users."""
    services.check_password_strength(initial_password)
    table = read_table(filename, data)
    parsed, errors = _check_rows(table, today)
    usernames = tuple(u.username for _row, u in parsed)
    if errors or dry_run:
        return ImportReport(len(table), tuple(errors), usernames, imported=False)
    for _row, user_data in parsed:
        services.create_user(user_data, initial_password, actor=actor, today=today,
                             must_change_password=True)
    audit.record(actor, "user.import", summary=clean_filename(filename),
                 details={"count": len(parsed), "usernames": list(usernames)})
    return ImportReport(len(table), (), usernames, imported=True)


def read_table(filename: str, data: bytes) -> list[tuple[int, dict[str, str | date | None]]]:
    """The data rows of an XLSX or CSV file as (row number, {field: value})."""
    if not data:
        raise ValidationFailed(_l("The file is empty."))
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif lower.endswith(".csv"):
        rows = _csv_rows(data)
    else:
        raise ValidationFailed(_l("Upload an .xlsx or .csv file."))
    if not rows:
        raise ValidationFailed(_l("The file has no header row."))
    header_row, header = rows[0]
    columns: dict[str, int] = {}
    for index, cell in sorted(header.items()):
        name = _text(cell)
        if name in HEADERS:
            columns[HEADERS[name]] = index
    missing = [title for title, field in HEADERS.items() if field not in columns]
    if missing:
        raise ValidationFailed(
            _l("Row %(row)d: the header lacks the column(s) %(names)s.", row=header_row,
               names="、".join(missing))
        )
    body = rows[1:]
    if not body:
        raise ValidationFailed(_l("The file has a header but no data rows."))
    return [(n, {field: cells.get(i) for field, i in columns.items()}) for n, cells in body]


def _check_rows(table, today: date) -> tuple[list[tuple[int, services.UserData]], list[RowError]]:
    errors: list[RowError] = []
    parsed: list[tuple[int, services.UserData]] = []
    usernames = [services.normalize_username(_text(r["username"])) for _n, r in table]
    usernames = [u for u in usernames if not unstorable(u) and len(u) <= MAX_NAME]  # never queried
    taken = set(db.session.scalars(select(User.username).where(User.username.in_(usernames))))
    posts = {p.name: p for p in db.session.scalars(select(Post))}
    posts.update({p.code: p for p in posts.values()})
    units: dict[str, object] = {}
    seen: dict[str, int] = {}
    for row, cells in table:
        problems: list[str] = []
        if any(unstorable(_text(value)) for value in cells.values()):
            errors.append(RowError(row, _("The row holds a NUL character or an invalid one; remove it.")))
            continue
        name = _text(cells["name"])
        username = services.normalize_username(_text(cells["username"]))
        if not name:
            problems.append(_("姓名 is empty."))
        elif len(name) > MAX_NAME:
            problems.append(_("姓名 is longer than %(n)d characters.", n=MAX_NAME))
        if not username:
            problems.append(_("用户名 is empty."))
        elif len(username) > MAX_NAME:
            problems.append(_("用户名 is longer than %(n)d characters.", n=MAX_NAME))
        elif not all(c.isalnum() or c in "._-" for c in username):
            problems.append(_("用户名 %(name)s has characters other than letters, digits, '.', '_' "
                              "and '-'.", name=username))
        elif username in taken:
            problems.append(_("用户名 %(name)s already exists.", name=username))
        elif username in seen:
            problems.append(_("用户名 %(name)s repeats row %(row)d.", name=username,
                              row=seen[username]))
        else:
            seen[username] = row
        unit_path = _text(cells["org_unit"])
        if unit_path not in units:
            units[unit_path] = find_by_path(unit_path) if unit_path else None
        unit = units[unit_path]
        if not unit_path:
            problems.append(_("组织单位 is empty."))
        elif unit is None:
            problems.append(_("组织单位 %(path)s does not exist.", path=unit_path))
        post_name = _text(cells["post"])
        post = posts.get(post_name) if post_name else None
        if post_name and post is None:
            problems.append(_("岗位 %(name)s does not exist.", name=post_name))
        roles, bad_roles = _roles(_text(cells["roles"]))
        if bad_roles:
            problems.append(_("角色 %(names)s is not a known role.", names="、".join(bad_roles)))
        elif not roles:
            problems.append(_("角色 is empty."))
        joined_on = None
        try:
            joined_on = _date(cells["joined_on"])
        except ValueError:
            problems.append(_("入职日期 %(value)s is not a date such as 2024-03-01.",
                              value=_text(cells["joined_on"])))
        else:
            if joined_on and joined_on > today:
                problems.append(_("入职日期 %(value)s is in the future.", value=joined_on.isoformat()))
        if problems:
            errors.extend(RowError(row, p) for p in problems)
        else:
            parsed.append((row, services.UserData(username=username, name=name, org_unit=unit,
                                                  roles=tuple(roles), joined_on=joined_on,
                                                  post=post)))
    return parsed, errors


def _xlsx_rows(data: bytes) -> list[tuple[int, dict[int, object]]]:
    try:
        return read_sheet(data, max_rows=MAX_ROWS, unit=_l("users")).rows
    except UploadRefused as exc:
        raise ValidationFailed(exc.message) from None


def _csv_rows(data: bytes) -> list[tuple[int, dict[int, object]]]:
    """The non-empty rows (header included) as (line, {column: text}), at most MAX_ROWS + 1,
    read one by one so that neither empty lines nor a long file are ever held whole."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationFailed(_l("The CSV file must be encoded in UTF-8 or GB18030."))
    if "\x00" in text:
        raise ValidationFailed(_l("The file is not a text CSV file."))
    rows: list[tuple[int, dict[int, object]]] = []
    seen_limit = MAX_ROWS * ROWS_SEEN_FACTOR + ROWS_SEEN_MARGIN
    reader = csv.reader(io.StringIO(text))
    try:
        for seen, cells in enumerate(reader, 1):
            if seen > seen_limit:
                raise ValidationFailed(too_many(MAX_ROWS, _l("users")).message)
            values = {i: c for i, c in enumerate(cells) if c.strip()}
            if not values:
                continue
            if len(rows) > MAX_ROWS:  # the header and MAX_ROWS users are already in
                raise ValidationFailed(too_many(MAX_ROWS, _l("users")).message)
            rows.append((seen, values))
    except csv.Error as exc:
        raise ValidationFailed(_l("The CSV file is malformed: %(reason)s", reason=str(exc))) from exc
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _roles(value: str) -> tuple[list[str], list[str]]:
    roles: list[str] = []
    bad: list[str] = []
    for part in filter(None, _SPLIT.split(value)):
        code = ROLE_NAMES.get(part.lower())
        if code is None:
            bad.append(part)
        elif code not in roles:
            roles.append(code)
    return roles, bad


def _date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A date cell stored as Excel's serial day number.
        if 1 <= value < 2958466:
            return date(1899, 12, 30) + timedelta(days=int(value))
        raise ValueError(value)
    match = _DATE.match(str(value).strip())
    if not match:
        raise ValueError(value)
    return date(*(int(g) for g in match.groups()))
