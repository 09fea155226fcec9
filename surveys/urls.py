from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.results, name="results"),
    path("r/<str:token>/", views.respond, name="respond"),
    path("thanks/", views.thanks, name="thanks"),
    path("record/<int:request_pk>/", views.record, name="record"),
]
