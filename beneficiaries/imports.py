"""Import of the association's existing Excel sheets: template, preview with per-row errors, import.

The uploaded sheet is kept privately until the manager confirms; confirming re-reads and
re-checks it (another file may have been registered meanwhile) and imports the valid rows in
one transaction.
"""

import io
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.datavalidation import DataValidation
from simple_history.utils import bulk_create_with_history

from accounts.access import role_required
from accounts.roles import Role
from audit.services import event_record
from wahaj.lib.choices import Channel
from wahaj.lib.fields import hash_of
from wahaj.lib.validators import (
    normalize_digits,
    normalize_iban,
    normalize_mobile,
    normalize_national_id,
    strip_bidi_controls,
)

from .forms import ImportUploadForm
from .models import Beneficiary, Housing, MaritalStatus, Nationality
from .services import file_numbers_allocate

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 20_000
DUPLICATE_ON_FILE = gettext_lazy("Already on file {file_number}.")
DUPLICATE_IN_SHEET = gettext_lazy("Same national ID as row {row}.")
DUPLICATE_MOBILE_IN_SHEET = gettext_lazy("Same mobile as row {row}.")
REQUIRED = gettext_lazy("{column}: required.")
NOT_A_CHOICE = gettext_lazy("{column}: «{value}» is not one of the choices.")
NOT_A_NUMBER = gettext_lazy("{column}: not an amount.")
NOT_A_DATE = gettext_lazy("{column}: not a date (YYYY-MM-DD).")
SESSION_KEY = "beneficiaries_import"


@dataclass(frozen=True)
class Column:
    name: str  # Beneficiary field
    header: str  # Arabic header of the template
    required: bool = False
    choices: type[models.TextChoices] | None = None


COLUMNS = [
    Column("full_name", "الاسم الكامل", required=True),
    Column("national_id", "رقم الهوية أو الإقامة", required=True),
    Column("mobile", "الجوال", required=True),
    Column("marital_status", "الحالة الاجتماعية", required=True, choices=MaritalStatus),
    Column("nationality", "الجنسية", choices=Nationality),
    Column("date_of_birth", "تاريخ الميلاد"),
    Column("city", "المدينة", required=True),
    Column("district", "الحي"),
    Column("housing", "السكن", required=True, choices=Housing),
    Column("monthly_rent", "الإيجار الشهري"),
    Column("iban", "الآيبان"),
    Column("intake_channel", "قناة التواصل", choices=Channel),
]
DEFAULTS = {
    "nationality": Nationality.SAUDI,
    "intake_channel": Channel.INTERVIEW,
    "monthly_rent": Decimal(0),
    "district": "",
    "iban": "",
    "date_of_birth": None,
}


@dataclass
class Row:
    number: int  # the sheet's row number, as Excel shows it
    data: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


