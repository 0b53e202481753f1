"""Locale and timezone selection for Flask-Babel.

Pages speak Simplified Chinese unless the user picked English (kept in the session);
the JSON API follows Accept-Language, Chinese by default.
"""

from __future__ import annotations

from flask import Flask, has_request_context, request, session
from flask_babel import get_locale

from app.extensions import babel

SESSION_KEY = "locale"


def select_locale() -> str:
    languages = babel_languages()
    if not has_request_context():  # the command line and the scheduler speak Chinese
        return languages[0]
    if request.path.startswith("/api/"):
        match = request.accept_languages.best_match(["zh-CN", "zh", "en"])
        return "en" if match == "en" else "zh_CN"
    chosen = session.get(SESSION_KEY)
    return chosen if chosen in languages else languages[0]


def babel_languages() -> tuple[str, ...]:
    from flask import current_app

    return tuple(current_app.config["LANGUAGES"])


def current_language() -> str:
    """The current UI language as one of LANGUAGES (Babel spells zh_CN as zh_Hans_CN)."""
    locale = get_locale()
    return "zh_CN" if locale is None or locale.language == "zh" else locale.language


def html_lang() -> str:
    """The value of the <html lang> attribute for the current locale."""
    return "zh-CN" if current_language() == "zh_CN" else current_language()


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    app.jinja_env.globals["html_lang"] = html_lang
