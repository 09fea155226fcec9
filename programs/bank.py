"""Cash entitlements by bank transfer (issue 21, part 3): the bulk-payment file and the
transfers the bank returns. The format is documented in docs/bank-transfer-file.md.

A transfer file (`TransferBatch`) takes the approved, not yet paid entries of a cash cycle
whose IBAN is valid, freezes each IBAN on its entry (`transfer_iban`: the file downloaded
again reads the same), marks them `transfer_sent` and charges the fund once for the file's
total — in one transaction. Entries without a valid IBAN stay out and are listed, so staff
correct her file and make the next file. A returned transfer is recorded by reference (a form,
or the bank's return report uploaded as CSV): the entry becomes `transfer_returned` and its
amount goes back to the fund (`fund_refund`).
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import event_record
from wahaj.lib.validators import normalize_iban

from . import services
from .delivery import WAITING, is_cash, normalize_reference
from .models import Cycle, CycleEntry, TransferBatch

Status = CycleEntry.Status

# The bank's SWIFT code (BIC) from the two-digit bank code of a Saudi IBAN (characters 5–6),
# for the "Bank Code" column; SAMA's list of the banks in wahaj.lib.validators.SAUDI_BANKS.
BANK_BIC = {
    "05": "INMASARI",  # Alinma Bank
    "10": "NCBKSAJE",  # Saudi National Bank
    "15": "ALBISARI",  # Bank Albilad
    "20": "RIBLSARI",  # Riyad Bank
    "30": "ARNBSARI",  # Arab National Bank
    "40": "SAMBSARI",  # Saudi National Bank (formerly Samba)
    "45": "SABBSARI",  # Saudi Awwal Bank
    "50": "AAALSARI",  # Saudi Awwal Bank (formerly Alawwal)
    "55": "BSFRSARI",  # Banque Saudi Fransi
    "60": "BJAZSAJE",  # Bank AlJazira
    "65": "SIBCSARI",  # Saudi Investment Bank
    "76": "BMUSSARI",  # Bank Muscat
    "80": "RJHISARI",  # Al Rajhi Bank
    "90": "GULFSARI",  # Gulf International Bank
    "95": "EBILSARI",  # Emirates NBD
}
# The columns of the file, in order (docs/bank-transfer-file.md). English headers: the banks'
# upload screens match them by name.
COLUMNS = [
    "Sequence",
    "Beneficiary Name",
    "Beneficiary ID",
    "IBAN",
    "Bank Code",
    "Amount",
    "Currency",
    "Purpose Code",
    "Payment Details",
    "Customer Reference",
]
CURRENCY = "SAR"
# ISO 20022 purpose "CHAR" (charity payment), as SARIE carries it.
PURPOSE = "CHAR"
NAME_LENGTH = 35  # a SARIE name line
DETAILS_LENGTH = 35  # a SARIE remittance-information line
# The return report: the bank's columns we read (others are ignored).
RETURN_COLUMNS = ("Customer Reference", "Amount", "Return Reason")

NOT_A_CASH_CYCLE = _("This cycle gives items, not money: it is handed over, not transferred.")
CYCLE_NOT_PAYING = _("Transfer files are made only for an approved cycle.")
NOTHING_TO_TRANSFER = _("No approved transfer with a valid IBAN is waiting in this cycle.")
NOT_SENT = _("%(reference)s: only a sent transfer can be returned.")
UNKNOWN_REFERENCE = _("%(reference)s: no transfer of this cycle has this reference.")
AMOUNT_DIFFERS = _("%(reference)s: the bank returned %(returned)s, the transfer was %(amount)s.")
REASON_NEEDED = _("Say why the bank returned the transfer.")
RETURN_FILE_COLUMNS = _(
    "The file needs the columns “Customer Reference”, “Amount” and “Return Reason”."
)
RETURN_FILE_LINE = _("Line %(line)s: %(error)s")
RETURN_FILE_EMPTY = _("The file lists no returned transfer.")


class BankError(Exception):
    """A refused transfer step; `message` is translated, `errors` one line per row."""

    def __init__(self, message, errors: list[str] | None = None, **params) -> None:
        self.message = str(message) % params if params else str(message)
        self.errors = errors or []
        super().__init__(self.message)


@dataclass
class TransferFile:
    batch: TransferBatch
    left_out: list[CycleEntry] = field(default_factory=list)  # no valid IBAN on her file


def bank_code(iban: str) -> str:
    return BANK_BIC.get(iban[4:6], "")


@transaction.atomic
def transfer_batch_create(*, actor, cycle: Cycle, request=None) -> TransferFile:
    """Make the next transfer file of a cash cycle (see the module docstring). Refused for a
    cycle not approved, a cycle of items, or when no entry with a valid IBAN is waiting."""
    cycle = Cycle.objects.select_for_update().select_related("program", "fund").get(pk=cycle.pk)
    if cycle.status != Cycle.Status.APPROVED:
        raise BankError(CYCLE_NOT_PAYING)
    if not is_cash(cycle):
        raise BankError(NOT_A_CASH_CYCLE)
    waiting = list(
        CycleEntry.objects.select_for_update(of=("self",))
        .filter(cycle=cycle, status__in=WAITING, transfer_batch=None, amount__gt=0)
        .select_related("beneficiary")
        .order_by("pk")
    )
    paid, left_out = [], []
    for entry in waiting:
        try:
            entry.transfer_iban = normalize_iban(entry.beneficiary.iban or "")
        except ValidationError:
            left_out.append(entry)
        else:
            paid.append(entry)
    if not paid:
        raise BankError(NOTHING_TO_TRANSFER)
    total = sum((entry.amount for entry in paid), Decimal(0))
    number = cycle.transfer_batches.count() + 1
    batch = TransferBatch.objects.create(
        cycle=cycle,
        reference=f"TRF-{cycle.pk}-{number:03d}",
        entry_count=len(paid),
        total=total,
        created_by=actor,
    )
    now = timezone.now()
    for entry in paid:
        entry.status, entry.transfer_batch, entry.confirmed_by = (
            Status.TRANSFER_SENT,
            batch,
            "transfer",
        )
        entry.updated_at = now
    CycleEntry.objects.bulk_update(
        paid, ["status", "transfer_batch", "transfer_iban", "confirmed_by", "updated_at"]
    )
    services.fund_spend(
        actor=actor,
        fund=cycle.fund,
        amount=total,
        program=cycle.program,
        cycle=cycle,
        note=batch.reference,
    )
    event_record(
        actor=actor,
        subject=cycle,
        verb="transfer_file_created",
        extra={
            "file": batch.reference,
            "transfers": len(paid),
            "total": str(total),
            "left_out_no_iban": [entry.reference for entry in left_out],
        },
        request=request,
    )
    return TransferFile(batch=batch, left_out=left_out)


def transfer_file_download_record(*, actor, batch: TransferBatch, request=None) -> None:
    """Every download of a file of IBANs and amounts is an audit event (who, when, which)."""
    event_record(
        actor=actor,
        subject=batch,
        verb="transfer_file_downloaded",
        extra={"file": batch.reference, "transfers": batch.entry_count, "total": str(batch.total)},
        request=request,
    )


def _name(entry: CycleEntry) -> str:
    beneficiary = entry.beneficiary
    return (beneficiary.latin_name or beneficiary.full_name)[:NAME_LENGTH]


def transfer_file_rows(batch: TransferBatch) -> Iterator[list[str]]:
    """The file's lines after the header, in the order of COLUMNS."""
    entries = batch.entries.select_related("beneficiary").order_by("pk")
    details = f"{batch.cycle.name} {batch.reference}"[:DETAILS_LENGTH]
    for sequence, entry in enumerate(entries.iterator(chunk_size=2000), start=1):
        yield [
            str(sequence),
            _name(entry),
            entry.beneficiary.national_id,
            entry.transfer_iban,
            bank_code(entry.transfer_iban),
            f"{entry.amount:.2f}",
            CURRENCY,
            PURPOSE,
            details,
            entry.reference,
        ]


