"""Domain errors: services raise them; views flash them, the API serializes them."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A rule of the domain refused the request; `code` is stable, `message` translated."""

    code = "domain_error"
    status = 409
    default_message: LazyString | str = _l("The request could not be completed.")

    def __init__(self, message: LazyString | str | None = None, **details):
        self.message = message if message is not None else self.default_message
        self.details = details
        super().__init__(str(self.code))


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _l("Not found.")


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403
    default_message = _l("You do not have permission to do that.")


class ValidationFailed(DomainError):
    code = "invalid_input"
    status = 422
    default_message = _l("The input is not valid.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _l("That conflicts with existing data.")
