from django.urls import path

from . import views

app_name = "committee"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("meetings/new/", views.meeting_schedule, name="meeting_schedule"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/open/", views.meeting_open, name="meeting_open"),
    path("meetings/<int:pk>/agenda/", views.meeting_agenda_add, name="meeting_agenda_add"),
    path("meetings/<int:pk>/close/", views.meeting_close, name="meeting_close"),
    path("meetings/<int:pk>/minutes/", views.minutes, name="minutes"),
    path("meetings/<int:pk>/minutes/pdf/", views.minutes_pdf, name="minutes_pdf"),
    path("items/<int:pk>/vote/", views.vote, name="vote"),
    path("items/<int:pk>/decide/", views.decide, name="decide"),
    path("meetings/<int:pk>/cycles/", views.meeting_cycle_add, name="meeting_cycle_add"),
    path("cycle-items/<int:pk>/vote/", views.cycle_vote, name="cycle_vote"),
    path("cycle-items/<int:pk>/decide/", views.cycle_decide, name="cycle_decide"),
    path("requests/<int:pk>/report/", views.report, name="report"),
    path("requests/<int:pk>/send/", views.send_to_committee, name="send_to_committee"),
    path("requests/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("scoring/", views.scoring, name="scoring"),
    path("committees/", views.committees, name="committees"),
    path("committees/new/", views.committee_edit, name="committee_new"),
    path("committees/<int:pk>/", views.committee_edit, name="committee_edit"),
]
