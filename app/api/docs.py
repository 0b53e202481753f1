"""GET /api/v1/openapi.json: the OpenAPI 3 document (kept in openapi.yaml beside this file)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from flask import jsonify

from app.api.base import bp

SPEC_PATH = Path(__file__).with_name("openapi.yaml")


@cache
def spec() -> dict:
    with SPEC_PATH.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@bp.get("/openapi.json")
def openapi():
    return jsonify(spec())
