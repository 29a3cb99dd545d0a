"""WTForms forms (Flask-WTF adds CSRF to each)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from literacy.learning.order import option_order
from literacy.people import affiliation, passwords
from literacy.platform.text import plain


def clean_text(value):
    """Typed text without control or invisible format characters (see ``platform.text.plain``)."""
    return plain(value) if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """Every text field is cleaned of control characters before validation."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if unbound_field.field_class in (StringField, TextAreaField, EmailField):
                options["filters"] = [*options.get("filters", ()), clean_text]
            return unbound_field.bind(form=form, **options)


NEW_PASSWORD = {"autocomplete": "new-password"}  # password managers offer to generate and save
CURRENT_PASSWORD = {"autocomplete": "current-password"}


def strong_password(form, field):
    """The password rules, with the account's email and name from the form (``password_owner``)."""
    email, name = form.password_owner()
    message = passwords.problem(field.data or "", email=email, name=name)
    if message:
        raise ValidationError(message)


class PasswordForm(BaseForm):
    """A form that sets a password for a known account: the view names it in ``owner``."""

    owner: tuple[str, str] = ("", "")  # (email, name)

    def password_owner(self) -> tuple[str, str]:
        return self.owner


class RegisterForm(BaseForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Work email", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField("Your marketing role", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired(), strong_password], render_kw=NEW_PASSWORD)
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
        render_kw=NEW_PASSWORD,
    )

    def password_owner(self) -> tuple[str, str]:
        return self.email.data or "", self.name.data or ""


class LoginForm(BaseForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)], render_kw=CURRENT_PASSWORD)
    remember = BooleanField("Keep me signed in on this device")


class SignupDomainsForm(BaseForm):
    domains = StringField("Email domains whose people may sign up", validators=[Length(max=500)])


class ForgotPasswordForm(BaseForm):
    email = EmailField("Your email address", validators=[DataRequired(), Email(), Length(max=254)])


class ProfileForm(BaseForm):
    role = SelectField("Your marketing role", validators=[DataRequired()])
    name = StringField("Your name", validators=[DataRequired(), Length(max=200)])
    reminders = BooleanField("Email me before a cohort's due date and when my work is overdue")
    digest = BooleanField("Email me a weekly digest of my cohorts: who is stalled or overdue")


class ActionForm(FlaskForm):
    """A form with only a CSRF token: buttons that change state (mark complete, log out, start)."""


class ReplayForm(FlaskForm):
    scope = RadioField(
        "Which statements",
        choices=[
            SelectChoice("rejected", "Rejected statements only (after fixing what the LRS refused)"),
            SelectChoice("all", "Every statement (after the LRS lost data; it ignores ones it already holds)"),
        ],
        default="rejected",
        validators=[InputRequired()],
    )


STORED_INT = NumberRange(min=0, max=2**31 - 1)  # what the database's integer columns hold


class StartForm(FlaskForm):
    after = IntegerField(validators=[InputRequired(), STORED_INT])  # the newest attempt the page knew of


class ChoiceForm(FlaskForm):
    step = IntegerField(validators=[InputRequired(), STORED_INT])
    node = HiddenField(validators=[DataRequired()])
    choice = IntegerField(validators=[InputRequired(), STORED_INT])


def question_form(lesson, seed: int) -> type[FlaskForm]:
    """A knowledge-check form with one radio group per question, options in this learner's order
    (values are the options' stable ids, never their positions)."""

    class CheckForm(FlaskForm):
        pass

    for qi, (question, order) in enumerate(zip(lesson.questions, option_order(lesson, seed), strict=True)):
        field = RadioField(
            question.prompt,
            choices=[SelectChoice(str(oi), question.options[oi].text) for oi in order],
            validators=[InputRequired(message="Choose an answer.")],
        )
        setattr(CheckForm, f"q{qi}", field)
    return CheckForm


def role_choices(catalogue) -> list[SelectChoice]:
    """The marketing roles a person can pick, in taxonomy order."""
    return [SelectChoice(role.id, role.name) for role in catalogue.roles.values()]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (usable without JavaScript, one label each)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CohortForm(BaseForm):
    name = StringField("Cohort name", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    starts_on = DateField("Start date", validators=[InputRequired(message="Give a start date.")])
    due_on = DateField("Due date", validators=[InputRequired(message="Give a due date.")])
    requirement = SelectField("Required outcome", validators=[DataRequired()])
    stall_days = IntegerField(
        "Flag a learner as stalled after this many days without activity",
        default=7,
        validators=[InputRequired(), NumberRange(min=1, max=90)],
    )
    assignments = MultiCheckboxField("Assigned work", validators=[DataRequired(message="Assign at least one item.")])
    managers = MultiCheckboxField("Managers of this cohort")

    def validate_due_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The due date must be on or after the start date.")


class AffiliationForm(BaseForm):
    """Staff or external, and an external person's firm (required for them; ignored for staff)."""

    external = RadioField(
        "Staff or external",
        choices=[
            SelectChoice(affiliation.STAFF, "Staff of the organisation"),
            SelectChoice(affiliation.EXTERNAL, "External: from an agency, contractor or partner"),
        ],
        default=affiliation.STAFF,
    )
    agency = StringField("Agency, contractor or partner firm", validators=[Length(max=affiliation.AGENCY_MAX)])

    def validate_agency(self, field):
        message = affiliation.problem(self.is_external, field.data or "")
        if message:
            raise ValidationError(message)

    @property
    def is_external(self) -> bool:
        return self.external.data == affiliation.EXTERNAL

    @property
    def firm(self) -> str:
        """The firm to save: none for staff, whatever was typed."""
        return (self.agency.data or "").strip() if self.is_external else ""


class AddLearnerForm(AffiliationForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField("Name (for a new learner)", validators=[Optional(), Length(max=200)])
    role = SelectField("Role (for a new learner)", validators=[Optional()])
    team = SelectField("Team (for a new learner)", validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.external.label.text = "Staff or external (for a new learner)"


class RosterForm(BaseForm):
    file = FileField("Roster CSV file", validators=[FileRequired(message="Choose a CSV file to upload.")])


class SetPasswordForm(PasswordForm):
    password = PasswordField("Choose a password", validators=[DataRequired(), strong_password], render_kw=NEW_PASSWORD)
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
        render_kw=NEW_PASSWORD,
    )


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=256)], render_kw=CURRENT_PASSWORD
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.password.label.text, self.confirm.label.text = "New password", "Repeat the new password"


class AccessForm(BaseForm):
    access = SelectField(
        "Access", choices=[SelectChoice(a, a.capitalize()) for a in ("learner", "manager", "leader", "admin")]
    )


class TeamForm(BaseForm):
    name = StringField("Team name", validators=[DataRequired(), Length(max=200)])
    role = SelectField("Main marketing role", validators=[Optional()])