def _choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Code, English label and Arabic label of each choice → code."""
    lookup = {}
    for code, label in choices.choices:
        lookup[code.lower()] = code
        for language in ("en", "ar"):
            with translation.override(language):
                lookup[" ".join(str(label).split()).lower()] = code
    return lookup


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(strip_bidi_controls(str(value)).split())


def _clean_row(row: Row, values: dict[str, object], lookups: dict) -> None:
    for column in COLUMNS:
        raw = values.get(column.name)
        text = _text(raw)
        if not text:
            if column.required:
                row.errors.append(REQUIRED.format(column=column.header))
            else:
                row.data[column.name] = DEFAULTS.get(column.name, "")
            continue
        try:
            row.data[column.name] = _clean_value(column, raw, text, lookups)
        except ValidationError as error:
            row.errors.append(f"{column.header}: {' '.join(error.messages)}")
        except ValueError as error:
            row.errors.append(str(error))


def _clean_mobile(raw, text: str):
    # Excel drops the leading zero of 05XXXXXXXX typed as a number.
    digits = normalize_digits(text)
    return normalize_mobile(f"0{digits}" if digits.startswith("5") else digits)


def _clean_amount(raw, text: str) -> Decimal:
    try:
        amount = Decimal(normalize_digits(text))
    except InvalidOperation:
        amount = Decimal(-1)
    if amount < 0:
        raise ValueError(NOT_A_NUMBER.format(column=_header("monthly_rent")))
    return amount


def _clean_date(raw, text: str) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(normalize_digits(text))
    except ValueError:
        raise ValueError(NOT_A_DATE.format(column=_header("date_of_birth"))) from None


def _header(name: str) -> str:
    return next(c.header for c in COLUMNS if c.name == name)


CLEANERS = {
    "national_id": lambda _raw, text: normalize_national_id(text),
    "mobile": _clean_mobile,
    "iban": lambda _raw, text: normalize_iban(text),
    "monthly_rent": _clean_amount,
    "date_of_birth": _clean_date,
}


def _clean_value(column: Column, raw, text: str, lookups: dict):
    if column.choices is not None:
        code = lookups[column.name].get(text.lower())
        if code is None:
            raise ValueError(NOT_A_CHOICE.format(column=column.header, value=text))
        return code
    cleaner = CLEANERS.get(column.name)
    return cleaner(raw, text) if cleaner else text


def sheet_rows(content: bytes) -> list[Row]:
    """Every data row of the sheet, cleaned and checked (checksums, choices, duplicates)."""
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = [_text(h) for h in next(lines, ())]
    positions = {c.name: header.index(c.header) for c in COLUMNS if c.header in header}
    lookups = {c.name: _choice_lookup(c.choices) for c in COLUMNS if c.choices}
    rows = []
    for number, line in enumerate(lines, start=2):
        if number > MAX_ROWS + 1:
            break
        if not any(_text(v) for v in line):
            continue
        values = {name: line[i] if i < len(line) else None for name, i in positions.items()}
        row = Row(number=number)
        _clean_row(row, values, lookups)
        rows.append(row)
    workbook.close()
    _flag_duplicates(rows)
    return rows


def _flag_duplicates(rows: list[Row]) -> None:
    """Within the sheet (later rows) and against the files already in the database."""
    ids = {r.data["national_id"] for r in rows if "national_id" in r.data}
    mobiles = {r.data["mobile"] for r in rows if "mobile" in r.data}
    # Through the lookup hashes: the IDs and mobiles on file are encrypted.
    id_field, mobile_field = (Beneficiary._meta.get_field(f) for f in ("national_id", "mobile"))
    id_hashes = {hash_of(id_field, i): i for i in ids if i}
    mobile_hashes = {hash_of(mobile_field, m): str(m) for m in mobiles if m}
    on_file = {
        id_hashes[h]: n
        for h, n in Beneficiary.objects.filter(national_id_hash__in=id_hashes).values_list(
            "national_id_hash", "file_number"
        )
    }
    mobiles_on_file = {
        mobile_hashes[h]: n
        for h, n in Beneficiary.objects.filter(mobile_hash__in=mobile_hashes).values_list(
            "mobile_hash", "file_number"
        )
    }
    seen_ids: dict[str, int] = {}
    seen_mobiles: dict[str, int] = {}
    for row in rows:
        national_id = row.data.get("national_id")
        mobile = str(row.data.get("mobile") or "")
        if national_id in on_file:
            row.errors.append(str(DUPLICATE_ON_FILE.format(file_number=on_file[national_id])))
        elif national_id in seen_ids:
            row.errors.append(str(DUPLICATE_IN_SHEET.format(row=seen_ids[national_id])))
        elif mobile in mobiles_on_file:
            row.errors.append(str(DUPLICATE_ON_FILE.format(file_number=mobiles_on_file[mobile])))
        elif mobile in seen_mobiles:
            row.errors.append(str(DUPLICATE_MOBILE_IN_SHEET.format(row=seen_mobiles[mobile])))
        if national_id:
            seen_ids.setdefault(national_id, row.number)
        if mobile:
            seen_mobiles.setdefault(mobile, row.number)


@transaction.atomic
def beneficiaries_import(*, actor, rows: list[Row], request: HttpRequest | None = None) -> int:
    """Create a file for every valid row, in one transaction; return how many.

    Each new file gets its "created" history row (bulk_create_with_history, with the manager
    as the user); the import itself is one `beneficiaries_imported` audit event (count and
    file-number range) rather than thousands of events for one action.
    """
    valid = [row for row in rows if row.valid]
    if not valid:
        return 0
    numbers = file_numbers_allocate(len(valid))
    created = bulk_create_with_history(
        [
            Beneficiary(**row.data, file_number=number, created_by=actor)
            for row, number in zip(valid, numbers, strict=True)
        ],
        Beneficiary,
        batch_size=1000,
        default_user=actor,
    )
    first = Beneficiary.objects.get(file_number=numbers[0])
    event_record(
        actor=actor,
        subject=first,
        verb="beneficiaries_imported",
        extra={"count": len(created), "first": numbers[0], "last": numbers[-1]},
        request=request,
    )
    return len(created)


# --- views -----------------------------------------------------------------------------------
@role_required(Role.MANAGER)
def import_template(request: HttpRequest) -> HttpResponse:
    """The XLSX to fill: Arabic headers, one example row, drop-downs for the choices."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "المستفيدات"
    sheet.sheet_view.rightToLeft = True
    sheet.append([c.header for c in COLUMNS])
    sheet.append(
        [
            "نورة محمد عبدالله العتيبي",
            "1000000008",
            "0501234567",
            str(MaritalStatus.WIDOW.label),
            str(Nationality.SAUDI.label),
            "1985-03-14",
            "الرياض",
            "النسيم",
            str(Housing.RENTED.label),
            1500,
            "SA0380000000608010167519",
            str(Channel.INTERVIEW.label),
        ]
    )
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = 24
        if column.choices is not None:
            options = ",".join(str(label) for _code, label in column.choices.choices)
            if len(options) < 250:  # Excel's limit for an inline list
                validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
                sheet.add_data_validation(validation)
                validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="wahaj-beneficiaries-template.xlsx"'
    return response


