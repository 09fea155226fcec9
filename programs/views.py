"""Pages of funds, programs and cycles. Each view: role, then the object or 404, then one
service call; a refusal becomes a message. Funds and program settings are the managers';
the lists are open to the staff who work with files (they exclude with a reason)."""

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import Role

from . import eligibility, selectors, services
from .forms import (
    CycleForm,
    EntitlementItemForm,
    EntryFilterForm,
    ExcludeForm,
    FundForm,
    FundMovementForm,
    ProgramForm,
    ProgramFundForm,
    StockItemForm,
)
from .models import Cycle, CycleEntry, Fund, Program

STAFF = (Role.INTAKE, Role.RESEARCHER, Role.MANAGER)
PAGE_SIZE = 50


def _refused(request: HttpRequest, error: services.ProgramError) -> None:
    messages.error(request, error.message)


# --- Funds -----------------------------------------------------------------------------------
@role_required(Role.MANAGER)
def funds(request: HttpRequest) -> HttpResponse:
    """The funds with their balance, committed and left; a new fund."""
    form = FundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fund = services.fund_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("The fund is created. Record its first deposit."))
        return redirect(fund)
    context = {"figures": selectors.fund_figures(), "form": form, "all_funds": Fund.objects.all()}
    return render(request, "programs/funds.html", context)


@role_required(Role.MANAGER)
def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One fund: its figures, its ledger, a deposit or withdrawal, its settings."""
    fund = get_object_or_404(Fund, pk=pk)
    form = FundForm(request.POST or None, instance=fund, prefix="fund")
    if request.method == "POST" and form.is_valid():
        services.fund_update(actor=request.user, fund=fund, **form.cleaned_data)
        messages.success(request, _("The fund is saved."))
        return redirect(fund)
    page = Paginator(
        fund.movements.select_related("created_by", "cycle", "support_request"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "fund": fund,
        "form": form,
        "move_form": FundMovementForm(),
        "page": page,
        "programs": fund.program_funds.select_related("program"),
    }
    return render(request, "programs/fund_detail.html", context)


@require_POST
@role_required(Role.MANAGER)
def fund_move(request: HttpRequest, pk: int) -> HttpResponse:
    fund = get_object_or_404(Fund, pk=pk)
    form = FundMovementForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the amount and a note."))
        return redirect(fund)
    data = form.cleaned_data
    service = services.fund_deposit if data["kind"] == form.DEPOSIT else services.fund_withdraw
    try:
        service(actor=request.user, fund=fund, amount=data["amount"], note=data["note"])
    except services.ProgramError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Recorded in the fund's ledger."))
    return redirect(fund)


# --- Programs --------------------------------------------------------------------------------
@role_required(*STAFF)
def programs(request: HttpRequest) -> HttpResponse:
    rows = Program.objects.prefetch_related("program_funds__fund").order_by("status", "name")
    return render(request, "programs/programs.html", {"programs": rows})


@role_required(Role.MANAGER)
def program_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new program, or its rules and entitlement (cycles keep the copy they were listed with)."""
    program = get_object_or_404(Program, pk=pk) if pk else None
    form = ProgramForm(request.POST or None, instance=program)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.PROGRAM_FIELDS}
        if program is None:
            program = services.program_create(actor=request.user, **fields)
        else:
            program = services.program_update(actor=request.user, program=program, **fields)
        messages.success(request, _("The program is saved."))
        return redirect(program)
    return render(request, "programs/program_form.html", {"form": form, "program": program})


@role_required(*STAFF)
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)
    context = {
        "program": program,
        "program_funds": program.program_funds.select_related("fund"),
        "items": program.entitlement_items.select_related("item"),
        "cycles": program.cycles.select_related("fund"),
        "is_manager": request.user.has_role(Role.MANAGER),
    }
    if context["is_manager"]:
        context["fund_form"] = ProgramFundForm(auto_id="fund_%s")
        context["item_form"] = EntitlementItemForm(auto_id="item_%s")
        context["stock_item_form"] = StockItemForm(auto_id="stock_%s")
    return render(request, "programs/program_detail.html", context)


