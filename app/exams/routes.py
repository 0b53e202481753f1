"""Exam pages. Cadres: the exam list, an exam's page (start or resume), the attempt page
(every question on one page, autosaved through the JSON API by static/js/exam.js), the
result page. Trainers: list, create and edit, preview a drawn paper, publish, results.

While an attempt is open its page carries only `Presented.view` of each question: no
correct answer, fraction, feedback or explanation is ever rendered into it.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.accounts.models import OrgUnit, Post, User
from app.accounts.org import subtree_filter
from app.accounts.permissions import roles_required
from app.errors import ValidationFailed
from app.exams import services
from app.exams.draw import RuleSpec
from app.exams.forms import RULE_ROWS, ExamForm
from app.exams.models import (
    ATTEMPT_STATUSES,
    COUNTING,
    EXAM_STATUSES,
    KINDS,
    MC_POLICIES,
    REVIEW_POLICIES,
    Attempt,
    Exam,
)
from app.extensions import db
from app.questions.models import Question
from app.questions.types import get_type
from app.timeutil import LOCAL_TZ, utcnow
from app.web.downloads import attachment
from app.web.forms import EmptyForm, choices, db_int
from app.web.unit import attempt as try_work
from app.web.unit import perform

bp = Blueprint("exams", __name__)
WINDOW_STATES = {"upcoming": _l("Not open yet"), "open": _l("Open"), "closed": _l("Closed")}
PICKER_LIMIT = 2000


@bp.app_context_processor
def labels():
    return {"EXAM_KINDS": KINDS, "EXAM_STATUSES": EXAM_STATUSES, "ATTEMPT_STATUSES": ATTEMPT_STATUSES,
            "WINDOW_STATES": WINDOW_STATES, "COUNTING": COUNTING, "MC_POLICIES": MC_POLICIES,
            "REVIEW_POLICIES": REVIEW_POLICIES}


@bp.app_template_filter("local_time")
def local_time(value: datetime | None) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if value else ""


@bp.app_template_filter("answer_text")
def answer_text(value) -> str:
    """An answer in the API shape as a line of text (keys, 对/错, blanks)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("True") if value else _("False")
    if isinstance(value, list):
        return "；".join(str(v) for v in value) if any(len(str(v)) > 1 for v in value) \
            else "".join(str(v) for v in value)
    return str(value)


# ---------------------------------------------------------------- cadres


@bp.route("/exams")
@login_required
def index():
    now = utcnow()
    exams = services.visible_exams(current_user)
    used = services.attempts_used(current_user, [e.id for e in exams])
    open_ids = set(db.session.scalars(select(Attempt.exam_id).where(
        Attempt.user_id == current_user.id, Attempt.status == "in_progress")))
    best = {}
    for exam in exams:
        attempts = [a for a in services.user_attempts(current_user, exam)]
        best[exam.id] = services.counted_attempt(attempts, exam.counting)
    return render_template("exams/index.html", exams=exams, used=used, open_ids=open_ids,
                           best=best, now=now, services=services)


@bp.route("/exams/<int:exam_id>")
@login_required
def exam_page(exam_id: int):
    now = utcnow()
    exam = services.exam_for(current_user, exam_id)
    current = services.open_attempt(current_user, exam)
    if current is not None and services.settle_if_overdue(current, now=now):
        db.session.commit()
        current = None
    attempts = services.user_attempts(current_user, exam)
    used = len(attempts)
    return render_template("exams/exam.html", exam=exam, current=current, attempts=attempts,
                           left=services.attempts_left(exam, used),
                           state=services.window_state(exam, now), form=EmptyForm(),
                           counted=services.counted_attempt(attempts, exam.counting))


