"""Sign-in, two-factor and password forms. They check shape only; rules live in eip.auth."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length

from forms.widgets import Button, TextInput


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=TextInput(),
        validators=[DataRequired("Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), Length(max=256)],
    )
    submit = SubmitField("Sign in", widget=Button())


class TwoFactorForm(FlaskForm):
    code = StringField(
        "Security code",
        description="The 6-digit code from your authenticator app, or one of your recovery codes",
        widget=TextInput(),
        validators=[DataRequired("Enter the security code"), Length(max=20)],
    )
    submit = SubmitField("Continue", widget=Button())


class EnrolTwoFactorForm(FlaskForm):
    code = StringField(
        "Security code from your app",
        description="Enter the 6-digit code your authenticator app shows for EIP Tracker",
        widget=TextInput(),
        validators=[DataRequired("Enter the 6-digit code from your app"), Length(max=12)],
    )
    submit = SubmitField("Turn on two-factor sign-in", widget=Button())


class EnrolmentCodeForm(FlaskForm):
    code = StringField(
        "Set-up code",
        description=(
            "The code in the email about setting up two-factor sign-in, like abcd-efgh-jkmn"
        ),
        widget=TextInput(),
        validators=[DataRequired("Enter the set-up code from your email"), Length(max=40)],
    )
    submit = SubmitField("Continue", widget=Button())


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        description="At least 12 characters. A phrase of three or four unrelated words works well.",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter a new password")],
    )
    confirm = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter the new password again"),
            EqualTo("password", "The two passwords do not match"),
        ],
    )
    submit = SubmitField("Save password", widget=Button())


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your current password")],
    )

    field_order = ("current", "password", "confirm")


class RequestResetForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=TextInput(),
        validators=[
            DataRequired("Enter your email address"),
            Email("Enter an email address in the correct format, like name@example.org"),
            Length(max=254),
        ],
    )
    submit = SubmitField("Send reset link", widget=Button())
