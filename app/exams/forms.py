"""The trainer's exam form (parses and validates; the services decide and store)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.exams.models import (
    COUNTING,
    EXAM_STATUSES,
    KINDS,
    MC_POLICIES,
    QUESTION_TYPES,
    REVIEW_POLICIES,
)
from app.questions.types import TYPE_LABELS
from app.vocabulary import AREAS, TIERS
from app.web.forms import IntRange, choices

RULE_ROWS = 6


def _pairs(mapping):
    return choices(mapping.items())


class RuleForm(Form):
    """One drawing rule; a row with no count is left out."""

    area = SelectField(_l("Area"), choices=_pairs(AREAS))
    qtype = SelectField(_l("Type"), choices=choices((code, TYPE_LABELS[code]) for code in QUESTION_TYPES))
    tier = SelectField(_l("Tier"), choices=_pairs(TIERS))
    count = IntegerField(_l("Count"), validators=[Optional(), IntRange(min=1, max=500)])
    points = DecimalField(_l("Points each"), places=2, default=1,
                          validators=[Optional(), NumberRange(min=0.01, max=1000)])
    lesson_id = IntegerField(_l("Lesson id"), validators=[Optional(), IntRange(min=1, max=2**31 - 1)])
    tag = StringField(_l("Tag"), validators=[Optional(), Length(max=100)])


class ExamForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=_pairs(KINDS), default="exam")
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    area = SelectField(_l("Area (certification)"), choices=choices([("", "—"), *AREAS.items()]), default="")
    tier = SelectField(_l("Tier (certification)"), choices=choices([("", "—"), *TIERS.items()]), default="")
    status = SelectField(_l("Status"), choices=_pairs(EXAM_STATUSES), default="draft")
    opens_at = DateTimeLocalField(_l("Opens at (Beijing time)"), validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes at (Beijing time)"), validators=[Optional()])
    time_limit_min = IntegerField(_l("Time limit (minutes)"), default=30,
                                  validators=[Optional(), IntRange(min=1, max=24 * 60)])
    max_attempts = IntegerField(_l("Attempts allowed (empty: unlimited)"), default=1,
                                validators=[Optional(), IntRange(min=1, max=1000)])
    counting = SelectField(_l("Which attempt counts"), choices=_pairs(COUNTING), default="highest")
    pass_score = DecimalField(_l("Pass score (percent)"), places=2, default=60,
                              validators=[DataRequired(), NumberRange(min=0, max=100)])
    shuffle = BooleanField(_l("Shuffle questions and options"))
    multiple_choice_policy = SelectField(_l("Multiple choice scoring"), choices=_pairs(MC_POLICIES),
                                         default="all_or_nothing")
    review_policy = SelectField(_l("Show answers and explanations"), choices=_pairs(REVIEW_POLICIES),
                                default="after_close")
    grace_s = IntegerField(_l("Grace period for answers typed when time runs out (seconds)"),
                           default=30, validators=[Optional(), IntRange(min=0, max=600)])
    max_tab_switches = IntegerField(_l("Submit after this many tab switches (empty: never)"),
                                    validators=[Optional(), IntRange(min=1, max=1000)])
    question_ids = TextAreaField(_l("Fixed paper: question ids in order, each optionally :points"),
                                 validators=[Optional(), Length(max=20_000)])
    rules = FieldList(FormField(RuleForm), min_entries=RULE_ROWS, max_entries=RULE_ROWS)
    audience_units = SelectMultipleField(_l("Org units (with their subtrees)"), coerce=int)
    audience_posts = SelectMultipleField(_l("Posts"), coerce=int)
    audience_users = StringField(_l("People (usernames, separated by commas)"),
                                 validators=[Optional(), Length(max=5000)])