def transfer_file_text(batch: TransferBatch) -> Iterator[str]:
    """The CSV itself, line by line: UTF-8, comma-separated, CRLF, a header line. No
    spreadsheet escaping: the bank reads it, not Excel, and a name never starts a formula
    there (names are letters; every other column is an identifier or a number)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in [COLUMNS, *transfer_file_rows(batch)]:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


# --- Returned transfers ----------------------------------------------------------------------
def _return_one(
    *, actor, cycle: Cycle, reference: str, reason: str, returned: Decimal | None, request
) -> CycleEntry:
    entry = (
        CycleEntry.objects.select_for_update(of=("self",))
        .select_related("cycle", "cycle__program", "cycle__fund")
        .filter(cycle=cycle, reference=normalize_reference(reference))
        .first()
    )
    if entry is None or entry.transfer_batch_id is None:
        raise BankError(UNKNOWN_REFERENCE, reference=reference)
    if entry.status != Status.TRANSFER_SENT:
        raise BankError(NOT_SENT, reference=entry.reference)
    if returned is not None and returned != entry.amount:
        raise BankError(
            AMOUNT_DIFFERS,
            reference=entry.reference,
            returned=f"{returned:,.2f}",
            amount=f"{entry.amount:,.2f}",
        )
    now = timezone.now()
    entry.status = Status.TRANSFER_RETURNED
    entry.transfer_returned_at, entry.transfer_return_reason = now, reason[:200]
    entry.updated_at = now
    entry.save(
        update_fields=["status", "transfer_returned_at", "transfer_return_reason", "updated_at"]
    )
    cycle = entry.cycle
    services.fund_refund(
        actor=actor,
        fund=cycle.fund,
        amount=entry.amount,
        program=cycle.program,
        cycle=cycle,
        cycle_entry=entry,
        note=entry.reference,
    )
    event_record(
        actor=actor,
        subject=entry,
        verb="transfer_returned",
        old_state=Status.TRANSFER_SENT,
        new_state=entry.status,
        note=reason,
        extra={"reference": entry.reference, "amount": str(entry.amount)},
        request=request,
    )
    return entry


@transaction.atomic
def transfer_return_record(
    *, actor, cycle: Cycle, reference: str, reason: str, request=None
) -> CycleEntry:
    """transfer_sent → transfer_returned: the bank sent the money back (closed account, wrong
    name…); the amount is credited back to the fund."""
    reason = reason.strip()
    if not reason:
        raise BankError(REASON_NEEDED)
    return _return_one(
        actor=actor,
        cycle=cycle,
        reference=reference,
        reason=reason,
        returned=None,
        request=request,
    )


@transaction.atomic
def transfer_returns_upload(*, actor, cycle: Cycle, text: str, request=None) -> list[CycleEntry]:
    """Record every line of the bank's return report (CSV with the RETURN_COLUMNS), all or
    nothing: one wrong line (unknown reference, other amount, not sent) refuses the whole file
    with every line's error, so a file is never half recorded."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not set(RETURN_COLUMNS) <= set(reader.fieldnames or []):
        raise BankError(RETURN_FILE_COLUMNS)
    returned, errors = [], []
    for line, row in enumerate(reader, start=2):
        reference = (row["Customer Reference"] or "").strip()
        if not reference:
            continue
        try:
            amount = Decimal((row["Amount"] or "").replace(",", "").strip())
        except InvalidOperation:
            errors.append(str(RETURN_FILE_LINE) % {"line": line, "error": _("no valid amount")})
            continue
        reason = (row["Return Reason"] or "").strip() or str(_("Returned by the bank"))
        try:
            with transaction.atomic():
                returned.append(
                    _return_one(
                        actor=actor,
                        cycle=cycle,
                        reference=reference,
                        reason=reason,
                        returned=amount,
                        request=request,
                    )
                )
        except BankError as error:
            errors.append(str(RETURN_FILE_LINE) % {"line": line, "error": error.message})
    if errors:
        raise BankError(errors[0], errors=errors)
    if not returned:
        raise BankError(RETURN_FILE_EMPTY)
    return returned
