from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The username or password is not correct. After 5 failed attempts the account "
            "is locked for 15 minutes."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django sets the username's max_length after the field is built, so it is never
        # checked: a 300-character name reached authenticate() and broke the lock-out's
        # 255-character column (a 500). Checked here, an overlong name is a form error.
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
