from django.urls import path, register_converter

from . import views

app_name = "requests_app"


class ActionConverter:
    regex = "|".join(views.ACTIONS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ActionConverter, "request_action")

urlpatterns = [
    path("", views.support_request_index, name="list"),
    path("new/", views.support_request_new, name="new"),
    path("visits/", views.home_visit_week, name="visits"),
    path("<int:pk>/", views.support_request_view, name="detail"),
    path("<int:pk>/receipt/", views.support_request_receipt, name="receipt"),
    path("<int:pk>/declaration/", views.support_request_sign, name="sign"),
    path("<int:pk>/verification/", views.support_request_checklist, name="verify"),
    path("<int:pk>/documents/", views.support_request_attach, name="attach"),
    path("<int:pk>/visits/new/", views.home_visit_new, name="visit_new"),
    path("<int:pk>/<request_action:action>/", views.support_request_act, name="act"),
]
