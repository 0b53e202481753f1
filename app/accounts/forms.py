"""Account forms: they parse and validate; services write."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.models import ORG_KINDS, ROLES
from app.vocabulary import AREAS
from app.web.forms import IntRange, choices

SORT_ORDER_MIN, SORT_ORDER_MAX = 0, 100_000


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        # WTForms' own message for this has no Chinese translation; ours does.
        kwargs.setdefault("invalid_choice_message", _l("%(value)s is not one of the choices."))
        super().__init__(*args, **kwargs)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Remember me"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class OrgUnitForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    kind = SelectField(_l("Kind"), choices=choices(ORG_KINDS.items()))
    parent_id = SelectField(_l("Parent unit"), coerce=int)
    sort_order = IntegerField(
        _l("Sort order"), default=0,
        validators=[Optional(), IntRange(min=SORT_ORDER_MIN, max=SORT_ORDER_MAX, message=_l(
            "The sort order must be a whole number from %(min)d to %(max)d.",
            min=SORT_ORDER_MIN, max=SORT_ORDER_MAX))],
    )


class PostForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    area = SelectField(_l("Business area"), choices=choices(AREAS.items()))
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    active = BooleanField(_l("In use"), default=True)


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    org_unit_id = SelectField(_l("Org unit"), coerce=int)
    post_id = SelectField(_l("Post"), coerce=int)
    roles = MultiCheckboxField(_l("Roles"), choices=choices(ROLES.items()),
                               validators=[DataRequired()])
    joined_on = DateField(_l("Joined on"), validators=[Optional()])
    password = PasswordField(_l("Initial password"), validators=[Optional(), Length(max=256)])


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=_l("Enter the new password.")), Length(max=256)],
    )


class UserImportForm(FlaskForm):
    file = FileField(
        _l("File (XLSX or CSV)"),
        validators=[FileRequired(), FileAllowed(["xlsx", "csv"], _l("Upload an .xlsx or .csv file."))],
    )
    initial_password = PasswordField(
        _l("Initial password for the new accounts"), validators=[DataRequired(), Length(max=256)]
    )
    dry_run = BooleanField(_l("Dry run: check the file, import nothing"), default=True)
