"""Forms of single sign-on: the company sign-in on the sign-in page, the admin's provider settings,
the confirmations, and the role question after a first sign-in."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional

from literacy.web.forms import BaseForm

COMPANY = "company"  # the prefix of the company sign-in's fields: the password form has an "email" too


class CompanySignInForm(BaseForm):
    email = EmailField("Work email", validators=[DataRequired(), Email(), Length(max=254)])
    remember = BooleanField("Keep me signed in on this device")


def company_form(**kwargs) -> CompanySignInForm:
    return CompanySignInForm(prefix=COMPANY, **kwargs)


class SsoSettingsForm(BaseForm):
    issuer = StringField("Issuer URL", validators=[DataRequired(), Length(max=500)])
    client_id = StringField("Client id (application id)", validators=[DataRequired(), Length(max=300)])
    # write-only: never filled in from the saved value, and empty keeps it
    client_secret = PasswordField(
        "Client secret", validators=[Optional(), Length(max=2000)], render_kw={"autocomplete": "off"}
    )
    client_secret_env = StringField(
        "Or: the environment variable that holds the client secret", validators=[Optional(), Length(max=100)]
    )
    domains = StringField("Allowed email domains", validators=[DataRequired(), Length(max=1000)])
    required = BooleanField("Require single sign-on: members cannot use passwords")


class RequireForm(BaseForm):
    required = HiddenField(validators=[AnyOf(("on", "off"))])
    confirm = HiddenField()


class RemoveForm(BaseForm):
    confirm = HiddenField()


class RoleForm(BaseForm):
    role = SelectField("Your marketing role", validators=[DataRequired()])
