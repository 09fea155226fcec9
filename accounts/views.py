from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from .two_factor import (
    base32_secret,
    confirmed_device,
    qr_code_data_uri,
    setup_device,
    two_factor_verify,
)

WRONG_CODE = _("The code is not correct or has expired. Enter the code your app shows now.")


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "dir": "ltr"}
        ),
    )


@sensitive_post_parameters("token")
@login_required
def two_factor_view(request: HttpRequest) -> HttpResponse:
    """The second step of a manager's log-in: set up the authenticator once, then give codes."""
    next_url = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = "/"
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if two_factor_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(next_url)
        form.add_error("token", WRONG_CODE)
    context = {"form": form, "next": next_url}
    if confirmed_device(request.user) is None:
        device = setup_device(request.user)
        context.update(qr_code=qr_code_data_uri(device), secret=base32_secret(device))
    return render(request, "registration/two_factor.html", context)
