"""Pages of the delivery part: the handover desk, the store, a cash cycle's transfer files.

Thin: a form validates, a selector returns the object or 404, one service is called, a refusal
becomes a message. The desk is open to beneficiary relations and research staff (they receive
her); the store's card too; transfer files — IBANs and money — to managers only.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import Role

from . import bank, delivery, selectors_delivery, stock
from .forms_delivery import (
    HandoverConfirmForm,
    HandoverLookupForm,
    StockReceiveForm,
    TransferReturnForm,
    TransferReturnsUploadForm,
)
from .models import Cycle, StockItem

DESK = (Role.INTAKE, Role.RESEARCHER, Role.MANAGER)
NOT_FOUND = gettext_lazy("No approved support has this reference.")


# --- The handover desk -----------------------------------------------------------------------
@role_required(*DESK)
def handover(request: HttpRequest) -> HttpResponse:
    """Type or scan her reference: the entry's page, or "not found" with the typed text kept."""
    form = HandoverLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = selectors_delivery.handover_entry_by_reference(form.cleaned_data["reference"])
        if entry is not None:
            return redirect("programs:handover_entry", entry.pk)
        form.add_error("reference", str(NOT_FOUND))
    return render(request, "programs/delivery/handover.html", {"form": form})


@role_required(*DESK)
def handover_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors_delivery.handover_entry(pk)
    context = {
        "entry": entry,
        "items": entry.item_quantities(),
        "cash": delivery.is_cash(entry.cycle),
        "waiting": entry.status in delivery.WAITING,
        "shortages": delivery.stock_shortages(entry) if entry.status in delivery.WAITING else [],
        "form": HandoverConfirmForm(),
    }
    return render(request, "programs/delivery/handover_entry.html", context)


@require_POST
@role_required(*DESK)
def handover_code(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors_delivery.handover_entry(pk)
    try:
        delivery.cycle_entry_code_send(actor=request.user, entry=entry, request=request)
    except delivery.DeliveryError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The code was sent to her mobile. Ask her to read it to you."))
    return redirect("programs:handover_entry", entry.pk)


@require_POST
@role_required(*DESK)
def handover_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors_delivery.handover_entry(pk)
    form = HandoverConfirmForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("code", []):
            messages.error(request, error)
        return redirect("programs:handover_entry", entry.pk)
    try:
        delivery.cycle_entry_deliver(
            actor=request.user, entry=entry, code=form.cleaned_data["code"], request=request
        )
    except delivery.DeliveryError as error:
        messages.error(request, error.message)
        return redirect("programs:handover_entry", entry.pk)
    messages.success(request, _("Delivered: her support is recorded as received."))
    return redirect("programs:handover")


# --- The store -------------------------------------------------------------------------------
@role_required(*DESK)
def stock_list(request: HttpRequest) -> HttpResponse:
    form = StockReceiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            stock.stock_receive(
                actor=request.user, item=data["item"], quantity=data["quantity"], note=data["note"]
            )
        except stock.StockError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Recorded: the items are in stock."))
            return redirect("programs:stock")
    context = {"items": selectors_delivery.stock_items(), "form": form}
    return render(request, "programs/stock/list.html", context)


@role_required(*DESK)
def stock_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(StockItem, pk=pk)
    context = {
        "item": item,
        "movements": selectors_delivery.stock_card(item),
        "totals": selectors_delivery.stock_totals(item),
    }
    return render(request, "programs/stock/item.html", context)


# --- Transfer files (managers) ---------------------------------------------------------------
@role_required(Role.MANAGER)
def transfers(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle.objects.select_related("program", "fund"), pk=pk)
    context = {
        "cycle": cycle,
        "cash": delivery.is_cash(cycle),
        "batches": selectors_delivery.cycle_transfer_batches(cycle),
        "counts": selectors_delivery.cycle_payment_counts(cycle),
        "return_form": TransferReturnForm(),
        "upload_form": TransferReturnsUploadForm(),
    }
    return render(request, "programs/delivery/transfers.html", context)


@require_POST
@role_required(Role.MANAGER)
def transfer_create(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    try:
        made = bank.transfer_batch_create(actor=request.user, cycle=cycle, request=request)
    except bank.BankError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "Transfer file %(file)s made: %(count)s transfer.",
                "Transfer file %(file)s made: %(count)s transfers.",
                made.batch.entry_count,
            )
            % {"file": made.batch.reference, "count": made.batch.entry_count},
        )
        if made.left_out:
            messages.warning(
                request,
                _("Left out, no valid IBAN on her file: %(references)s.")
                % {"references": ", ".join(entry.reference for entry in made.left_out)},
            )
    return redirect("programs:transfers", cycle.pk)


@role_required(Role.MANAGER)
def transfer_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The bank file, streamed; each download is an audit event."""
    batch = selectors_delivery.transfer_batch(pk)
    bank.transfer_file_download_record(actor=request.user, batch=batch, request=request)
    response = StreamingHttpResponse(
        bank.transfer_file_text(batch), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{batch.reference}.csv"'
    return response


@require_POST
@role_required(Role.MANAGER)
def transfer_return(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    form = TransferReturnForm(request.POST)
    if form.is_valid():
        try:
            entry = bank.transfer_return_record(
                actor=request.user,
                cycle=cycle,
                reference=form.cleaned_data["reference"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except bank.BankError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Transfer %(reference)s recorded as returned; its amount is back in the fund.")
                % {"reference": entry.reference},
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("programs:transfers", cycle.pk)


@require_POST
@role_required(Role.MANAGER)
def transfer_returns_upload(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    form = TransferReturnsUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("programs:transfers", cycle.pk)
    try:
        returned = bank.transfer_returns_upload(
            actor=request.user, cycle=cycle, text=form.cleaned_data["file"], request=request
        )
    except bank.BankError as error:
        for line in error.errors or [error.message]:
            messages.error(request, line)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s returned transfer recorded; its amount is back in the fund.",
                "%(count)s returned transfers recorded; their amounts are back in the fund.",
                len(returned),
            )
            % {"count": len(returned)},
        )
    return redirect("programs:transfers", cycle.pk)
