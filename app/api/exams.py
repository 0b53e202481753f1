"""Exams and attempts: list, create, start, save an answer, submit, read.

While an attempt is open nothing here sends a correct answer, fraction, feedback or
explanation: questions go out as the type registry's `Presented.view` only.
"""

from __future__ import annotations

from datetime import datetime

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.permissions import roles_required
from app.api.base import bp
from app.api.serializers import iso
from app.errors import ValidationFailed
from app.exams import services
from app.exams.draw import RuleSpec
from app.exams.models import Attempt, Exam
from app.extensions import db
from app.timeutil import utcnow
from app.web import error_response

EXAM_FIELDS = ("title", "kind", "description", "area", "tier", "status", "counting",
               "multiple_choice_policy", "review_policy")
INT_FIELDS = ("time_limit_s", "max_attempts", "grace_s", "max_tab_switches")


def _money(value) -> str | None:
    return None if value is None else str(value)


def exam_json(exam: Exam, *, used: int | None = None, now: datetime | None = None) -> dict:
    version = exam.current_version
    body = {
        "id": exam.id, "title": exam.title, "kind": exam.kind, "description": exam.description,
        "area": exam.area, "tier": exam.tier, "status": exam.status, "version": exam.version,
        "opens_at": iso(exam.opens_at), "closes_at": iso(exam.closes_at),
        "time_limit_s": exam.time_limit_s, "max_attempts": exam.max_attempts,
        "counting": exam.counting, "pass_score": _money(exam.pass_score), "shuffle": exam.shuffle,
        "multiple_choice_policy": exam.multiple_choice_policy,
        "review_policy": exam.review_policy, "grace_s": exam.grace_s,
        "max_tab_switches": exam.max_tab_switches,
        "paper": {"mode": version.paper_mode,
                  "questions": [{"question_id": i.question_id, "points": _money(i.points)}
                                for i in version.items],
                  "rules": [{"area": r.area, "type": r.qtype, "tier": r.tier,
                             "lesson_id": r.lesson_id, "tag": r.tag, "count": r.count,
                             "points": _money(r.points)} for r in version.rules]},
        "audience": {"org_units": [a.org_unit_id for a in exam.audience if a.org_unit_id],
                     "posts": [a.post_id for a in exam.audience if a.post_id],
                     "users": [a.user_id for a in exam.audience if a.user_id]},
    }
    if used is not None:
        body["attempts_used"] = used
        body["attempts_left"] = services.attempts_left(exam, used)
    if now is not None:
        body["state"] = services.window_state(exam, now)
    return body


def learner_exam_json(exam: Exam, used: int, now: datetime) -> dict:
    """What a cadre sees of an exam: its settings, never its paper's question ids."""
    body = exam_json(exam, used=used, now=now)
    body.pop("paper")
    body.pop("audience")
    return body


def attempt_json(attempt: Attempt, now: datetime) -> dict:
    rows = services.saved_answers(attempt)
    body = {
        "id": attempt.id, "exam_id": attempt.exam_id, "exam_version": attempt.paper["exam_version"],
        "kind": attempt.kind, "attempt_no": attempt.attempt_no, "status": attempt.status,
        "started_at": iso(attempt.started_at), "deadline": iso(attempt.deadline),
        "finished_at": iso(attempt.finished_at),
        "remaining_s": services.remaining_seconds(attempt, now) if attempt.is_open else 0,
        "grace_s": attempt.exam.grace_s, "tab_switches": attempt.tab_switches,
        "max_tab_switches": attempt.exam.max_tab_switches, "paper_hash": attempt.paper_hash,
        "questions": services.presented_questions(attempt.paper),
        "answers": {str(qid): answer for qid, answer in services.shown_answers(attempt, rows).items()},
        "seqs": {str(qid): row.seq for qid, row in rows.items()},
    }
    if not attempt.is_open:
        body.update(score=_money(attempt.score), max_score=_money(attempt.max_score),
                    passed=attempt.passed)
        allowed = services.review_allowed(attempt, now)
        body["review_available"] = allowed
        if allowed:
            body["review"] = {str(qid): details for qid, details in services.review(attempt).items()}
    return body


def submit_json(result: services.SubmitResult) -> dict:
    return {"status": result.status, "score": _money(result.score),
            "max_score": _money(result.max_score), "passed": result.passed}


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed(_("Send a JSON object."))
    return body


def _time(body: dict, name: str) -> datetime | None:
    value = body.get(name)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationFailed(_("%(name)s must be an ISO 8601 time with an offset.", name=name))
    return parsed


def _int(body: dict, name: str, default):
    value = body.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(_("%(name)s must be a whole number.", name=name))
    return value


def _ids(value, name: str) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool)
                                              for v in value):
        raise ValidationFailed(_("%(name)s must be a list of ids.", name=name))
    return value


