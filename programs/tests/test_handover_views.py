"""The handover desk and the store, as staff use them."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from notifications.models import Message
from programs import delivery, services, views_delivery
from programs.models import Cycle, CycleEntry, StockMovement
from programs.tests.delivery_factories import approved_cycle, basket_item, woman

pytestmark = pytest.mark.django_db
Status = CycleEntry.Status


@pytest.fixture
def entry(manager_user):
    woman()
    cycle = approved_cycle(manager_user, item=basket_item(manager_user, on_hand=3))
    return CycleEntry.objects.get(cycle=cycle)


def test_the_desk_finds_her_by_the_typed_reference(client_as, intake_user, entry):
    client = client_as(intake_user)
    response = client.post(
        reverse("programs:handover"), {"reference": f" {entry.reference.lower()} "}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:handover_entry", args=[entry.pk])


def test_an_unknown_reference_keeps_what_was_typed_and_says_so(client_as, intake_user, entry):
    client = client_as(intake_user)
    response = client.post(reverse("programs:handover"), {"reference": "C999-000999"})
    assert response.status_code == 200
    assert 'value="C999-000999"' in response.content.decode()
    with translation.override("ar"):
        expected = str(views_delivery.NOT_FOUND)
    assert response.context["form"].errors["reference"] == [expected]


def test_code_then_confirm_hands_it_over(client_as, intake_user, entry):
    client = client_as(intake_user)
    page = reverse("programs:handover_entry", args=[entry.pk])
    assert client.get(page).status_code == 200

    client.post(reverse("programs:handover_code", args=[entry.pk]))
    code = Message.objects.get(template="phone_code").context["code"]
    response = client.post(reverse("programs:handover_confirm", args=[entry.pk]), {"code": code})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Status.DELIVERED
    assert StockMovement.objects.filter(cycle_entry=entry, kind="out").exists()


def test_a_wrong_code_on_the_page_is_refused_with_a_message(client_as, intake_user, entry):
    client = client_as(intake_user)
    client.post(reverse("programs:handover_code", args=[entry.pk]))
    code = Message.objects.get(template="phone_code").context["code"]
    wrong = "000000" if code != "000000" else "111111"

    response = client.post(
        reverse("programs:handover_confirm", args=[entry.pk]), {"code": wrong}, follow=True
    )

    with translation.override("ar"):
        refused = str(delivery.CODE_REFUSED)
    assert [str(m) for m in response.context["messages"]][-1] == refused
    entry.refresh_from_db()
    assert entry.status == Status.APPROVED


def test_an_entry_of_a_cycle_not_approved_is_not_found(client_as, intake_user, manager_user):
    woman()
    from programs.tests.factories import basket_program, fund_with

    fund = fund_with(actor=manager_user, name="صندوق", balance="1000")
    program = basket_program(actor=manager_user, fund=fund)
    cycle = services.cycle_create(actor=manager_user, program=program, name="مسودة", fund=fund)
    services.cycle_generate(actor=manager_user, cycle=cycle)
    listed = CycleEntry.objects.get(cycle=cycle)
    assert cycle.status != Cycle.Status.APPROVED
    client = client_as(intake_user)
    assert client.get(reverse("programs:handover_entry", args=[listed.pk])).status_code == 404
    response = client.post(reverse("programs:handover_code", args=[listed.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.CHAIR])
def test_committee_members_have_no_desk(client_as, make_staff, entry, role):
    client = client_as(make_staff(role))
    assert client.get(reverse("programs:handover")).status_code == 403
    assert client.get(reverse("programs:handover_entry", args=[entry.pk])).status_code == 403
    assert client.post(reverse("programs:handover_code", args=[entry.pk])).status_code == 403
    assert client.get(reverse("programs:stock")).status_code == 403


def test_anonymous_goes_to_the_login(client, entry):
    response = client.get(reverse("programs:handover_entry", args=[entry.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_store_records_items_received(client_as, intake_user, manager_user):
    item = basket_item(manager_user)
    client = client_as(intake_user)
    response = client.post(
        reverse("programs:stock"), {"item": item.pk, "quantity": "٢٠", "note": "تبرع عيني"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.on_hand == 20
    page = client.get(reverse("programs:stock_item", args=[item.pk]))
    assert page.context["totals"] == {"received": 20, "issued": 0}
