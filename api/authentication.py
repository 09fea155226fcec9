"""How the API knows who is calling: a staff token (Bearer) or the browser's staff session."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .selectors import api_token_for
from .services import TOKEN_PREFIX, api_token_touch

TOKEN_INVALID = _("The API token is not valid: it is unknown, revoked or expired.")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer whj_…`. The user is the token's holder, with her roles now."""

    keyword = b"bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(TOKEN_INVALID)
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(TOKEN_INVALID) from error
        token = api_token_for(raw) if raw.startswith(TOKEN_PREFIX) else None
        if token is None:
            raise exceptions.AuthenticationFailed(TOKEN_INVALID)
        api_token_touch(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class StaffSessionAuthentication(authentication.SessionAuthentication):
    """The staff's browser session, with Django's CSRF check on every unsafe method.

    A manager's session reaches the API only once verified by her second factor: the site's
    TwoFactorMiddleware stops it before any view, as for the pages.
    """
