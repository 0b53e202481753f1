"""Managers' completion report: tables, a bar chart, drill-down and an XLSX export."""

from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from openpyxl import Workbook

from app.accounts.models import Post
from app.accounts.permissions import get_visible_unit, roles_required
from app.extensions import db
from app.questions.formats.xlsx import safe_cell
from app.reports.services import completion as build
from app.timeutil import local_today
from app.web.downloads import attachment
from app.web.forms import db_int

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _report():
    unit_id = request.args.get("unit", type=db_int)
    unit = get_visible_unit(current_user, unit_id) if unit_id else None
    post_id = request.args.get("post", type=db_int)
    post = db.session.get(Post, post_id) if post_id else None
    if post_id and post is None:
        abort(404)
    return build(current_user, local_today(), unit, post)


@bp.route("/completion")
@roles_required("manager", "admin")
def completion():
    report = _report()
    chart = {"labels": [row.label for row in report.by_unit],
             "rates": [round(row.counts.rate * 100, 1) for row in report.by_unit],
             "title": _("Completion rate by org unit (%)")}
    return render_template("reports/completion.html", report=report, chart=chart)


@bp.route("/completion.xlsx")
@roles_required("manager", "admin")
def completion_xlsx():
    report = _report()
    book = Workbook()
    header = [_("Name"), _("People"), _("Required items"), _("Completed"), _("Completion rate"), _("Overdue"),
              _("Lessons in the plan"), _("Lessons completed")]
    for title, rows in ((_("By org unit"), report.by_unit), (_("By post"), report.by_post)):
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            c = row.counts
            sheet.append([safe_cell(row.label), c.people, c.required, c.completed, round(c.rate, 4), c.overdue,
                          c.lessons, c.lessons_completed])
            sheet.cell(sheet.max_row, 5).number_format = "0.0%"
    people = book.create_sheet(_("People"))
    people.append([_("Name"), _("Username"), _("Org unit"), _("Post"), _("Required items"), _("Completed"),
                   _("Completion rate"), _("Overdue"), _("Lessons in the plan"), _("Lessons completed")])
    for row in report.people:
        user, c = row.user, row.counts
        people.append([safe_cell(user.name), safe_cell(user.username),
                       safe_cell(user.org_unit.name if user.org_unit else ""),
                       safe_cell(user.current_post.name if user.current_post else ""),
                       c.required, c.completed, round(c.rate, 4), c.overdue, c.lessons, c.lessons_completed])
        people.cell(people.max_row, 7).number_format = "0.0%"
    book.remove(book.worksheets[0])
    buffer = io.BytesIO()
    book.save(buffer)
    return attachment(buffer.getvalue(), "学习完成情况.xlsx", "learning-completion.xlsx",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
