"""File downloads with a Chinese file name and a readable ASCII fallback."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response


def attachment(data: bytes, filename: str, fallback: str, mimetype: str) -> Response:
    """A download named `filename` (UTF-8, RFC 6266) or `fallback` for old clients."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{fallback}"; filename*=UTF-8\'\'{quote(filename)}'
    )
    return response
