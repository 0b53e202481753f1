"""The API blueprint and what every call shares (CSRF for browser sessions)."""

from __future__ import annotations

from flask import Blueprint, g, request
from flask_login import current_user

from app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@bp.before_request
def protect_session_callers():
    """A browser session must send X-CSRFToken on unsafe calls; bearer tokens need not."""
    if request.method in SAFE_METHODS or g.get("api_token") is not None:
        return
    if current_user.is_authenticated:
        csrf.protect()
