"""Question imports and the question list (trainers)."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.api.base import bp
from app.extensions import db
from app.questions import services
from app.questions.importer import FORMATS, Defaults, import_questions
from app.timeutil import utcnow
from app.vocabulary import AREAS, TIERS
from app.web import error_response
from app.web.forms import db_int

PAGE_SIZE = 50
BOOLEANS = {"true": True, "1": True, "yes": True, "on": True,
            "false": False, "0": False, "no": False, "off": False}


def _flag(name: str) -> bool | None:
    """A true/false form field (absent is false); None when it is something else."""
    return BOOLEANS.get(request.form.get(name, "false").strip().lower())


@bp.post("/question-imports")
@roles_required("trainer", "admin")
def create_question_import():
    upload = request.files.get("file")
    fmt = request.form.get("format", "")
    if upload is None or not upload.filename:
        return error_response(422, "invalid_input", _("Send the file in the 'file' field."))
    if fmt not in FORMATS:
        return error_response(422, "invalid_input", _("format must be one of %(formats)s.",
                                                         formats=", ".join(FORMATS)))
    status = request.form.get("status", "draft")
    if status not in ("draft", "published"):
        return error_response(422, "invalid_input", _("status must be draft or published."))
    area, tier = request.form.get("area", "cadre"), request.form.get("tier", "basic")
    if area not in AREAS or tier not in TIERS:
        return error_response(422, "invalid_input", _("Unknown area or tier."))
    dry_run, allow_partial = _flag("dry_run"), _flag("allow_partial")
    if dry_run is None or allow_partial is None:
        return error_response(422, "invalid_input", _("dry_run and allow_partial must be true or false."))
    report = import_questions(
        upload.read(), fmt=fmt, filename=upload.filename, actor=current_user, now=utcnow(),
        dry_run=dry_run, publish=status == "published", allow_partial=allow_partial,
        defaults=Defaults(area=area, tier=tier))
    db.session.commit()
    return jsonify(report.as_dict())


@bp.get("/questions")
@roles_required("trainer", "admin")
def list_questions():
    filters = services.Filters(
        area=request.args.get("area") or None, type=request.args.get("type") or None,
        tier=request.args.get("tier") or None, status=request.args.get("status") or None,
        lesson_id=request.args.get("lesson", type=db_int), text=request.args.get("q") or None)
    page = db.paginate(services.list_query(filters), page=request.args.get("page", 1, type=db_int),
                       per_page=PAGE_SIZE, error_out=False, count=True)
    return jsonify(total=page.total, page=page.page, per_page=PAGE_SIZE, questions=[
        {"id": q.id, "type": q.type, "stem": q.stem_text, "area": q.area, "tier": q.tier,
         "difficulty": q.difficulty, "status": q.status, "version": q.version,
         "lesson_id": q.lesson_id}
        for q in page.items])