def _stored_path(token: str) -> str:
    return f"imports/{token}.xlsx"


@role_required(Role.MANAGER)
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload → preview (each row's errors) → confirm: valid rows imported in one transaction."""
    form = ImportUploadForm()
    if request.method == "POST" and request.POST.get("confirm"):
        token = request.session.get(SESSION_KEY)
        if not token or token != request.POST.get("token"):
            messages.error(request, _("Upload the sheet again: its preview has expired."))
            return redirect("beneficiaries:import")
        path = _stored_path(token)
        with default_storage.open(path, "rb") as stored:
            rows = sheet_rows(stored.read())
        count = beneficiaries_import(actor=request.user, rows=rows, request=request)
        default_storage.delete(path)
        del request.session[SESSION_KEY]
        skipped = sum(1 for row in rows if not row.valid)
        messages.success(
            request,
            _("{count} beneficiaries imported; {skipped} rows skipped.").format(
                count=count, skipped=skipped
            ),
        )
        return redirect("beneficiaries:list")
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            content = form.cleaned_data["file"].read()
            try:
                rows = sheet_rows(content)
            except Exception:  # noqa: BLE001 - any unreadable workbook is the same answer
                form.add_error("file", _("This Excel file could not be read."))
            else:
                token = uuid.uuid4().hex
                default_storage.save(_stored_path(token), ContentFile(content))
                request.session[SESSION_KEY] = token
                return render(
                    request,
                    "beneficiaries/import_preview.html",
                    {
                        "rows": rows,
                        "token": token,
                        "valid_count": sum(1 for r in rows if r.valid),
                        "invalid_rows": [r for r in rows if not r.valid],
                        "columns": COLUMNS,
                    },
                )
    return render(request, "beneficiaries/import.html", {"form": form, "columns": COLUMNS})
