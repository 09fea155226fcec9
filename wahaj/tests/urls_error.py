"""A URLconf with one view that fails, to see the error page a person would get."""

from django.urls import path


def broken(request):
    raise RuntimeError("national id 1000000008 must not reach the page")


urlpatterns = [path("broken/", broken)]
handler500 = "wahaj.errors.server_error"
