from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from . import throttle
from .forms import LoginForm
from .two_factor import (
    InvitationRefused,
    base32_secret,
    confirmed_device,
    enrolment_device,
    invitation_users,
    qr_code_data_uri,
    two_factor_invitation_issue,
    two_factor_invitation_redeem,
    two_factor_required,
    two_factor_verify,
)

WRONG_CODE = _("The code is not correct or has expired. Enter the code your app shows now.")
WRONG_INVITATION = _(
    "This invitation code is not correct, was used already or has expired. Ask another "
    "manager for a new one."
)
LOGIN_THROTTLED = _(
    "Too many failed log-in attempts from this network. Try again in a few minutes."
)
PASSWORD_CHANGED = _("Your password was changed. Your other sessions were logged out.")


class LoginView(auth_views.LoginView):
    """Django's login, behind a throttle per address that is checked before any hash."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if throttle.login_address_limited(request):
            # An unbound form: validating the posted one would hash the password.
            form = self.get_form_class()(request)
            context = self.get_context_data(form=form, throttled=LOGIN_THROTTLED)
            return render(request, self.template_name, context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form) -> HttpResponse:
        throttle.login_failure_count(self.request)
        return super().form_invalid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view: it keeps this session (update_session_auth_hash) and thereby ends every
    other session of hers, whose stored hash no longer matches."""

    success_url = reverse_lazy("reports:dashboard")

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, PASSWORD_CHANGED)
        return response


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "dir": "ltr"}
        ),
    )


class InvitationCodeForm(forms.Form):
    invitation = forms.CharField(
        label=_("Invitation code"),
        max_length=32,
        help_text=_("The code another manager gave you, e.g. ABCD-EFGH-JKLM-NPQR."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr"}),
    )


class InviteForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Staff member"), queryset=invitation_users())

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = invitation_users().exclude(pk=actor.pk)


def _safe_next(request: HttpRequest) -> str:
    next_url = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        return "/"
    return next_url


@sensitive_post_parameters("token", "invitation")
@login_required
def two_factor_view(request: HttpRequest) -> HttpResponse:
    """The second step of a manager's log-in: a code from her app; or, before she has one, the
    invitation code that lets her set the app up."""
    if not two_factor_required(request.user):
        raise Http404
    next_url = _safe_next(request)
    context: dict = {"next": next_url}
    device = confirmed_device(request.user) or enrolment_device(request)
    if device is None:
        form = InvitationCodeForm(request.POST or None)
        if form.is_valid():
            if two_factor_invitation_redeem(request=request, code=form.cleaned_data["invitation"]):
                return redirect(request.get_full_path())
            form.add_error("invitation", WRONG_INVITATION)
        return render(request, "registration/two_factor.html", {**context, "invite_form": form})
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if two_factor_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(next_url)
        form.add_error("token", WRONG_CODE)
    context["form"] = form
    if not device.confirmed:
        context.update(qr_code=qr_code_data_uri(device), secret=base32_secret(device))
    return render(request, "registration/two_factor.html", context)


@login_required
def two_factor_invite_view(request: HttpRequest) -> HttpResponse:
    """A manager issues a colleague's invitation; the code is shown here once."""
    # The middleware already asks for her own second factor first; say so here as well.
    if not two_factor_required(request.user) or not request.user.is_verified():
        raise Http404
    form = InviteForm(request.POST or None, actor=request.user)
    context: dict = {"form": form}
    if form.is_valid():
        invitee = form.cleaned_data["user"]
        try:
            code = two_factor_invitation_issue(actor=request.user, user=invitee, request=request)
        except InvitationRefused as refused:
            form.add_error("user", str(refused))
        else:
            context.update(code=code, invitee=invitee)
    return render(request, "registration/two_factor_invite.html", context)
