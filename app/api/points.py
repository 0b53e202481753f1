"""Points: my points, the rules, leaderboards, the rewards catalogue and redemptions."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.api.base import bp
from app.api.serializers import iso
from app.extensions import db
from app.ledger import boards, rules, services
from app.ledger.models import Reward
from app.timeutil import utcnow
from app.web import error_response
from app.web.json_body import Field, parse_body
from app.web.unit import perform


def _entry(view: boards.EntryView) -> dict:
    return {"id": view.id, "at": iso(view.at), "points": view.points, "kind": view.kind,
            "rule": view.rule, "rule_name": view.rule_name, "reason": view.reason,
            "source": view.source, "reversed": view.reversed, "reverses_id": view.reverses_id}


@bp.get("/me/points")
@login_required
def my_points():
    period = boards.check_period(request.args.get("period"))
    now = utcnow()
    mine = perform(lambda: boards.my_points(current_user.id, period, now))
    return jsonify(balance=mine.balance, period=mine.period, period_key=mine.period_key,
                   period_points=mine.period_points,
                   entries=[_entry(view) for view in mine.entries])


def _rule(rule) -> dict:
    return {"code": rule.code, "name": rules.rule_label(rule.code), "amount": rule.amount,
            "daily_cap": rule.daily_cap, "unit_seconds": rule.unit_seconds,
            "enabled": rule.enabled, "version": rule.version,
            "effective_from": iso(rule.effective_from)}


@bp.get("/points/rules")
@login_required
def points_rules():
    in_force = perform(lambda: rules.all_in_force(utcnow()))
    return jsonify(rules=[_rule(rule) for rule in in_force],
                   total_daily_cap=rules.setting("total_daily_cap"))


@bp.get("/leaderboard")
@login_required
def leaderboard():
    period = boards.check_period(request.args.get("period"))
    scope = boards.parse_scope(request.args.get("scope"))
    group = request.args.get("group") or "user"
    if group not in ("user", "org"):
        return error_response(422, "invalid_input", _("group must be user or org."))
    limit = boards.parse_limit(request.args.get("limit"))
    now = utcnow()
    if group == "org":
        rows = boards.org_board(period, scope, limit, now)
        mine = boards.my_org_row(current_user, period, scope, now)
        return jsonify(period=period, scope=scope.code, group=group, rows=[
            {"rank": r.rank, "org": {"id": r.unit_id, "name": r.name}, "points": r.points,
             "per_capita": r.per_capita, "members": r.members, "participants": r.participants,
             "participation": r.participation} for r in rows],
            me={"rank": mine.rank if mine else None, "points": mine.points if mine else 0,
                "org": {"id": mine.unit_id, "name": mine.name} if mine else None})
    named = boards.names_visible(current_user)
    rows = boards.user_board(period, scope, limit, now)
    rank, points = boards.my_rank(current_user.id, period, scope, now)

    def person(row: boards.UserRow) -> dict | None:
        if not named and row.user_id != current_user.id:
            return None  # names hidden: a cadre sees only their own
        return {"id": row.user_id, "name": row.name,
                "org_unit": {"id": row.org_unit_id, "name": row.org_name}
                if row.org_unit_id else None}

    return jsonify(period=period, scope=scope.code, group=group, names_visible=named, rows=[
        {"rank": r.rank, "user": person(r), "points": r.points, "per_capita": None,
         "me": r.user_id == current_user.id} for r in rows],
        me={"rank": rank, "points": points})


@bp.get("/rewards")
@login_required
def rewards():
    catalogue = db.session.scalars(select(Reward).where(Reward.active.is_(True))
                                   .order_by(Reward.price, Reward.id)).all()
    return jsonify(rewards=[{"id": r.id, "title": r.title, "description": r.description,
                             "price": r.price, "stock": r.stock} for r in catalogue],
                   balance=services.balance(current_user.id))


@bp.post("/redemptions")
@login_required
def redeem():
    body = parse_body({"reward_id": Field(int), "idempotency_key": Field(str)}, body=request.get_json(silent=True))
    reward_id, key = body["reward_id"], body["idempotency_key"]
    if reward_id is None or not 0 < reward_id < 2**31:
        return error_response(422, "invalid_input", _("reward_id must be a reward's id."))
    if key is None or not 0 < len(key.strip()) <= 100:
        return error_response(422, "invalid_input",
                              _("idempotency_key must be a string of 1 to 100 characters."))
    result = perform(lambda: services.redeem(current_user, reward_id, key, now=utcnow()))
    r = result.redemption
    return jsonify(id=r.id, status=r.status, balance=result.balance, reward_id=r.reward_id,
                   price=r.price, created_at=iso(r.created_at)), 201 if result.created else 200
