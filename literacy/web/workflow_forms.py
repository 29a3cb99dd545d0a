"""Forms of the workflow registry: the workflow itself, a data source, a review, a stage change."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from literacy.web.forms import BaseForm, MultiCheckboxField
from literacy.workflows import readiness

LONG = [Optional(), Length(max=2000)]
STAGES = [SelectChoice(key, name) for key, name in readiness.STAGES.items()]
RATINGS = [SelectChoice(key, name) for key, name in readiness.SOURCE_RATINGS.items()]


class WorkflowForm(BaseForm):
    name = StringField("Workflow name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind of workflow", validators=[Optional()])
    purpose = TextAreaField("Purpose: what it is for and what it decides", validators=LONG)
    stage = SelectField("Stage", choices=STAGES, validators=[DataRequired()])
    owner = SelectField("Owner (one named person)", validators=[Optional()])
    team = SelectField("Team", validators=[Optional()])
    tools = TextAreaField("AI tools or vendors involved", validators=LONG)
    ai_may = TextAreaField("What the AI may do alone", validators=LONG)
    needs_approval = TextAreaField("What needs a human approval (the approval step)", validators=LONG)
    approver = SelectField("Who approves", validators=[Optional()])
    outcome_measure = TextAreaField("Outcome measure", validators=LONG)
    tracing = TextAreaField("How a result is traced to the decision, signal or model change behind it", validators=LONG)
    fault_noticed = TextAreaField("How a fault is noticed", validators=LONG)
    fault_contact = TextAreaField("Who is called", validators=LONG)
    fault_stop = TextAreaField("How it is stopped", validators=LONG)
    review_days = IntegerField("Review every (days)", validators=[Optional(), NumberRange(min=7, max=730)])
    touches_revenue = BooleanField("Touches revenue (budget, pricing, offers, pipeline)")
    touches_reputation = BooleanField("Touches reputation (public claims, statements, replies)")
    touches_customer_data = BooleanField("Touches customer data (personal data, consent, suppression)")
    roles = MultiCheckboxField("Roles that operate it")
    required_skills = MultiCheckboxField("Skills an operator must hold at their role's target")
    required_scenarios = MultiCheckboxField("Scenarios an operator must have finished (optional)")
    operators = TextAreaField(
        "Named operators: one email address per line", validators=[Optional(), Length(max=200_000)]
    )
    seen = IntegerField(widget=HiddenInput(), validators=[Optional()])  # the history entry the form was opened at


def no_separators(form, field):
    if any(mark in (field.data or "") for mark in ("|", ";")):
        raise ValidationError("A data source's name may not contain | or ; (they separate sources in the CSV export).")


class SourceForm(BaseForm):
    name = StringField("Data source", validators=[DataRequired(), Length(max=200), no_separators])
    rating = SelectField(
        "Readiness",
        choices=RATINGS,
        validators=[DataRequired()],
    )
    checked_on = DateField("Last checked", validators=[Optional()])


class ReviewForm(BaseForm):
    reviewed_on = DateField("Review date", validators=[InputRequired(message="Give the date of the review.")])
    note = TextAreaField(
        "What the review found", validators=[DataRequired(message="Say what the review found."), Length(max=4000)]
    )


class StageForm(BaseForm):
    stage = SelectField("Move to stage", choices=STAGES, validators=[DataRequired()])


class CohortFromWorkflowForm(BaseForm):
    due_on = DateField("Due date", validators=[InputRequired(message="Give a due date.")])


class RegistryFileForm(BaseForm):
    file = FileField("Registry file (.csv or .json)", validators=[FileRequired(message="Choose a file to upload.")])
