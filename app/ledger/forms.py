"""Ledger forms: they parse and validate; services write."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.web.forms import IntRange

BIG = 1_000_000


class RuleForm(FlaskForm):
    amount = IntegerField(_l("Points"), validators=[DataRequired(message=_l("Enter the points.")),
                                                    IntRange(min=0, max=BIG)])
    daily_cap = IntegerField(_l("Daily cap (empty: none)"),
                             validators=[Optional(), IntRange(min=0, max=BIG)])
    unit_seconds = IntegerField(_l("Seconds of study per award"),
                                validators=[Optional(), IntRange(min=1, max=86_400)])
    enabled = BooleanField(_l("Enabled"))
    effective_on = DateField(_l("From (empty: now)"), validators=[Optional()])


class SettingsForm(FlaskForm):
    total_daily_cap = IntegerField(_l("Total daily cap for automatic points (empty: none)"),
                                   validators=[Optional(), IntRange(min=0, max=BIG)])
    show_names = BooleanField(_l("Show names on leaderboards"))


class AdjustForm(FlaskForm):
    user_id = SelectField(_l("Person"), coerce=int)
    points = IntegerField(_l("Points (negative to deduct)"),
                          validators=[DataRequired(message=_l("Enter the points.")),
                                      IntRange(min=-100_000, max=100_000)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    key = HiddenField()


class RewardForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    price = IntegerField(_l("Price in points"), validators=[DataRequired(), IntRange(min=1, max=BIG)])
    stock = IntegerField(_l("Stock"), default=0, validators=[Optional(), IntRange(min=0, max=BIG)])
    active = BooleanField(_l("On offer"), default=True)


class RedeemForm(FlaskForm):
    reward_id = HiddenField()
    key = HiddenField()


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token."""
