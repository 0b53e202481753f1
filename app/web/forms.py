"""Small helpers shared by the WTForms of every feature, and the form of a bare button."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms.validators import NumberRange, ValidationError


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


DB_INT_MAX = 2**31 - 1  # PostgreSQL `integer`; ids and page numbers never exceed it


def db_int(value: str) -> int:
    """A positive id or page number from a query string; ValueError otherwise, so that
    `request.args.get(name, type=db_int)` answers None for junk and out-of-range values."""
    number = int(value)
    if not 1 <= number <= DB_INT_MAX:
        raise ValueError(value)
    return number


class IntRange(NumberRange):
    """NumberRange for whole numbers that also survives a number too big for a float (which
    makes WTForms' own check raise instead of answering with the field's message)."""

    def __call__(self, form, field):
        if isinstance(field.data, int) and abs(field.data) > 10**15:
            message = self.message or field.gettext("Number must be between %(min)s and %(max)s.")
            raise ValidationError(message % {"min": self.min, "max": self.max})
        super().__call__(form, field)


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that post."""
