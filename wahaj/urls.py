from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from wahaj import views

# /admin/ is for managers only (SPEC §1), not for every account with is_staff, and only once
# the session is verified by the second factor.
admin.site.has_permission = lambda request: (
    request.user.is_active
    and request.user.is_staff
    and request.user.has_role("manager")
    and request.user.is_verified()
)
admin.site.site_header = settings.ASSOCIATION_NAME
admin.site.site_title = "Wahaj"

urlpatterns = [
    # Pages link their icon; this is for those that do not (the admin) and for other clients.
    path("favicon.ico", lambda _request: redirect(static("img/favicon.svg"), permanent=True)),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("beneficiaries/", include("beneficiaries.urls")),
    path("requests/", include("requests_app.urls")),
    path("committee/", include("committee.urls")),
    path("programs/", include("programs.urls")),
    path("surveys/", include("surveys.urls")),
    path("privacy/", include("privacy.urls")),
    path("api/v1/", include("api.urls")),
    path("api/tokens/", include("api.pages_urls")),
    path("tickets/", include("feedback.urls")),
    path("outreach/", include("outreach.urls")),
    path("", include("portal.urls")),  # /status/ and /portal/…
    path("", include("reports.urls")),
]

handler403 = "wahaj.errors.permission_denied"
handler404 = "wahaj.errors.page_not_found"
handler500 = "wahaj.errors.server_error"
