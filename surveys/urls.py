from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.results, name="results"),
    # A token is URL-safe base64 (models.new_token): anything else, a NUL byte included, is a 404
    # before it reaches the database (issue 18).
    path("r/<slug:token>/", views.respond, name="respond"),
    path("thanks/", views.thanks, name="thanks"),
    path("record/<int:request_pk>/", views.record, name="record"),
]
