"""Question bank forms: they parse and validate; services write."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.accounts.forms import MultiCheckboxField
from app.questions.importer import FORMATS
from app.questions.models import USAGES
from app.questions.types import OPTION_KEYS, points_problem
from app.vocabulary import AREAS, TIERS
from app.web.forms import IntRange, choices


def exact_points(form, field):
    """The import's rule for points: above 0, at most 1000, at most two decimals."""
    problem = points_problem(field.data) if field.data is not None else None
    if problem:
        raise ValidationError(problem)


class QuestionForm(FlaskForm):
    stem = TextAreaField(_l("Stem"), validators=[DataRequired(), Length(max=10_000)])
    area = SelectField(_l("Business area"), choices=choices(AREAS.items()))
    tier = SelectField(_l("Tier"), choices=choices(TIERS.items()))
    difficulty = IntegerField(_l("Difficulty (1-5)"), default=3, validators=[IntRange(1, 5)])
    lesson_id = SelectField(_l("Lesson it tests (知识点)"), coerce=int)
    usage = SelectField(_l("Use in"), choices=choices(USAGES.items()), default="both")
    points = DecimalField(_l("Points"), default=1, places=None, validators=[exact_points])
    tags = StringField(_l("Tags (separated by commas)"), validators=[Optional(), Length(max=500)])
    explanation = TextAreaField(_l("Explanation (解析)"), validators=[Length(max=5000)])
    option_a = StringField(_l("Option A"), validators=[Length(max=1000)])
    option_b = StringField(_l("Option B"), validators=[Length(max=1000)])
    option_c = StringField(_l("Option C"), validators=[Length(max=1000)])
    option_d = StringField(_l("Option D"), validators=[Length(max=1000)])
    option_e = StringField(_l("Option E"), validators=[Length(max=1000)])
    option_f = StringField(_l("Option F"), validators=[Length(max=1000)])
    single_answer = RadioField(_l("Right answer"), choices=choices((k, k) for k in OPTION_KEYS),
                               validators=[Optional()])
    multiple_answer = MultiCheckboxField(_l("Right answers"), choices=choices((k, k) for k in OPTION_KEYS))
    truth = RadioField(_l("The statement is"), choices=choices([("true", _l("True")), ("false", _l("False"))]),
                       validators=[Optional()])
    blanks = TextAreaField(_l("Accepted answers: one line per blank, variants separated by |"),
                           validators=[Length(max=5000)])
    case_sensitive = BooleanField(_l("Case-sensitive"))
    reference_answer = TextAreaField(_l("Reference answer"), validators=[Length(max=10_000)])
    rubric = TextAreaField(_l("Rubric: one line per point, as 要点 | 分值"), validators=[Length(max=5000)])

    def option_fields(self):
        return [getattr(self, f"option_{k.lower()}") for k in OPTION_KEYS]


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])


class ImportForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired()])
    format = SelectField(_l("Format"), choices=choices([
        ("xlsx", "Excel (XLSX)"), ("yaml", "YAML"), ("gift", "GIFT"), ("aiken", "Aiken"),
        ("moodle_xml", "Moodle XML")]))
    area = SelectField(_l("Business area when the file does not say"), choices=choices(AREAS.items()))
    tier = SelectField(_l("Tier when the file does not say"), choices=choices(TIERS.items()))
    publish = BooleanField(_l("Publish at once (a trusted file; recorded in the audit log)"))
    allow_partial = BooleanField(_l("Import the valid questions even if some have errors"))
    dry_run = BooleanField(_l("Dry run: check the file, import nothing"), default=True)


class ExportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET download

    format = SelectField(_l("Format"), choices=choices((code, code) for code in FORMATS))
