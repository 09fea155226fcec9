"""The committee's pages. Each view: role, then the object or 404, then one service call."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import Role
from requests_app.models import SupportRequest
from requests_app.selectors import home_visit_latest
from requests_app.services import InvalidTransition

from . import selectors, services
from .forms import (
    DEFER,
    AgendaAddForm,
    AppealForm,
    CommitteeForm,
    CycleAddForm,
    CycleDecisionForm,
    CycleVoteForm,
    DecisionForm,
    MeetingCloseForm,
    MeetingOpenForm,
    MeetingScheduleForm,
    ResearchReportForm,
    ScoringRuleForm,
    VoteForm,
)
from .models import Committee, Meeting, ResearchReport, ScoringRule
from .pdf import minutes_pdf_bytes
from .scoring import breakdown_rows, eligibility_score

COMMITTEE_ROLES = (Role.COMMITTEE, Role.CHAIR, Role.MANAGER)
QUEUE_PAGE_SIZE = 50
DomainErrors = (services.CommitteeError, InvalidTransition)


def _refused(request: HttpRequest, error: Exception) -> None:
    messages.error(request, str(error.message))
    for item in getattr(error, "missing", []):
        messages.error(request, item)


def _call_with_form(request: HttpRequest, form, invalid: str, service, **objects) -> bool:
    """Call `service` as the user with `objects` and the form's fields (each form has exactly
    the arguments its service takes); when the form is invalid (message `invalid`) or the
    service refuses, say so and return False."""
    if not form.is_valid():
        messages.error(request, invalid)
        return False
    try:
        service(actor=request.user, **objects, **form.cleaned_data)
    except services.CommitteeError as error:
        _refused(request, error)
        return False
    return True


# --- The queue -------------------------------------------------------------------------------
@role_required(*COMMITTEE_ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    """`/committee/`: requests before the committee, overdue first, and the meetings."""
    user = request.user
    chaired = user.chaired_committees.order_by("pk")
    page = Paginator(selectors.committee_queue(user), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "queue": page.object_list,
        "page": page,
        "upcoming": selectors.upcoming_meetings(user),
        "recent": selectors.recent_meetings(user),
        "schedule_form": MeetingScheduleForm(committees=chaired) if chaired.exists() else None,
    }
    return render(request, "committee/queue.html", context)


@require_POST
@role_required(Role.CHAIR)
def meeting_schedule(request: HttpRequest) -> HttpResponse:
    form = MeetingScheduleForm(request.POST, committees=request.user.chaired_committees.all())
    if not form.is_valid():
        messages.error(request, _("Choose the committee and the date of the meeting."))
        return redirect("committee:queue")
    try:
        meeting = services.meeting_schedule(actor=request.user, **form.cleaned_data)
    except services.CommitteeError as error:
        _refused(request, error)
        return redirect("committee:queue")
    messages.success(request, _("Meeting no. %(number)s planned.") % {"number": meeting.number})
    return redirect("committee:meeting", pk=meeting.pk)


# --- A meeting -------------------------------------------------------------------------------
@role_required(*COMMITTEE_ROLES)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_staff(request.user, pk)
    is_chair = request.user.pk == meeting.committee.chair_id
    members = meeting.committee.members.order_by("pk")
    present = list(meeting.present.order_by("pk"))
    context = {
        "meeting": meeting,
        "is_chair": is_chair,
        "members": members,
        "present": present,
        "quorum": services.quorum_needed(meeting.committee, member_count=len(members)),
        "rows": _with_forms(selectors.agenda_rows(meeting, request.user)),
    }
    if is_chair and meeting.status == Meeting.Status.PLANNED:
        context["open_form"] = MeetingOpenForm(meeting=meeting, initial={"present": members})
    if is_chair and meeting.status == Meeting.Status.OPEN:
        context["close_form"] = MeetingCloseForm(auto_id="close_%s")
    if is_chair and meeting.status != Meeting.Status.CLOSED:
        context["agenda_form"] = AgendaAddForm(queue=selectors.queue_not_on_agenda(meeting))
        context["cycle_add_form"] = CycleAddForm(cycles=selectors.cycles_not_on_agenda(meeting))
    context["cycle_rows"] = _with_cycle_forms(selectors.cycle_agenda_rows(meeting, request.user))
    return render(request, "committee/meeting_detail.html", context)


def _with_cycle_forms(rows: list[dict]) -> list[dict]:
    for row in rows:
        pk = row["item"].pk
        row["vote_form"] = CycleVoteForm(auto_id=f"cvote{pk}_%s")
        row["decision_form"] = CycleDecisionForm(
            auto_id=f"cdecision{pk}_%s", votes_outcome=row["result"].outcome
        )
    return rows


def _with_forms(rows: list[dict]) -> list[dict]:
    """Each item's forms get ids of their own (one page, many agenda items); the decision form
    offers only what the votes decide, and defer."""
    for row in rows:
        pk = row["item"].pk
        row["vote_form"] = VoteForm(auto_id=f"vote{pk}_%s")
        row["decision_form"] = DecisionForm(
            auto_id=f"decision{pk}_%s", votes_outcome=row["result"].outcome
        )
    return rows


def _chair_meeting_post(request: HttpRequest, pk: int) -> Meeting:
    return selectors.meeting_for_staff(request.user, pk)


@require_POST
@role_required(Role.CHAIR)
def meeting_open(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _chair_meeting_post(request, pk)
    form = MeetingOpenForm(request.POST, meeting=meeting)
    invalid = _("Tick the members present.")
    if _call_with_form(request, form, invalid, services.meeting_open, meeting=meeting):
        messages.success(request, _("The meeting is open."))
    return redirect("committee:meeting", pk=pk)


@require_POST
@role_required(Role.CHAIR)
def meeting_agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _chair_meeting_post(request, pk)
    form = AgendaAddForm(request.POST, queue=selectors.queue_not_on_agenda(meeting))
    invalid = _("Choose requests from the queue.")
    if _call_with_form(request, form, invalid, services.meeting_add_to_agenda, meeting=meeting):
        messages.success(request, _("The agenda is updated."))
    return redirect("committee:meeting", pk=pk)


@require_POST
@role_required(Role.CHAIR)
def meeting_close(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _chair_meeting_post(request, pk)
    if not MeetingCloseForm(request.POST).is_valid():
        messages.error(request, _("Confirm that closing the meeting approves its minutes."))
        return redirect("committee:meeting", pk=pk)
    try:
        services.meeting_close(actor=request.user, meeting=meeting)
    except services.CommitteeError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The meeting is closed and its minutes are approved."))
    return redirect("committee:meeting", pk=pk)


@require_POST
@role_required(Role.COMMITTEE)
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.agenda_item_for_staff(request.user, pk)
    form = VoteForm(request.POST)
    invalid = _("Choose your vote.")
    if _call_with_form(request, form, invalid, services.vote_cast, agenda_item=item):
        messages.success(request, _("Your vote is recorded."))
    return redirect(f"{item.meeting.get_absolute_url()}#item-{item.pk}")


@require_POST
@role_required(Role.CHAIR)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the votes' decision, or defer the item (one form, the chair's choice)."""
    item = selectors.agenda_item_for_staff(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the decision."))
        return redirect(f"{item.meeting.get_absolute_url()}#item-{item.pk}")
    fields = form.cleaned_data
    reference = item.support_request.reference
    try:
        if fields["outcome"] == DEFER:
            services.agenda_item_defer(
                actor=request.user, agenda_item=item, note=fields["rejection_reason"]
            )
            done = _("%(reference)s is deferred to the next meeting.")
        else:
            services.decision_record(actor=request.user, agenda_item=item, **fields)
            done = _("Decision recorded for %(reference)s.")
    except DomainErrors as error:
        _refused(request, error)
    else:
        messages.success(request, done % {"reference": reference})
    return redirect(f"{item.meeting.get_absolute_url()}#item-{item.pk}")


# --- Minutes ---------------------------------------------------------------------------------
@role_required(*COMMITTEE_ROLES)
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_staff(request.user, pk)
    context = {"meeting": meeting, "minutes": selectors.minutes_display(meeting)}
    return render(request, "committee/minutes.html", context)


@role_required(*COMMITTEE_ROLES)
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_staff(request.user, pk)
    html = render_to_string(
        "committee/minutes_pdf.html",
        {"meeting": meeting, "minutes": selectors.minutes_display(meeting)},
        request=request,
    )
    response = HttpResponse(minutes_pdf_bytes(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="minutes-{meeting.number}.pdf"'
    return response


# --- The research report ---------------------------------------------------------------------
def _request_in_research(pk: int) -> SupportRequest:
    return get_object_or_404(SupportRequest.objects.select_related("beneficiary"), pk=pk)


def _from_home_visit(support_request: SupportRequest) -> dict:
    """A new report starts from the request's home visit: its type and day."""
    visit = home_visit_latest(support_request)
    if visit is None:
        return {}
    return {"visit_type": ResearchReport.VisitType.HOME, "visit_date": visit.date}


@role_required(Role.RESEARCHER)
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """The researcher's report on a request in research, scored beside its breakdown."""
    support_request = _request_in_research(pk)
    existing = ResearchReport.objects.filter(support_request=support_request).first()
    initial = None if existing else _from_home_visit(support_request)
    form = ResearchReportForm(request.POST or None, instance=existing, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.research_report_save(
                actor=request.user,
                support_request=support_request,
                data=form.cleaned_data,
                complete="complete" in request.POST,
            )
        except services.CommitteeError as error:
            _refused(request, error)
        else:
            messages.success(request, _("The research report is saved."))
            return redirect("committee:report", pk=pk)
    rule = services.scoring_rule_current()
    preview = eligibility_score(
        rule.values(), selectors.beneficiary_facts(support_request.beneficiary)
    )
    context = {
        "support_request": support_request,
        "form": form,
        "report": existing,
        "rule": rule,
        "preview_total": preview.total,
        "preview_rows": breakdown_rows(preview.breakdown),
        "may_send": support_request.state == SupportRequest.State.IN_RESEARCH
        and existing is not None
        and existing.is_completed,
    }
    return render(request, "committee/report_form.html", context)


@require_POST
@role_required(Role.RESEARCHER)
def send_to_committee(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = _request_in_research(pk)
    try:
        services.research_send_to_committee(actor=request.user, support_request=support_request)
    except DomainErrors as error:
        _refused(request, error)
        return redirect("committee:report", pk=pk)
    messages.success(
        request,
        _("%(reference)s is before the committee.") % {"reference": support_request.reference},
    )
    return redirect(support_request.get_absolute_url())


# --- Appeal ----------------------------------------------------------------------------------
@role_required(Role.INTAKE)
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff file her appeal of a rejection, on her behalf."""
    support_request = get_object_or_404(SupportRequest.objects.select_related("beneficiary"), pk=pk)
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_file(
                actor=request.user,
                support_request=support_request,
                reason=form.cleaned_data["reason"],
            )
        except DomainErrors as error:
            _refused(request, error)
        else:
            messages.success(
                request, _("The appeal is filed; the request is back before the committee.")
            )
            return redirect(support_request.get_absolute_url())
    context = {
        "support_request": support_request,
        "form": form,
        "rejection": selectors.decision_for(support_request),
    }
    return render(request, "committee/appeal_form.html", context)


# --- The scoring rule ------------------------------------------------------------------------
@role_required(Role.MANAGER)
def scoring(request: HttpRequest) -> HttpResponse:
    """Managers change the thresholds and points: a new version, old reports untouched."""
    current = services.scoring_rule_current()
    form = ScoringRuleForm(
        request.POST or None,
        instance=ScoringRule(**{name: getattr(current, name) for name in ScoringRule.POINT_FIELDS}),
    )
    if request.method == "POST" and form.is_valid():
        rule = services.scoring_rule_update(
            actor=request.user,
            values={name: form.cleaned_data[name] for name in ScoringRule.POINT_FIELDS},
        )
        messages.success(
            request, _("Scoring rule version %(version)s saved.") % {"version": rule.version}
        )
        return redirect("committee:scoring")
    context = {
        "form": form,
        "current": current,
        "versions": ScoringRule.objects.order_by("-version")[:10],
    }
    return render(request, "committee/scoring.html", context)


# --- Composition and rules (managers) --------------------------------------------------------
@role_required(Role.MANAGER)
def committees(request: HttpRequest) -> HttpResponse:
    """Managers' page: each committee's chair, members, quorum and amount threshold, and the
    scoring rule; every change is an audited service call (SPEC §4)."""
    context = {
        "committees": Committee.objects.select_related("chair")
        .prefetch_related("members")
        .order_by("pk"),
        "rule": services.scoring_rule_current(),
    }
    return render(request, "committee/committees.html", context)


@role_required(Role.MANAGER)
def committee_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    committee = get_object_or_404(Committee, pk=pk) if pk else None
    form = CommitteeForm(request.POST or None, instance=committee)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            if committee is None:
                committee = services.committee_create(actor=request.user, **fields)
            else:
                services.committee_update(actor=request.user, committee=committee, **fields)
        except services.CommitteeError as error:
            _refused(request, error)
        else:
            messages.success(request, _("The committee is saved."))
            return redirect("committee:committees")
    return render(request, "committee/committee_form.html", {"form": form, "committee": committee})


# --- Program cycles (issue 21) ---------------------------------------------------------------
@require_POST
@role_required(Role.CHAIR)
def meeting_cycle_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _chair_meeting_post(request, pk)
    form = CycleAddForm(request.POST, cycles=selectors.cycles_not_on_agenda(meeting))
    invalid = _("Choose a cycle sent to the committee.")
    if _call_with_form(request, form, invalid, services.meeting_add_cycle, meeting=meeting):
        messages.success(request, _("The agenda is updated."))
    return redirect("committee:meeting", pk=pk)


@require_POST
@role_required(Role.COMMITTEE)
def cycle_vote(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.cycle_item_for_staff(request.user, pk)
    form = CycleVoteForm(request.POST)
    invalid = _("Choose your vote.")
    if _call_with_form(request, form, invalid, services.cycle_vote_cast, item=item):
        messages.success(request, _("Your vote is recorded."))
    return redirect(f"{item.meeting.get_absolute_url()}#cycle-{item.pk}")


@require_POST
@role_required(Role.CHAIR)
def cycle_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the votes' decision on a cycle (approval refused when the fund is short)."""
    item = selectors.cycle_item_for_staff(request.user, pk)
    form = CycleDecisionForm(request.POST)
    invalid = _("Choose the decision.")
    if _call_with_form(request, form, invalid, services.cycle_decision_record, item=item):
        messages.success(
            request, _("Decision recorded for %(cycle)s.") % {"cycle": str(item.cycle)}
        )
    return redirect(f"{item.meeting.get_absolute_url()}#cycle-{item.pk}")
