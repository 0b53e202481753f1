"""Request plumbing every feature shares: error pages and JSON errors, headers, converters,
safe redirects, the unit of work, form and download helpers.

It imports no feature (a test proves it): features import it, and each wires its own
request hooks (login loading lives in `app/accounts/login.py`, the menu in
`app/navigation.py`).
"""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import urlsplit

from flask import Flask, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from app.errors import DomainError
from app.extensions import db
from app.vocabulary import AREAS, TIERS
from app.web.forms import DB_INT_MAX

log = logging.getLogger(__name__)

HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_attempts",
}
HTTP_ERROR_MESSAGES = {
    400: _l("The request is not valid."),
    401: _l("Please log in."),
    403: _l("You do not have permission to see this page."),
    404: _l("The page or object you asked for does not exist."),
    405: _l("That method is not allowed here."),
    413: _l("The upload is too large."),
    415: _l("That content type is not supported."),
    422: _l("The input is not valid."),
    429: _l("Too many failed attempts. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. The error has been logged."),
}
def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message):
    """The response for an error: JSON under /api/, an error page elsewhere."""
    if wants_json():
        return jsonify(error={"code": code, "message": str(message)}), status
    # str(): a lazy message may quote user input and must be escaped like any text.
    return render_template("errors/error.html", status=status, message=str(message)), status


def safe_next_url(target: str | None) -> str | None:
    """`target` if it is a local path (never another site), else None."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


class BoundedIntConverter(IntegerConverter):
    """`<int:id>` that never matches an id the database column cannot hold (404, not 500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(url_map, *args, **kwargs)


def _size_label(size: int) -> str:
    return f"{size // 1024**2} MB" if size >= 1024**2 else f"{max(1, size // 1024)} KB"


# NUL or a lone UTF-16 surrogate: text no database column can store.
_BAD_CHAR = re.compile("[\x00\ud800-\udfff]")


def _bad_char(text: str) -> bool:
    return _BAD_CHAR.search(text) is not None


def _has_bad_text(values) -> bool:
    return any(_bad_char(value) for value in values if isinstance(value, str))


def _json_has_bad_text(value, depth: int = 0) -> bool:
    if isinstance(value, str):
        return _bad_char(value)
    if depth > 50:
        return False
    if isinstance(value, dict):
        return any(_json_has_bad_text(k, depth + 1) or _json_has_bad_text(v, depth + 1)
                   for k, v in value.items())
    if isinstance(value, list):
        return any(_json_has_bad_text(v, depth + 1) for v in value)
    return False


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntConverter
    app.add_url_rule("/favicon.ico", endpoint="favicon",
                     view_func=lambda: redirect(url_for("static", filename="favicon.svg"), 301))

    @app.before_request
    def refuse_unstorable_text():
        # No text anywhere holds NUL; PostgreSQL would refuse to store it.
        if (_has_bad_text(v for vs in request.args.listvalues() for v in vs)
                or _has_bad_text(v for vs in request.form.listvalues() for v in vs)):
            abort(400)
        if request.is_json and _json_has_bad_text(request.get_json(silent=True)):
            abort(400)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; object-src 'none'; frame-ancestors 'self'; base-uri 'self'; "
            "form-action 'self'",
        )
        return response

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        if wants_json() or exc.status in (403, 404):
            return error_response(exc.status, exc.code, exc.message)
        flash(str(exc.message), "danger")
        return redirect(safe_next_url(_local_referrer()) or url_for("dashboard.home"))

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error_response(400, "csrf_failed", _("The form expired or was not sent from this "
                                                    "site. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        code = HTTP_ERROR_CODES.get(status, "http_error")
        message = HTTP_ERROR_MESSAGES.get(status, exc.description)
        if status == 413 and app.config.get("MAX_CONTENT_LENGTH"):
            message = _("The upload is too large; the limit is %(limit)s.",
                        limit=_size_label(app.config["MAX_CONTENT_LENGTH"]))
        return error_response(status, code, message)

    @app.errorhandler(RecursionError)
    def too_deep(exc: RecursionError):
        # A JSON body nested thousands of levels deep; the client's fault, not ours.
        return error_response(400, "bad_request", HTTP_ERROR_MESSAGES[400])

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return error_response(500, "server_error", HTTP_ERROR_MESSAGES[500])

    @app.template_filter("readable_json")
    def readable_json(value) -> str:
        """JSON as people read it: Chinese as Chinese, not \\u escapes (autoescaped later)."""
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    @app.context_processor
    def template_globals():
        return {"AREAS": AREAS, "TIERS": TIERS}


def _local_referrer() -> str | None:
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
