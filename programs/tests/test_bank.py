"""Cash entitlements: the bank's bulk-payment file, its audited download, returned transfers."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import Event
from programs import bank
from programs.models import CycleEntry, FundMovement
from programs.tests.delivery_factories import approved_cycle, basket_item, woman

pytestmark = pytest.mark.django_db
Status = CycleEntry.Status
IBAN = "SA0380000000608010167519"  # Al Rajhi's published example: a valid checksum


@pytest.fixture
def cash_cycle(manager_user):
    woman(full_name="نورة سعد عبدالله القحطاني", latin_name="NOURA SAAD ALQAHTANI", iban=IBAN)
    woman(full_name="سارة علي محمد الشهري", iban="")  # no IBAN on file
    return approved_cycle(manager_user, amount=Decimal("750"))


def _file_lines(batch) -> list[list[str]]:
    text = "".join(bank.transfer_file_text(batch))
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text)))


def test_the_file_lists_each_transfer_in_the_banks_columns(manager_user, cash_cycle):
    made = bank.transfer_batch_create(actor=manager_user, cycle=cash_cycle)

    noura = CycleEntry.objects.get(cycle=cash_cycle, beneficiary__latin_name="NOURA SAAD ALQAHTANI")
    header, *lines = _file_lines(made.batch)
    assert header == bank.COLUMNS
    assert lines == [
        [
            "1",
            "NOURA SAAD ALQAHTANI",
            noura.beneficiary.national_id,
            IBAN,
            "RJHISARI",
            "750.00",
            "SAR",
            "CHAR",
            f"رمضان 1448 {made.batch.reference}",
            noura.reference,
        ]
    ]
    assert made.batch.reference == f"TRF-{cash_cycle.pk}-001"
    assert (made.batch.entry_count, made.batch.total) == (1, Decimal("750.00"))


def test_making_the_file_sends_the_transfers_and_charges_the_fund_once(manager_user, cash_cycle):
    fund = cash_cycle.fund
    fund.refresh_from_db()
    balance = fund.balance

    made = bank.transfer_batch_create(actor=manager_user, cycle=cash_cycle)

    sent = CycleEntry.objects.get(transfer_batch=made.batch)
    assert (sent.status, sent.transfer_iban, sent.confirmed_by) == (
        Status.TRANSFER_SENT,
        IBAN,
        "transfer",
    )
    [left_out] = made.left_out
    assert left_out.beneficiary.iban == ""
    left_out.refresh_from_db()
    assert left_out.status == Status.APPROVED
    fund.refresh_from_db()
    assert fund.balance == balance - Decimal("750")
    spend = FundMovement.objects.get(kind="spend", cycle=cash_cycle)
    assert (spend.amount, spend.note) == (Decimal("750.00"), made.batch.reference)
    event = Event.objects.for_subject(cash_cycle).get(verb="transfer_file_created")
    assert event.extra["left_out_no_iban"] == [left_out.reference]
    with pytest.raises(bank.BankError) as refused:  # nothing valid is waiting any more
        bank.transfer_batch_create(actor=manager_user, cycle=cash_cycle)
    assert refused.value.message == str(bank.NOTHING_TO_TRANSFER)


def test_the_file_reads_the_same_after_her_iban_changed(manager_user, cash_cycle):
    made = bank.transfer_batch_create(actor=manager_user, cycle=cash_cycle)
    first = _file_lines(made.batch)
    entry = CycleEntry.objects.get(transfer_batch=made.batch)
    entry.beneficiary.iban = "SA4420000001234567891234"
    entry.beneficiary.save()

    assert _file_lines(made.batch) == first


def test_an_items_cycle_has_no_transfer_file(manager_user):
    woman(iban=IBAN)
    cycle = approved_cycle(manager_user, item=basket_item(manager_user, on_hand=5))
    with pytest.raises(bank.BankError) as refused:
        bank.transfer_batch_create(actor=manager_user, cycle=cycle)
    assert refused.value.message == str(bank.NOT_A_CASH_CYCLE)


def test_a_returned_transfer_credits_the_fund_back(manager_user, cash_cycle):
    made = bank.transfer_batch_create(actor=manager_user, cycle=cash_cycle)
    entry = CycleEntry.objects.get(transfer_batch=made.batch)
    fund = cash_cycle.fund
    fund.refresh_from_db()
    balance = fund.balance

    bank.transfer_return_record(
        actor=manager_user, cycle=cash_cycle, reference=entry.reference, reason="حساب مغلق"
    )

    entry.refresh_from_db()
    assert (entry.status, entry.transfer_return_reason) == (Status.TRANSFER_RETURNED, "حساب مغلق")
    fund.refresh_from_db()
    assert fund.balance == balance + Decimal("750")
    assert FundMovement.objects.get(kind="refund", cycle_entry=entry).amount == Decimal("750")
    event = Event.objects.for_subject(entry).get(verb="transfer_returned")
    assert (event.actor, event.note) == (manager_user, "حساب مغلق")
    with pytest.raises(bank.BankError) as again:
        bank.transfer_return_record(
            actor=manager_user, cycle=cash_cycle, reference=entry.reference, reason="مكرر"
        )
    assert again.value.message == str(bank.NOT_SENT) % {"reference": entry.reference}


def test_the_banks_return_report_is_recorded_all_or_nothing(manager_user, cash_cycle):
    made = bank.transfer_batch_create(actor=manager_user, cycle=cash_cycle)
    entry = CycleEntry.objects.get(transfer_batch=made.batch)
    bad = (
        "Customer Reference,Amount,Return Reason\r\n"
        f"{entry.reference},750.00,Account closed\r\n"
        "C999-000001,100.00,Unknown\r\n"
    )
    with pytest.raises(bank.BankError) as refused:
        bank.transfer_returns_upload(actor=manager_user, cycle=cash_cycle, text=bad)
    assert refused.value.errors == [
        str(bank.RETURN_FILE_LINE)
        % {
            "line": 3,
            "error": str(bank.UNKNOWN_REFERENCE) % {"reference": "C999-000001"},
        }
    ]
    entry.refresh_from_db()
    assert entry.status == Status.TRANSFER_SENT  # nothing recorded from the refused file

    good = "\ufeffCustomer Reference,Amount,Return Reason\r\n" + (
        f'{entry.reference},"750.00",Account closed\r\n'
    )
    [returned] = bank.transfer_returns_upload(actor=manager_user, cycle=cash_cycle, text=good)
    assert (returned.pk, returned.status) == (entry.pk, Status.TRANSFER_RETURNED)


def test_a_return_of_another_amount_is_refused(manager_user, cash_cycle):
    made = bank.transfer_batch_create(actor=manager_user, cycle=cash_cycle)
    entry = CycleEntry.objects.get(transfer_batch=made.batch)
    text = f"Customer Reference,Amount,Return Reason\n{entry.reference},700,x\n"
    with pytest.raises(bank.BankError) as refused:
        bank.transfer_returns_upload(actor=manager_user, cycle=cash_cycle, text=text)
    assert refused.value.errors == [
        str(bank.RETURN_FILE_LINE)
        % {
            "line": 2,
            "error": str(bank.AMOUNT_DIFFERS)
            % {"reference": entry.reference, "returned": "700.00", "amount": "750.00"},
        }
    ]


# --- Pages -----------------------------------------------------------------------------------
def test_a_manager_downloads_the_file_and_the_download_is_audited(
    client_as, manager_user, cash_cycle
):
    made = bank.transfer_batch_create(actor=manager_user, cycle=cash_cycle)
    client = client_as(manager_user)

    response = client.get(reverse("programs:transfer_download", args=[made.batch.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{made.batch.reference}.csv"'
    body = b"".join(response.streaming_content).decode()
    assert body.startswith(",".join(bank.COLUMNS) + "\r\n")
    assert IBAN in body
    event = Event.objects.for_subject(made.batch).get(verb="transfer_file_downloaded")
    assert event.actor == manager_user


def test_staff_other_than_managers_cannot_see_transfers(
    client_as, intake_user, cash_cycle, manager_user
):
    made = bank.transfer_batch_create(actor=manager_user, cycle=cash_cycle)
    client = client_as(intake_user)
    assert (
        client.get(reverse("programs:transfer_download", args=[made.batch.pk])).status_code == 403
    )
    assert client.get(reverse("programs:transfers", args=[cash_cycle.pk])).status_code == 403
    assert not Event.objects.filter(verb="transfer_file_downloaded").exists()


def test_the_transfers_page_makes_a_file_and_records_a_return(client_as, manager_user, cash_cycle):
    client = client_as(manager_user)
    page = reverse("programs:transfers", args=[cash_cycle.pk])

    response = client.post(reverse("programs:transfer_create", args=[cash_cycle.pk]), follow=True)
    assert response.redirect_chain[-1][0] == page
    entry = CycleEntry.objects.get(cycle=cash_cycle, status=Status.TRANSFER_SENT)
    response = client.post(
        reverse("programs:transfer_return", args=[cash_cycle.pk]),
        {"reference": entry.reference.lower(), "reason": "اسم غير مطابق"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Status.TRANSFER_RETURNED
