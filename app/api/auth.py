"""Tokens and the current user."""

from __future__ import annotations

from flask import current_app, g, jsonify
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import services, tokens
from app.accounts.ratelimit import login_limits
from app.api.base import bp
from app.api.serializers import iso, org_unit, post, user_brief
from app.timeutil import local_today, utcnow
from app.web import error_response
from app.web.json_body import BadBody, Field, parse_body
from app.web.unit import perform


@bp.post("/auth/token")
@login_limits
def create_token():
    body = parse_body({"username": Field(str, required=True), "password": Field(str, required=True)},
                      error=BadBody)
    try:
        raw, token = perform(lambda: services.issue_for_login(
            body["username"], body["password"], now=utcnow(), ttl=current_app.config["API_TOKEN_TTL"]))
    except services.InvalidCredentials as exc:
        g.login_failed = True  # counted by the login limit; a right password gives its slot back
        return error_response(exc.status, exc.code, exc.message)
    return jsonify(token=raw, expires_at=iso(token.expires_at), user=user_brief(token.user))


@bp.delete("/auth/token")
@login_required
def delete_token():
    token = g.get("api_token")
    if token is None:
        return error_response(400, "bad_request", _("Send the token to revoke as a Bearer token."))
    perform(lambda: tokens.revoke(token, now=utcnow()))
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
        # The points ledger and certification issues fill these two in.
        points_balance=0,
        certificates=[],
    )