def exam_data_from_json(body: dict) -> services.ExamData:
    """An ExamData from the API's exam body (see API.md), or ValidationFailed."""
    data = services.ExamData(title="")
    for name in EXAM_FIELDS:
        if name in body:
            value = body[name]
            if value is not None and not isinstance(value, str):
                raise ValidationFailed(_("%(name)s must be text.", name=name))
            setattr(data, name, value if value is not None or name in ("area", "tier") else "")
    data.status = body.get("status", "published")
    if not isinstance(data.title, str):
        raise ValidationFailed(_("title must be text."))
    data.opens_at, data.closes_at = _time(body, "opens_at"), _time(body, "closes_at")
    for name in INT_FIELDS:
        setattr(data, name, _int(body, name, getattr(data, name)))
    if data.grace_s is None:
        data.grace_s = 0
    if "pass_score" in body:
        data.pass_score = services.parse_decimal(body["pass_score"], name="pass_score")
    shuffle = body.get("shuffle", False)
    if not isinstance(shuffle, bool):
        raise ValidationFailed(_("shuffle must be true or false."))
    data.shuffle = shuffle
    questions = body.get("question_ids")
    if questions is not None:
        if not isinstance(questions, list):
            raise ValidationFailed(_("question_ids must be a list."))
        for entry in questions:
            if isinstance(entry, int) and not isinstance(entry, bool):
                data.items.append((entry, None))
            elif isinstance(entry, dict) and isinstance(entry.get("id"), int):
                points = entry.get("points")
                data.items.append((entry["id"], None if points is None else
                                   services.parse_decimal(points, name="points")))
            else:
                raise ValidationFailed(_("question_ids holds ids or {\"id\", \"points\"} objects."))
    rules = body.get("rules")
    if rules is not None:
        if not isinstance(rules, list):
            raise ValidationFailed(_("rules must be a list."))
        for rule in rules:
            if not isinstance(rule, dict):
                raise ValidationFailed(_("Each rule is an object."))
            count, lesson_id = rule.get("count"), rule.get("lesson_id")
            texts = [rule.get(k) for k in ("area", "type", "tier")]
            if not all(isinstance(t, str) for t in texts) or isinstance(count, bool) \
                    or not isinstance(count, int) \
                    or (lesson_id is not None and (not isinstance(lesson_id, int)
                                                   or isinstance(lesson_id, bool))) \
                    or (rule.get("tag") is not None and not isinstance(rule.get("tag"), str)):
                raise ValidationFailed(_("A rule needs area, type, tier (text), count (a whole "
                                         "number), points, and optionally lesson_id or tag."))
            data.rules.append(RuleSpec(
                area=texts[0], qtype=texts[1], tier=texts[2], count=count,
                points=services.parse_decimal(rule.get("points", 1), name="points"),
                lesson_id=lesson_id, tag=rule.get("tag") or None))
    audience = body.get("audience") or {}
    if not isinstance(audience, dict):
        raise ValidationFailed(_("audience must be an object."))
    data.audience_units = _ids(audience.get("org_units"), "org_units")
    data.audience_posts = _ids(audience.get("posts"), "posts")
    data.audience_users = _ids(audience.get("users"), "users")
    return data


@bp.get("/exams")
@login_required
def list_exams():
    now = utcnow()
    exams = services.visible_exams(current_user)
    used = services.attempts_used(current_user, [e.id for e in exams])
    return jsonify(exams=[learner_exam_json(e, used.get(e.id, 0), now) for e in exams])


@bp.post("/exams")
@roles_required("trainer", "admin")
def create_exam():
    data = exam_data_from_json(_body())
    exam = services.create_exam(data, actor=current_user, now=utcnow())
    db.session.commit()
    return jsonify(exam_json(exam)), 201


@bp.post("/exams/<int:exam_id>/attempts")
@login_required
def start_attempt(exam_id: int):
    now = utcnow()
    exam = services.exam_for(current_user, exam_id)
    attempt, created = services.start_attempt(current_user, exam, now=now)
    db.session.commit()
    return jsonify(attempt_json(attempt, now)), 201 if created else 200


def _touched_attempt(attempt_id: int, now: datetime) -> Attempt:
    """The caller's attempt, submitted first if it is overdue (and that committed)."""
    attempt = services.get_attempt(current_user, attempt_id)
    if services.settle_if_overdue(attempt, now=now):
        db.session.commit()
    return attempt


@bp.put("/attempts/<int:attempt_id>/answers/<int:question_id>")
@login_required
def save_answer(attempt_id: int, question_id: int):
    now = utcnow()
    body = _body()
    if "answer" not in body or "seq" not in body:
        return error_response(422, "invalid_input", _("Send answer and seq."))
    attempt = _touched_attempt(attempt_id, now)
    device = body.get("device") or request.headers.get("X-Device-Id", "")
    result = services.save_answer(attempt, question_id, body["answer"], seq=body["seq"], now=now,
                                  device=device if isinstance(device, str) else "")
    db.session.commit()
    return jsonify(saved_at=iso(result.saved_at), seq=result.seq, remaining_s=result.remaining_s)


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit_attempt(attempt_id: int):
    now = utcnow()
    attempt = _touched_attempt(attempt_id, now)
    result = services.submit(attempt, now=now, by="user")
    db.session.commit()
    return jsonify(submit_json(result))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def get_attempt(attempt_id: int):
    now = utcnow()
    attempt = _touched_attempt(attempt_id, now)
    return jsonify(attempt_json(attempt, now))


@bp.post("/attempts/<int:attempt_id>/tab-switches")
@login_required
def report_tab_switch(attempt_id: int):
    now = utcnow()
    attempt = _touched_attempt(attempt_id, now)
    result = services.report_tab_switch(attempt, now=now)
    db.session.commit()
    return jsonify(tab_switches=result.count, max_tab_switches=result.limit,
                   submitted=result.submitted, status=attempt.status)
