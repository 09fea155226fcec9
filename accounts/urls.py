from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("two-factor/", views.two_factor_view, name="two_factor"),
    path("two-factor-invitations/", views.two_factor_invite_view, name="two_factor_invite"),
]
