"""Reading a JSON request body against a small declaration of its fields.

`parse_body({"visible": Field(bool, default=True)})` answers the fields' values, or raises
`BadBody` (400 bad_request: no JSON object at all) or the declared error (by default
ValidationFailed, 422 invalid_input) naming the first field that is missing or of the
wrong kind. Booleans are never taken for numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l

from app.errors import DomainError, ValidationFailed

_MISSING = object()
KIND_NAMES = {bool: _l("true or false"), int: _l("a whole number"), float: _l("a number"),
              str: _l("text"), list: _l("a list"), dict: _l("an object")}


class BadBody(DomainError):
    code = "bad_request"
    status = 400
    default_message = _l("Send a JSON object.")


@dataclass(frozen=True)
class Field:
    kind: type | tuple[type, ...]
    required: bool = False
    default: Any = None
    nullable: bool = False


def _fits(value: Any, kind: type | tuple[type, ...]) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool):
        return bool in kinds
    if float in kinds and isinstance(value, int):
        return True
    return isinstance(value, kinds)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " / ".join(str(KIND_NAMES.get(k, k.__name__)) for k in kinds)


def parse_body(fields: Mapping[str, Field], *, error: type[DomainError] = ValidationFailed,
               body: Any = _MISSING) -> dict[str, Any]:
    """The declared fields of the request's JSON object (or of `body`), checked."""
    if body is _MISSING:
        body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadBody()
    values: dict[str, Any] = {}
    for name, field in fields.items():
        value = body.get(name, _MISSING)
        if value is _MISSING:
            if field.required:
                raise error(_l("%(field)s is required.", field=name))
            values[name] = field.default
        elif value is None and field.nullable:
            values[name] = None
        elif not _fits(value, field.kind):
            raise error(_l("%(field)s must be %(kind)s.", field=name, kind=_kind_name(field.kind)))
        else:
            values[name] = value
    return values
