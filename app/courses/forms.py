"""Learning forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Length, Optional

from app.web.forms import IntRange


class CheckInForm(FlaskForm):
    code = StringField(_l("Check-in code"), validators=[DataRequired(), Length(max=20)])


class LessonEditForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    min_seconds = IntegerField(_l("Minimum reading time (seconds)"),
                               validators=[DataRequired(), IntRange(min=10, max=24 * 3600)])
    body_md = TextAreaField(_l("Text (Markdown)"), validators=[DataRequired(), Length(max=200_000)])


class CollectiveSessionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    lesson_id = SelectField(_l("Lesson"), coerce=int)
    starts_at = DateTimeLocalField(_l("Starts at"), validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends at"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    link = StringField(_l("Online link"), validators=[Optional(), URL(), Length(max=500)])


class AssignmentForm(FlaskForm):
    course_id = SelectField(_l("Course"), coerce=int)
    target = SelectField(_l("Assign to"))
    due_on = DateField(_l("Due date"), validators=[Optional()])
