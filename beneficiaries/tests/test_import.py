import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from audit.models import Event
from beneficiaries.imports import COLUMNS, beneficiaries_import, sheet_rows
from beneficiaries.models import Beneficiary

from .factories import BeneficiaryFactory, national_id_with_checksum

pytestmark = pytest.mark.django_db

IMPORT = reverse("beneficiaries:import")


def _sheet(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([c.header for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row(name, national_id, mobile, marital="أرملة", housing="مستأجر"):
    return [name, national_id, mobile, marital, "", "", "الرياض", "", housing, 0, "", ""]


def _upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("old-records.xlsx", content)


def test_a_sheet_imports_exactly_its_valid_rows_and_reports_the_others_by_row(
    client_as, manager_user
):
    BeneficiaryFactory(national_id="1000000032")
    content = _sheet(
        [
            _row("نورة محمد عبدالله العتيبي", "1000000008", "0501111111", marital="widow"),
            _row("هيا سعد ناصر الدوسري", 2000000006, 501111112, housing="rented"),
            _row("ريم علي حمد الشهري", "1000000000", "0501111113"),  # bad checksum
            _row("منى سالم راشد القحطاني", "1000000032", "0501111114"),  # already on file
            _row("سارة فهد خالد الزهراني", "١٠٠٠٠٠٠٠١٦", "٠٥٠١١١١١١٥"),  # Arabic digits
            _row("عبير أحمد صالح المطيري", "1000000024", "12345"),  # bad phone
        ]
    )
    client = client_as(manager_user)

    preview = client.post(IMPORT, {"file": _upload(content)})

    assert preview.status_code == 200
    assert preview.context["valid_count"] == 3
    errors = {row.number: " ".join(row.errors) for row in preview.context["invalid_rows"]}
    assert set(errors) == {4, 5, 7}
    assert "B-900" in errors[5] or "Already on file" in errors[5] or "ملف" in errors[5]
    assert not Beneficiary.objects.exclude(national_id="1000000032").exists()

    response = client.post(IMPORT, {"confirm": "1", "token": preview.context["token"]})

    assert response.status_code == 302
    imported = dict(
        Beneficiary.objects.exclude(national_id="1000000032").values_list("national_id", "mobile")
    )
    assert set(imported) == {"1000000008", "2000000006", "1000000016"}
    assert str(imported["1000000016"]) == "+966501111115"
    assert str(imported["2000000006"]) == "+966501111112"
    assert Event.objects.get(verb="beneficiaries_imported").extra["count"] == 3


def test_the_same_id_twice_in_a_sheet_keeps_the_first_row_only():
    rows = sheet_rows(
        _sheet(
            [
                _row("نورة محمد عبدالله العتيبي", "1000000008", "0501111111"),
                _row("نورة محمد عبدالله العتيبي", "1000000008", "0501111112"),
            ]
        )
    )
    assert [r.valid for r in rows] == [True, False]
    assert "2" in rows[1].errors[0]


def test_a_5000_row_sheet_imports_in_one_go():
    rows = [
        _row(
            f"امرأة {n} محمد عبدالله",
            national_id_with_checksum("1", 20_000_000 + n),
            f"05{60_000_000 + n:08d}",
        )
        for n in range(5000)
    ]
    parsed = sheet_rows(_sheet(rows))
    assert all(r.valid for r in parsed)
    assert beneficiaries_import(actor=None, rows=parsed) == 5000
    assert Beneficiary.objects.count() == 5000
    assert Beneficiary.objects.order_by("file_number").last().file_number == "B-005000"


def test_the_template_has_the_arabic_headers(client_as, manager_user):
    response = client_as(manager_user).get(reverse("beneficiaries:import_template"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    assert [r.valid for r in sheet_rows(response.content)] == [True]


def test_a_file_that_is_not_xlsx_is_refused(client_as, manager_user):
    response = client_as(manager_user).post(
        IMPORT, {"file": SimpleUploadedFile("x.xlsx", b"MZ not a workbook")}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_a_confirm_without_its_preview_imports_nothing(client_as, manager_user):
    response = client_as(manager_user).post(IMPORT, {"confirm": "1", "token": "forged"})
    assert response.status_code == 302
    assert not Beneficiary.objects.exists()
