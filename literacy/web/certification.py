"""Certification: admins set what certifies each role and see who stands where; a person's
certification page shows their standing, what is left and every cycle; admins can certify or revoke
by hand with a reason. Learners see their own at /certification."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import BooleanField, HiddenField, IntegerField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from literacy.evidence import certification, cycles
from literacy.evidence.certification import Rule
from literacy.people import queries as people
from literacy.platform.access import allow
from literacy.platform.paging import paginate
from literacy.web import catalogue
from literacy.web.exports import csv_response
from literacy.web.forms import BaseForm

bp = Blueprint("certification", __name__)


class RuleForm(BaseForm):
    role = HiddenField(validators=[DataRequired()])
    valid_months = IntegerField(
        "Valid for (months)", validators=[InputRequired(), NumberRange(1, certification.MAX_VALID_MONTHS)]
    )
    renew_days = IntegerField(
        "Recertification opens (days before expiry)", validators=[InputRequired(), NumberRange(1, 180)]
    )
    require_policy = BooleanField("The current AI-use policy must be acknowledged")
    skills = SelectMultipleField(
        "Skills that must be at target (none ticked: the role's critical skills)",
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )


class OverrideForm(BaseForm):
    reason = TextAreaField(
        "Reason (kept with the cycle and in the audit log)", validators=[DataRequired(), Length(max=1000)]
    )


def _rule_form(rule: Rule, formdata=None) -> RuleForm:
    form = RuleForm(
        formdata=formdata,
        prefix=f"rule-{rule.role}",
        data={
            "role": rule.role,
            "valid_months": rule.valid_months,
            "renew_days": rule.renew_days,
            "require_policy": rule.require_policy,
            "skills": list(rule.skills),
        },
    )
    form.skills.choices = [SelectChoice(s.id, s.name) for s in catalogue().skills.values()]
    return form


@bp.route("/admin/certification", methods=["GET", "POST"])
@allow("admin")
def manage():
    """Each role's rule (one form per role) and who stands where, filtered by status and paged."""
    org_id, status = current_user.org_id, 200
    rules = cycles.rules(org_id, catalogue())
    forms = {role: _rule_form(rule) for role, rule in rules.items()}
    if request.method == "POST":
        posted = next((r for r in rules if request.form.get(f"rule-{r}-role") == r), None)
        if posted is None:
            abort(400)
        form = forms[posted] = _rule_form(rules[posted], request.form)
        if form.validate():
            try:
                cycles.set_rule(org_id, catalogue(), _rule_from(form, posted))
            except cycles.Refused as refused:
                form.valid_months.errors.append(str(refused))
            else:
                flash(f"The rule for {catalogue().roles[posted].name} is saved.", "success")
                return redirect(url_for(".manage", _anchor=f"rule-{posted}"))
        status = 400
    everyone = cycles.in_organisation(org_id)
    shown = request.args.get("status", "")
    shown = shown if shown in certification.STATUSES else ""  # an unknown status lists everyone
    listed = [(p, s) for p, s in everyone if not shown or s.status == shown]
    page = paginate(listed, request.args.get("page", 1, type=int), size=50)
    return render_template(
        "certification/manage.html",
        forms=forms,
        counts=cycles.counts(everyone),
        statuses=certification.STATUSES,
        shown=shown,
        page=page,
        roles=catalogue().roles,
    ), status


def _rule_from(form: RuleForm, role: str) -> Rule:
    return Rule(role, form.valid_months.data, form.renew_days.data, form.require_policy.data, tuple(form.skills.data))


@bp.route("/admin/certification.csv")
@allow("admin")
def export():
    rows = [
        (
            p.name,
            p.email,
            p.role,
            "external" if p.external else "staff",
            p.agency,
            s.status,
            s.certified_at.date().isoformat() if s.certified_at else "",
            s.expires_at.date().isoformat() if s.expires_at else "",
        )
        for p, s in cycles.in_organisation(current_user.org_id)
    ]
    header = ["name", "email", "role", "staff_or_external", "agency", "status", "certified_on", "expires_on"]
    return csv_response("certification.csv", header, rows)


def _person_or_404(user_id: int):
    """Someone of the admin's own organisation; anyone else's id is not found."""
    person = people.org_user(current_user.org_id, user_id)
    if person is None:
        abort(404)
    return person


def _standing_page(person, template: str, form: OverrideForm | None = None, status: int = 200, **extra):
    standing, history = cycles.standings([person])[person.id], cycles.history(person)
    return render_template(
        template,
        person=person,
        standing=standing,
        requirements=cycles.requirements_for(catalogue(), person),
        history=history,
        attempts=cycles.attempts_per_cycle(person, history),
        roles=catalogue().roles,
        skills=catalogue().skills,
        form=form or OverrideForm(),
        **extra,
    ), status


@bp.route("/certification")
@allow("user")
def mine():
    return _standing_page(current_user, "certification/mine.html")


OVERRIDES = {
    "certify": ("certification/person.html", "{name} is certified; the reason is kept with the cycle."),
    "revoke": (
        "certification/confirm_revoke.html",
        "{name}'s certification is revoked; a recertification will be assigned.",
    ),
}


def _override_page(user_id: int, action: str):
    """The page that overrides a person's certification (``action``) with a reason, and its POST."""
    person, (template, done) = _person_or_404(user_id), OVERRIDES[action]
    form = OverrideForm()
    if form.validate_on_submit():
        try:
            cycles.override(catalogue(), person, action, form.reason.data)
        except cycles.Refused as refused:
            if action == "revoke":
                form.reason.errors.append(str(refused))
            else:  # the certify form is not on the page once certified (a second tab): say so there
                flash(str(refused), "error")
                return redirect(url_for(".person", user_id=person.id))
        else:
            flash(done.format(name=person.name), "success")
            return redirect(url_for(".person", user_id=person.id))
    return _standing_page(person, template, form, 400 if form.errors else 200)


@bp.route("/admin/users/<int:user_id>/certification", methods=["GET", "POST"])
@allow("admin")
def person(user_id: int):
    """A person's standing, requirements and cycles; POST certifies them by hand, with a reason."""
    return _override_page(user_id, "certify")


@bp.route("/admin/users/<int:user_id>/certification/revoke", methods=["GET", "POST"])
@allow("admin")
def revoke(user_id: int):
    """Revoking asks for a reason on a page of its own: the person stops being certified at once."""
    return _override_page(user_id, "revoke")
