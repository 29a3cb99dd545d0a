"""Forms of the admin's people and teams pages (the shared ones are in ``forms.py``)."""

from __future__ import annotations

from wtforms import EmailField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Email, InputRequired, Length, Optional, ValidationError

from literacy.people.affiliation import KINDS
from literacy.people.directory import STATUSES
from literacy.web.forms import STORED_INT, AffiliationForm, BaseForm, MultiCheckboxField

ACCESS = ("learner", "manager", "leader", "admin")
ACCESS_CHOICES = [SelectChoice(a, a.capitalize()) for a in ACCESS]


class FilterForm(BaseForm):
    """The People page's search and filters: a GET form, so the address can be shared."""

    class Meta:
        csrf = False

    q = StringField("Name or email contains", validators=[Optional(), Length(max=200)])
    access = SelectField("Access", choices=[SelectChoice("", "Any"), *ACCESS_CHOICES], validators=[Optional()])
    team = SelectField("Team", validators=[Optional()])
    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Any"), *(SelectChoice(k, v) for k, v in STATUSES.items())],
        validators=[Optional()],
    )
    affiliation = SelectField(
        "Staff or external",
        choices=[SelectChoice("", "All"), *(SelectChoice(k, v) for k, v in KINDS.items())],
        validators=[Optional()],
    )
    page = IntegerField("Page", validators=[Optional(), STORED_INT])


class IdListField(SelectMultipleField):
    """Ids picked with checkboxes; any id the database can hold passes here, the view checks whose it is."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, coerce=int, **kwargs)

    def pre_validate(self, form):
        if any(not 0 <= value <= 2**31 - 1 for value in self.data or ()):
            raise ValidationError("Pick people from the list.")

    def process_formdata(self, valuelist):
        try:
            self.data = [int(v) for v in valuelist]
        except ValueError:
            self.data = []
            raise ValueError("Pick people from the list.") from None


class BulkForm(BaseForm):
    user = IdListField("People", validators=[DataRequired(message="Select at least one person.")])
    action = SelectField(
        "Action",
        choices=[
            SelectChoice("add", "Add to team"),
            SelectChoice("remove", "Remove from team"),
            SelectChoice("deactivate", "Deactivate"),
        ],
    )
    to_team = SelectField("Team for adding or removing", validators=[Optional()])


class ConfirmForm(BaseForm):
    """The Confirm button of a confirmation page; the action refuses a POST without it."""

    confirm = HiddenField(validators=[AnyOf(["yes"], message="Confirm on the confirmation page.")])


class BulkDeactivateForm(ConfirmForm):
    user = IdListField("People", validators=[DataRequired(message="Select at least one person.")])


class NameForm(BaseForm):
    name = StringField("Name", validators=[DataRequired(message="Give a name."), Length(max=200)])


class TeamsForm(BaseForm):
    teams = MultiCheckboxField("Teams", coerce=int)


class InviteForm(AffiliationForm):
    name = StringField("Name", validators=[DataRequired(message="Give their name."), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(message="Give their email."), Email(), Length(max=254)])
    role = SelectField("Marketing role", validators=[DataRequired(message="Choose a role.")])
    team = SelectField("Team", validators=[Optional()])
    access = SelectField(
        "Access",
        choices=ACCESS_CHOICES[:3],  # admins are made on the person's page, which asks for confirmation
        default="learner",
        validators=[InputRequired()],
    )


class ExternalForm(AffiliationForm):
    """The person page's staff-or-external card."""


class RenameTeamForm(BaseForm):
    name = StringField("Team name", validators=[DataRequired(message="Give the team a name."), Length(max=200)])