@bp.post("/exams/<int:exam_id>/start")
@login_required
def start(exam_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    now = utcnow()
    exam = services.exam_for(current_user, exam_id)
    attempt, _created = perform(lambda: services.start_attempt(current_user, exam, now=now))
    return redirect(url_for("exams.attempt_page", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>")
@login_required
def attempt_page(attempt_id: int):
    now = utcnow()
    attempt = services.get_attempt(current_user, attempt_id)
    if services.settle_if_overdue(attempt, now=now):
        db.session.commit()
    questions = services.presented_questions(attempt.paper)
    rows = services.saved_answers(attempt)
    answers = services.shown_answers(attempt, rows)
    if attempt.is_open:
        return render_template(
            "exams/attempt.html", attempt=attempt, exam=attempt.exam, questions=questions,
            answers=answers, seqs={qid: row.seq for qid, row in rows.items()},
            remaining=services.remaining_seconds(attempt, now), form=EmptyForm(),
            types={q["id"]: get_type(q["type"]) for q in questions})
    allowed = services.review_allowed(attempt, now)
    return render_template(
        "exams/result.html", attempt=attempt, exam=attempt.exam, questions=questions,
        answers=answers, review=services.review(attempt) if allowed else None,
        review_allowed=allowed, types={q["id"]: get_type(q["type"]) for q in questions},
        percent=services.grading.percent(attempt.score, attempt.max_score)
        if attempt.score is not None else None)


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    """The form fallback of the page's submit button (the script uses the API)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    now = utcnow()
    attempt = services.get_attempt(current_user, attempt_id)
    perform(lambda: services.submit(attempt, now=now, by="user"))
    return redirect(url_for("exams.attempt_page", attempt_id=attempt.id))


# ---------------------------------------------------------------- trainers


@bp.route("/teach/exams")
@roles_required("trainer", "admin")
def manage():
    exams = list(db.session.scalars(select(Exam).order_by(Exam.id.desc())))
    counts = dict(db.session.execute(
        select(Attempt.exam_id, func.count()).where(Attempt.status != "in_progress")
        .group_by(Attempt.exam_id)).all())
    return render_template("exams/manage.html", exams=exams, counts=counts, form=EmptyForm())


def _picker() -> list[Question]:
    return list(db.session.scalars(
        select(Question).where(Question.status == "published").order_by(Question.area, Question.id)
        .limit(PICKER_LIMIT)))


def _form_choices(form: ExamForm) -> None:
    form.audience_units.choices = choices((u.id, u.name) for u in db.session.scalars(
        select(OrgUnit).order_by(OrgUnit.path)))
    form.audience_posts.choices = choices((p.id, p.name) for p in db.session.scalars(
        select(Post).where(Post.active.is_(True)).order_by(Post.name)))


def _to_utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=LOCAL_TZ).astimezone(UTC) if value is not None else None


def _to_local(value: datetime | None) -> datetime | None:
    return value.astimezone(LOCAL_TZ).replace(tzinfo=None) if value is not None else None


def _data_from_form(form: ExamForm) -> services.ExamData:
    items: list[tuple[int, Decimal | None]] = []
    for part in (form.question_ids.data or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        qid, _sep, points = part.partition(":")
        try:
            items.append((int(qid), services.parse_decimal(points, name=_("Points"))
                          if points.strip() else None))
        except ValueError:
            raise ValidationFailed(_("Write question ids separated by commas, each "
                                              "optionally followed by :points.")) from None
    rules = [RuleSpec(area=row.area.data, qtype=row.qtype.data, tier=row.tier.data,
                      count=row.count.data, points=Decimal(str(row.points.data)),
                      lesson_id=row.lesson_id.data or None, tag=(row.tag.data or "").strip() or None)
             for row in form.rules if row.count.data]
    usernames = [u.strip() for u in (form.audience_users.data or "").replace("，", ",").split(",")
                 if u.strip()]
    user_ids = []
    if usernames:
        found = dict(db.session.execute(select(User.username, User.id).where(
            User.username.in_(usernames))).all())
        missing = [u for u in usernames if u not in found]
        if missing:
            raise ValidationFailed(_("Unknown usernames: %(names)s.",
                                               names=", ".join(missing)))
        user_ids = [found[u] for u in usernames]
    return services.ExamData(
        title=form.title.data or "", kind=form.kind.data, description=form.description.data or "",
        area=form.area.data or None, tier=form.tier.data or None, status=form.status.data,
        opens_at=_to_utc(form.opens_at.data), closes_at=_to_utc(form.closes_at.data),
        time_limit_s=form.time_limit_min.data * 60 if form.time_limit_min.data else None,
        max_attempts=form.max_attempts.data or None, counting=form.counting.data,
        pass_score=Decimal(str(form.pass_score.data)), shuffle=form.shuffle.data,
        multiple_choice_policy=form.multiple_choice_policy.data,
        review_policy=form.review_policy.data, grace_s=form.grace_s.data or 0,
        max_tab_switches=form.max_tab_switches.data or None,
        items=items if not rules else [], rules=rules,
        audience_units=list(form.audience_units.data or []),
        audience_posts=list(form.audience_posts.data or []), audience_users=user_ids)


def _fill_form(form: ExamForm, exam: Exam) -> None:
    for name in ("title", "kind", "description", "status", "counting", "shuffle",
                 "multiple_choice_policy", "review_policy", "grace_s", "max_tab_switches",
                 "max_attempts"):
        getattr(form, name).data = getattr(exam, name)
    form.area.data, form.tier.data = exam.area or "", exam.tier or ""
    form.pass_score.data = exam.pass_score
    form.opens_at.data, form.closes_at.data = _to_local(exam.opens_at), _to_local(exam.closes_at)
    form.time_limit_min.data = exam.time_limit_s // 60 if exam.time_limit_s else None
    version = exam.current_version
    form.question_ids.data = ", ".join(
        f"{i.question_id}:{i.points.normalize():f}" if i.points else str(i.question_id)
        for i in version.items)
    for row, rule in zip(form.rules, version.rules, strict=False):
        row.area.data, row.qtype.data, row.tier.data = rule.area, rule.qtype, rule.tier
        row.count.data, row.points.data = rule.count, rule.points
        row.lesson_id.data, row.tag.data = rule.lesson_id, rule.tag or ""
    form.audience_units.data = [a.org_unit_id for a in exam.audience if a.org_unit_id]
    form.audience_posts.data = [a.post_id for a in exam.audience if a.post_id]
    form.audience_users.data = ", ".join(a.user.username for a in exam.audience if a.user_id)


@bp.route("/teach/exams/new", methods=["GET", "POST"])
@bp.route("/teach/exams/<int:exam_id>/edit", methods=["GET", "POST"])
@roles_required("trainer", "admin")
def edit(exam_id: int | None = None):
    exam = services.get_exam(exam_id) if exam_id else None
    form = ExamForm()
    _form_choices(form)
    if request.method == "GET" and exam is not None:
        _fill_form(form, exam)
    if form.validate_on_submit():
        def work():
            data = _data_from_form(form)
            if exam is None:
                return services.create_exam(data, actor=current_user, now=utcnow())
            return services.update_exam(exam, data, actor=current_user, now=utcnow())

        outcome = try_work(work)
        if outcome.ok:
            return redirect(url_for("exams.manage"))
    return render_template("exams/edit.html", form=form, exam=exam, picker=_picker(),
                           rule_rows=RULE_ROWS)


@bp.route("/teach/exams/<int:exam_id>/preview")
@roles_required("trainer", "admin")
def preview(exam_id: int):
    exam = services.get_exam(exam_id)
    outcome = try_work(lambda: services.preview_paper(exam))
    if not outcome.ok:
        return redirect(url_for("exams.edit", exam_id=exam.id))
    questions = outcome.value
    return render_template("exams/preview.html", exam=exam, questions=questions,
                           types={q["id"]: get_type(q["type"]) for q in questions})


@bp.post("/teach/exams/<int:exam_id>/status")
@roles_required("trainer", "admin")
def set_status(exam_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    exam = services.get_exam(exam_id)
    status = request.form.get("status", "")
    perform(lambda: services.set_status(exam, status, now=utcnow()))
    return redirect(url_for("exams.manage"))


def _results(exam: Exam):
    """Each counting attempt with its person, filtered by org unit (subtree) and post."""
    unit_id = request.args.get("unit", type=db_int)
    post_id = request.args.get("post", type=db_int)
    counted = services.counted_attempts(exam)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(counted))))}
    unit = db.session.get(OrgUnit, unit_id) if unit_id else None
    if unit is not None:
        inside = set(db.session.scalars(select(User.id).join(User.org_unit).where(
            User.id.in_(list(counted)), subtree_filter(unit))))
        counted = {uid: a for uid, a in counted.items() if uid in inside}
    if post_id:
        counted = {uid: a for uid, a in counted.items()
                   if users[uid].current_post is not None and users[uid].current_post.id == post_id}
    rows = sorted(((users[uid], a) for uid, a in counted.items()), key=lambda r: r[0].username)
    return rows, unit, post_id


def _not_taken(exam: Exam, unit: OrgUnit | None, post_id: int | None) -> list[User]:
    """The audience members with no submitted attempt, under the same filters."""
    taken = set(db.session.scalars(select(Attempt.user_id).where(
        Attempt.exam_id == exam.id, Attempt.status != "in_progress")))
    members = [u for u in services.audience_members(exam) if u.id not in taken]
    if unit is not None:
        members = [u for u in members if u.org_unit is not None and u.org_unit.path.startswith(unit.path)]
    if post_id:
        members = [u for u in members if u.current_post is not None and u.current_post.id == post_id]
    return members


@bp.route("/teach/exams/<int:exam_id>/results")
@roles_required("trainer", "admin")
def results(exam_id: int):
    exam = services.get_exam(exam_id)
    rows, unit, post_id = _results(exam)
    histogram = services.score_histogram([a.score for _u, a in rows], [a.max_score for _u, a in rows])
    units = list(db.session.scalars(select(OrgUnit).order_by(OrgUnit.path)))
    posts = list(db.session.scalars(select(Post).order_by(Post.name)))
    return render_template("exams/results.html", exam=exam, rows=rows, histogram=histogram,
                           units=units, posts=posts, unit=unit, post_id=post_id,
                           percent=services.grading.percent,
                           not_taken=_not_taken(exam, unit, post_id))


@bp.route("/teach/exams/<int:exam_id>/results.xlsx")
@roles_required("trainer", "admin")
def results_xlsx(exam_id: int):
    from openpyxl import Workbook

    exam = services.get_exam(exam_id)
    rows, _unit, _post = _results(exam)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Results")[:31]
    sheet.append([_("Username"), _("Name"), _("Org unit"), _("Post"), _("Attempt"), _("Score"),
                  _("Maximum"), _("Percent"), _("Passed"), _("Finished at"), _("Tab switches")])
    for user, a in rows:
        sheet.append([user.username, user.name, user.org_unit.name if user.org_unit else "",
                      user.current_post.name if user.current_post else "", a.attempt_no,
                      float(a.score), float(a.max_score),
                      float(services.grading.percent(a.score, a.max_score)) / 100,
                      _("Yes") if a.passed else _("No"), local_time(a.finished_at),
                      a.tab_switches])
        sheet.cell(row=sheet.max_row, column=8).number_format = "0.00%"
    buffer = io.BytesIO()
    book.save(buffer)
    return attachment(buffer.getvalue(), f"{exam.title}-成绩.xlsx", f"exam-{exam.id}-results.xlsx",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
