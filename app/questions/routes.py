"""Trainer pages for the question bank."""

from __future__ import annotations

import io
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app.accounts.permissions import roles_required
from app.courses.models import Course, Lesson, Module
from app.errors import DomainError
from app.extensions import db
from app.questions import services
from app.questions.content import keep_imported_details, to_data
from app.questions.data import QuestionData
from app.questions.forms import ExportForm, ImportForm, QuestionForm, ReviewForm
from app.questions.history import changes_between
from app.questions.importer import FORMATS, Defaults, ImportFailed, format_module, import_questions
from app.questions.models import STATUSES, USAGES, Question, QuestionReview, QuestionVersion
from app.questions.types import REGISTRY, TYPE_LABELS, get_type, shortest
from app.timeutil import utcnow
from app.web.downloads import attachment
from app.web.forms import EmptyForm, choices, db_int

bp = Blueprint("questions", __name__, url_prefix="/teach/questions")
FORMAT_LABELS = {"xlsx": "Excel (XLSX)", "yaml": "YAML", "gift": "GIFT", "moodle_xml": "Moodle XML",
                 "aiken": "Aiken"}
PAGE_SIZE = 30
EXPORT_TYPES = {"yaml": ("yaml", "application/x-yaml"), "gift": ("gift.txt", "text/plain"),
                "aiken": ("aiken.txt", "text/plain"), "moodle_xml": ("xml", "application/xml"),
                "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


@bp.before_request
@roles_required("trainer", "admin")
def require_trainer():
    """Every page here is for trainers (and admins)."""


REVIEW_ACTIONS = {"submit": _l("sent for review"), "approve": _l("approved and published"),
                  "reject": _l("returned"), "retire": _l("retired"), "import_publish": _l("published on import"),
                  "edit": _l("edited the draft")}


@bp.app_context_processor
def labels():
    # App-wide: the question partials are shared with the exam pages.
    return {"TYPE_LABELS": TYPE_LABELS, "QUESTION_TYPES": REGISTRY, "Q_STATUSES": STATUSES, "USAGES": USAGES,
            "REVIEW_ACTIONS": REVIEW_ACTIONS, "FORMAT_LABELS": FORMAT_LABELS}


def _question(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        abort(404)
    return question


def _filters() -> services.Filters:
    args = request.args
    return services.Filters(area=args.get("area") or None, type=args.get("type") or None,
                            tier=args.get("tier") or None, status=args.get("status") or None,
                            lesson_id=args.get("lesson", type=db_int), text=(args.get("q") or "").strip() or None)


def _lesson_choices():
    rows = db.session.execute(select(Lesson.id, Course.title, Lesson.title).join(Lesson.course).join(Lesson.module)
                              .where(Lesson.status != "archived")
                              .order_by(Course.position, Module.position, Lesson.position)).all()
    return [(0, _("(none)"))] + [(lid, f"{course} · {title}") for lid, course, title in rows]


@bp.route("")
def index():
    filters = _filters()
    page = db.paginate(services.list_query(filters), page=request.args.get("page", 1, type=db_int),
                       per_page=PAGE_SIZE, error_out=False)
    return render_template("questions/index.html", page=page, filters=filters, lessons=_lesson_choices(),
                           export_form=ExportForm(), args=request.args.to_dict())


@bp.route("/review")
def review_queue():
    rows = db.session.scalars(services.review_queue()).all()
    return render_template("questions/review.html", rows=rows)


def _form_to_data(form: QuestionForm, qtype: str) -> QuestionData:
    data = QuestionData(
        type=qtype, stem=form.stem.data or "", area=form.area.data, tier=form.tier.data,
        difficulty=form.difficulty.data, usage=form.usage.data,
        points=form.points.data if form.points.data is not None else Decimal(1),
        explanation=form.explanation.data or "",
        tags=[t.strip() for t in (form.tags.data or "").replace("，", ",").split(",") if t.strip()])
    get_type(qtype).read_form(form, data)
    return data


def _fill_form(form: QuestionForm, question: Question) -> None:
    version = question.current_version
    data = to_data(question.type, version.content)
    form.stem.data, form.area.data, form.tier.data = data.stem, question.area, question.tier
    form.difficulty.data, form.usage.data = question.difficulty, question.usage
    form.lesson_id.data = question.lesson_id or 0
    form.points.data = Decimal(shortest(version.points))  # 2.5, not 2.50
    form.tags.data = ", ".join(version.tags)
    form.explanation.data = data.explanation
    get_type(question.type).fill_form(form, data)


def _save(form: QuestionForm, qtype: str, question: Question | None):
    data = _form_to_data(form, qtype)
    if question is not None:
        keep_imported_details(data, to_data(question.type, question.current_version.content))
    lesson = db.session.get(Lesson, form.lesson_id.data) if form.lesson_id.data else None
    try:
        saved = services.save(data, actor=current_user, now=utcnow(), question=question, lesson=lesson)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return None
    db.session.commit()
    flash(_("Question saved (version %(n)d, %(status)s).", n=saved.version, status=STATUSES[saved.status]),
          "success")
    return redirect(url_for(".show", question_id=saved.id))


@bp.route("/new/<qtype>", methods=["GET", "POST"])
def new(qtype: str):
    if qtype not in REGISTRY:
        abort(404)
    form = QuestionForm()
    form.lesson_id.choices = choices(_lesson_choices())
    if form.validate_on_submit():
        response = _save(form, qtype, None)
        if response is not None:
            return response
    return render_template("questions/edit.html", form=form, qtype=qtype, question=None)


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
def edit(question_id: int):
    question = _question(question_id)
    if question.status == "retired":
        flash(_("A retired question cannot be edited; write a new one instead."), "warning")
        return redirect(url_for(".show", question_id=question.id))
    form = QuestionForm()
    form.lesson_id.choices = choices(_lesson_choices())
    if request.method == "GET":
        _fill_form(form, question)
    if form.validate_on_submit():
        response = _save(form, question.type, question)
        if response is not None:
            return response
    return render_template("questions/edit.html", form=form, qtype=question.type, question=question)


@bp.post("/preview/<qtype>")
def preview(qtype: str):
    """The question as a cadre will see it, from the unsaved form."""
    if qtype not in REGISTRY:
        abort(404)
    form = QuestionForm()
    form.lesson_id.choices = choices(_lesson_choices())
    form.validate()
    data = _form_to_data(form, qtype)
    from app.questions.content import to_content

    return render_template("questions/_preview.html", view=get_type(qtype).present(to_content(data)).view,
                           points=data.points, problems=services.problems(data) if data.stem else [])


@bp.route("/<int:question_id>")
def show(question_id: int):
    question = _question(question_id)
    version_no = request.args.get("v", type=db_int)
    version = question.current_version
    if version_no:
        version = db.session.scalar(select(QuestionVersion).where(
            QuestionVersion.question_id == question.id, QuestionVersion.version == version_no))
        if version is None:
            abort(404)
    earlier = db.session.scalar(select(QuestionVersion).where(
        QuestionVersion.question_id == question.id, QuestionVersion.version < version.version)
        .order_by(QuestionVersion.version.desc()).limit(1))
    reviews = db.session.scalars(select(QuestionReview).where(QuestionReview.question_id == question.id)
                                 .order_by(QuestionReview.at.desc())).all()
    current = version.id == question.current_version_id
    may_review = (question.status == "in_review" and current
                  and current_user.id not in services.version_authors(question))
    return render_template("questions/show.html", question=question, version=version, current=current,
                           view=get_type(question.type).present(version.content).view,
                           meta=_version_meta(version), may_review=may_review,
                           changes=changes_between(question.type, earlier, version) if earlier else [],
                           reviews=reviews, review_form=ReviewForm(), action_form=EmptyForm())


def _version_meta(version: QuestionVersion) -> dict:
    """What a version says about area, tier, difficulty, usage and lesson, the lesson found."""
    return {**version.meta, "lesson_obj": services.find_lesson(version.meta.get("lesson"))}


def _act(question_id: int, action):
    question = _question(question_id)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            action(question, form.comment.data or "")
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            db.session.commit()
            flash(_("Status: %(status)s.", status=STATUSES[question.status]), "success")
    return redirect(url_for(".show", question_id=question.id))


@bp.post("/<int:question_id>/submit")
def submit(question_id: int):
    return _act(question_id, lambda q, _c: services.submit(q, actor=current_user, now=utcnow()))


@bp.post("/<int:question_id>/approve")
def approve(question_id: int):
    return _act(question_id, lambda q, _c: services.approve(q, actor=current_user, now=utcnow()))


@bp.post("/<int:question_id>/reject")
def reject(question_id: int):
    return _act(question_id, lambda q, c: services.reject(q, actor=current_user, comment=c, now=utcnow()))


@bp.post("/<int:question_id>/retire")
def retire(question_id: int):
    return _act(question_id, lambda q, _c: services.retire(q, actor=current_user, now=utcnow()))


@bp.route("/import", methods=["GET", "POST"])
def import_page():
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = import_questions(
                upload.read(), fmt=form.format.data, filename=upload.filename or "", actor=current_user,
                now=utcnow(), dry_run=form.dry_run.data, publish=form.publish.data,
                allow_partial=form.allow_partial.data, defaults=Defaults(form.area.data, form.tier.data))
        except ImportFailed as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            db.session.commit()
    return render_template("questions/import.html", form=form, report=report)


@bp.route("/import/template.xlsx")
def import_template():
    from app.questions.formats import xlsx

    return attachment(xlsx.template(), "题库导入模板.xlsx", "question-import-template.xlsx",
                      EXPORT_TYPES["xlsx"][1])


@bp.route("/export")
def export():
    fmt = request.args.get("format", "xlsx")
    if fmt not in FORMATS:
        abort(404)
    module = format_module(fmt)
    questions = db.session.scalars(services.export_query(_filters()).limit(20_000)).all()
    pairs = [(q, services.to_question_data(q)) for q in questions]
    left_out = [q for q, data in pairs if not module.can_carry(data)]
    if left_out and request.args.get("confirm") != "1":
        # Never drop questions silently: say which ones this format cannot hold, first.
        args = {k: v for k, v in request.args.items() if k != "confirm"}
        list_args = {k: v for k, v in args.items() if k != "format"}
        return render_template("questions/export_confirm.html", fmt=FORMAT_LABELS[fmt], total=len(pairs),
                               left_out=left_out, args=args, list_args=list_args)
    data = module.export([data for _q, data in pairs])
    suffix, mimetype = EXPORT_TYPES[fmt]
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"question-bank.{suffix}",
                     mimetype=mimetype)


@bp.app_template_filter("points")
def points_filter(value) -> str:
    """Points and scores as people write them: 1, 0.3, 2.5 (exact, no float noise)."""
    return shortest(value) if value is not None else ""


@bp.app_template_filter("question_stem")
def question_stem(content: dict):
    """A stem as HTML: sanitized markup for HTML stems, escaped text with line breaks otherwise."""
    from markupsafe import Markup, escape

    if content.get("stem_format") == "html":
        return Markup(content.get("stem", ""))  # sanitized when it was saved
    return Markup("<br>").join(escape(line) for line in content.get("stem", "").splitlines())
