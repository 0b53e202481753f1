"""Tokens and the current user."""

from __future__ import annotations

from flask import current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import services, tokens
from app.accounts.ratelimit import login_limits
from app.api import bp
from app.api.serializers import iso, org_unit, post, user_brief
from app.extensions import db
from app.ledger import services as ledger_services
from app.timeutil import local_today, utcnow
from app.web import error_response, password_change_required


@bp.post("/auth/token")
@login_limits
def create_token():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error_response(400, "bad_request", _("Send a JSON object."))
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return error_response(400, "bad_request", _("username and password are required."))
    now = utcnow()
    user = services.authenticate(username, password, now=now)
    if user is not None:
        # The password was checked against the row as read; if it changed meanwhile (a
        # password change commits while we hashed), this old password earns no token.
        checked = (user.auth_version, user.password_hash)
        services.lock_for_update(user)
        if (user.auth_version, user.password_hash) != checked or not user.active:
            user = None
    if user is None:
        g.login_failed = True
        db.session.rollback()
        return error_response(401, "invalid_credentials", _("Wrong username or password."))
    if user.must_change_password:
        # The password was right, so this is no failure for the rate limit.
        db.session.rollback()
        return password_change_required()
    raw, token = tokens.issue(user, now=now, ttl=current_app.config["API_TOKEN_TTL"])
    db.session.commit()
    return jsonify(token=raw, expires_at=iso(token.expires_at), user=user_brief(user))


@bp.delete("/auth/token")
@login_required
def delete_token():
    token = g.get("api_token")
    if token is None:
        return error_response(400, "bad_request", _("Send the token to revoke as a Bearer token."))
    tokens.revoke(token, now=utcnow())
    db.session.commit()
    return "", 204


@bp.get("/me")
@login_required
def me():
    user = current_user
    today = local_today()
    return jsonify(
        **user_brief(user),
        org_unit=org_unit(user.org_unit),
        post=post(user.current_post),
        joined_on=iso(user.joined_on),
        is_newcomer=services.is_newcomer(user, today),
        post_history=[
            {"post": post(a.post), "start_date": iso(a.start_date), "end_date": iso(a.end_date)}
            for a in user.post_history
        ],
        # The certification issue fills in certificates.
        points_balance=ledger_services.balance(user.id),
        certificates=[],
    )
