"""WTForms forms (Flask-WTF adds CSRF to each)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import BooleanField, EmailField, HiddenField, IntegerField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length


class RegisterForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Work email", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField("Your marketing role", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=8, max=256, message="Use 8 to 256 characters.")])
    confirm = PasswordField("Repeat the password", validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")])


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    remember = BooleanField("Keep me signed in on this device")


class RoleForm(FlaskForm):
    role = SelectField("Your marketing role", validators=[DataRequired()])


class ActionForm(FlaskForm):
    """A form with only a CSRF token: buttons that change state (mark complete, log out, start)."""


class StartForm(FlaskForm):
    after = IntegerField(validators=[InputRequired()])  # the newest attempt the page knew of


class ChoiceForm(FlaskForm):
    step = IntegerField(validators=[InputRequired()])
    node = HiddenField(validators=[DataRequired()])
    choice = IntegerField(validators=[InputRequired()])


def question_form(questions) -> type[FlaskForm]:
    """A knowledge-check form with one radio group per question."""

    class CheckForm(FlaskForm):
        pass

    for qi, question in enumerate(questions):
        field = RadioField(question.prompt, choices=[SelectChoice(str(oi), o.text) for oi, o in enumerate(question.options)],
                           validators=[InputRequired(message="Choose an answer.")])
        setattr(CheckForm, f"q{qi}", field)
    return CheckForm


def role_choices(catalogue) -> list[SelectChoice]:
    """The marketing roles a person can pick, in taxonomy order."""
    return [SelectChoice(role.id, role.name) for role in catalogue.roles.values()]
