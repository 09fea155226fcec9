"""The managers' page of API tokens: issue (the token is shown once) and revoke."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import Role

from .models import ApiToken
from .selectors import api_tokens_for_managers, token_holders
from .services import TokenRefused, api_token_issue, api_token_revoke


class TokenIssueForm(forms.Form):
    user = forms.ModelChoiceField(label=gettext_lazy("Staff member"), queryset=token_holders())
    name = forms.CharField(
        label=gettext_lazy("What it is for"),
        max_length=80,
        help_text=gettext_lazy("For example: the home-visit tablet of the research office."),
    )
    code = forms.CharField(
        label=gettext_lazy("Your authenticator code"),
        required=False,
        max_length=12,
        help_text=gettext_lazy("Needed only for a token that acts as you, a manager."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "dir": "ltr"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = token_holders()
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        self.fields["user"].widget.attrs["class"] = "form-select"


@sensitive_post_parameters("code")
@role_required(Role.MANAGER)
def token_list(request: HttpRequest) -> HttpResponse:
    """`/api/tokens/`: every token, and a form to issue one; a new token is shown only here,
    in this answer (never stored, never put in a message or the session)."""
    form = TokenIssueForm(request.POST or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = api_token_issue(
                actor=request.user,
                user=form.cleaned_data["user"],
                name=form.cleaned_data["name"],
                code=form.cleaned_data["code"],
                request=request,
            )
        except TokenRefused as refused:
            form.add_error(None, str(refused.message))
        else:
            context.update(issued=token, raw=raw, form=TokenIssueForm())
    context["tokens"] = api_tokens_for_managers()[:200]
    return render(request, "api/tokens.html", context)


@require_POST
@role_required(Role.MANAGER)
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk)
    try:
        api_token_revoke(actor=request.user, token=token, request=request)
    except TokenRefused as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, _("The token is revoked: it no longer opens the API."))
    return redirect("api_tokens:list")