@require_POST
@role_required(Role.MANAGER)
def program_fund(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)
    form = ProgramFundForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the fund and give the budget."))
        return redirect(program)
    try:
        services.program_fund_set(actor=request.user, program=program, **form.cleaned_data)
    except services.ProgramError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The program's budget is saved."))
    return redirect(program)


@require_POST
@role_required(Role.MANAGER)
def program_item(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)
    form = EntitlementItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the item and its quantity."))
        return redirect(program)
    services.entitlement_item_set(actor=request.user, program=program, **form.cleaned_data)
    messages.success(request, _("The entitlement is saved."))
    return redirect(program)


@require_POST
@role_required(Role.MANAGER)
def stock_item_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A new kind of item (from the program page, to give it as an entitlement)."""
    program = get_object_or_404(Program, pk=pk)
    form = StockItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the item's name (new) and its value."))
        return redirect(program)
    services.stock_item_create(actor=request.user, **form.cleaned_data)
    messages.success(request, _("The item is added."))
    return redirect(program)


# --- Cycles ----------------------------------------------------------------------------------
@role_required(Role.MANAGER)
def cycle_new(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)
    form = CycleForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.cycle_create(actor=request.user, program=program, **form.cleaned_data)
        except services.ProgramError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The cycle is created. Generate its list."))
            return redirect(cycle)
    return render(request, "programs/cycle_form.html", {"form": form, "program": program})


@role_required(Role.MANAGER)
def cycle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle.objects.select_related("program"), pk=pk)
    form = CycleForm(request.POST or None, instance=cycle, program=cycle.program)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.CYCLE_DELIVERY_FIELDS}
        services.cycle_update(actor=request.user, cycle=cycle, **fields)
        messages.success(request, _("The cycle is saved."))
        return redirect(cycle)
    return render(
        request,
        "programs/cycle_form.html",
        {"form": form, "program": cycle.program, "cycle": cycle},
    )


def _entry_rows(entries) -> list[dict]:
    """Each entry with the words for her reasons and, when flagged, what she received."""
    rows = []
    for entry in entries:
        rows.append(
            {
                "entry": entry,
                "reasons": [
                    eligibility.REASONS.get(code, code) for code in entry.reasons.get("out", [])
                ],
                "received": selectors.repeat_support_for_entry(entry)
                if entry.repeat_flagged
                else [],
            }
        )
    return rows


@role_required(*STAFF)
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The cycle: its figures, the fund check, and the list with each woman's reasons."""
    cycle = get_object_or_404(Cycle.objects.select_related("program", "fund"), pk=pk)
    filters = EntryFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(
        selectors.cycle_entries(
            cycle,
            status=criteria.get("status", ""),
            city=criteria.get("city", ""),
            flagged=criteria.get("flagged", False),
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    before_decision = cycle.status in (Cycle.Status.LISTED, Cycle.Status.IN_COMMITTEE)
    context = {
        "cycle": cycle,
        "program": cycle.program,
        "filters": filters,
        "page": page,
        "rows": _entry_rows(page.object_list),
        "counts": selectors.cycle_status_counts(cycle),
        "needs": services.cycle_approval_needs(cycle) if before_decision else None,
        "editable": cycle.status == Cycle.Status.LISTED,
        "is_manager": request.user.has_role(Role.MANAGER),
        "exclude_form": ExcludeForm(),
    }
    return render(request, "programs/cycle_detail.html", context)


def _cycle_action(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    try:
        action(actor=request.user, cycle=cycle)
    except services.ProgramError as error:
        _refused(request, error)
    else:
        messages.success(request, done)
    return redirect(cycle)


@require_POST
@role_required(Role.MANAGER)
def cycle_generate(request: HttpRequest, pk: int) -> HttpResponse:
    return _cycle_action(request, pk, services.cycle_generate, _("The list is generated."))


@require_POST
@role_required(Role.MANAGER)
def cycle_send(request: HttpRequest, pk: int) -> HttpResponse:
    return _cycle_action(
        request,
        pk,
        services.cycle_send_to_committee,
        _("The cycle is sent to the committee; the chair puts it on a meeting's agenda."),
    )


@require_POST
@role_required(Role.MANAGER)
def cycle_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _cycle_action(
        request,
        pk,
        services.cycle_close,
        _("The cycle is closed; what was not collected is released to the fund."),
    )


def _entry_of(cycle_pk: int, pk: int) -> CycleEntry:
    """The entry, only through its own cycle (another cycle's entry number is a 404)."""
    return get_object_or_404(CycleEntry.objects.select_related("cycle"), pk=pk, cycle_id=cycle_pk)


@require_POST
@role_required(*STAFF)
def entry_exclude(request: HttpRequest, cycle_pk: int, pk: int) -> HttpResponse:
    entry = _entry_of(cycle_pk, pk)
    form = ExcludeForm(request.POST)
    if not form.is_valid():
        messages.error(request, str(services.EXCLUDE_NEEDS_REASON))
    else:
        try:
            services.cycle_entry_exclude(
                actor=request.user, entry=entry, reason=form.cleaned_data["reason"]
            )
        except services.ProgramError as error:
            _refused(request, error)
        else:
            messages.success(request, _("She is excluded from this cycle."))
    return redirect(f"{entry.cycle.get_absolute_url()}#entry-{entry.pk}")


@require_POST
@role_required(*STAFF)
def entry_include(request: HttpRequest, cycle_pk: int, pk: int) -> HttpResponse:
    entry = _entry_of(cycle_pk, pk)
    try:
        services.cycle_entry_include(actor=request.user, entry=entry)
    except services.ProgramError as error:
        _refused(request, error)
    else:
        messages.success(request, _("She is back on the list."))
    return redirect(f"{entry.cycle.get_absolute_url()}#entry-{entry.pk}")


# --- Reports ---------------------------------------------------------------------------------
@role_required(*STAFF)
def cycle_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Eligible, approved, delivered, not collected, amounts and items, by city."""
    cycle = get_object_or_404(Cycle.objects.select_related("program", "fund"), pk=pk)
    rows = selectors.cycle_report_rows(cycle)
    context = {
        "cycle": cycle,
        "rows": rows,
        "totals": selectors.cycle_report_totals(rows),
        "items": selectors.cycle_items_delivered(cycle),
    }
    return render(request, "programs/cycle_report.html", context)


REPORT_COLUMNS = [
    ("city", gettext_lazy("City")),
    ("considered", gettext_lazy("Considered")),
    ("eligible", gettext_lazy("Eligible")),
    ("approved", gettext_lazy("Approved")),
    ("delivered", gettext_lazy("Delivered")),
    ("not_collected", gettext_lazy("Not collected")),
    ("returned", gettext_lazy("Transfer returned")),
    ("amount_approved", gettext_lazy("Value approved (SAR)")),
    ("amount_delivered", gettext_lazy("Cash delivered (SAR)")),
    ("value_delivered", gettext_lazy("Value delivered (SAR)")),
]


@role_required(*STAFF)
def cycle_report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The report by city as CSV (figures only: no names, no identifiers)."""
    cycle = get_object_or_404(Cycle, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cycle-{cycle.pk}-report.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 Arabic only with the byte-order mark
    writer = csv.writer(response)
    writer.writerow([str(label) for _key, label in REPORT_COLUMNS])
    for row in selectors.cycle_report_rows(cycle):
        writer.writerow([row[key] for key, _label in REPORT_COLUMNS])
    return response
