"""Helpers for the scenarios' users; no locust import here, so the bench process may log in
with `session_login` before a scenario's load starts."""

from __future__ import annotations

import itertools
import re
from http.cookies import SimpleCookie

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class RoundRobin:
    """Hands out items in turn across all users of the process (a cadre's beats then land
    seconds apart, as on real lesson pages)."""

    def __init__(self, items):
        self._items = list(items)
        self._cycle = itertools.cycle(self._items)

    def next(self):
        return next(self._cycle)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def session_login(base_url: str, username: str, password: str) -> dict:
    """Log in through the form like a browser (in the bench's own process, before the load, so
    the slow password hash is not part of the timings); the headers that carry the session.

    The app runs with production settings, so its session cookie is Secure and a cookie jar
    would not send it over the bench's plain HTTP to 127.0.0.1: the cookie is carried by hand."""
    import http.client
    from urllib.parse import urlencode, urlsplit

    host = urlsplit(base_url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
    try:
        conn.request("GET", "/login")
        page = conn.getresponse()
        body = page.read().decode()
        cookie = _session_cookie(page.headers.get_all("Set-Cookie") or [])
        form = urlencode({"username": username, "password": password, "csrf_token": CSRF.search(body).group(1)})
        conn.request("POST", "/login", body=form, headers={
            "Cookie": f"session={cookie}", "Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        response.read()
        assert response.status == 302, (username, response.status)
        return {"Cookie": f"session={_session_cookie(response.headers.get_all('Set-Cookie') or [])}"}
    finally:
        conn.close()


def _session_cookie(values: list[str]) -> str | None:
    for value in values:
        cookie = SimpleCookie()
        cookie.load(value)
        if "session" in cookie:
            return cookie["session"].value
    return None
