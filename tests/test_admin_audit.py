"""Every write through /admin/ leaves an audit Event (issue 15), for every model registered there.

The walk submits each admin's own forms as a browser would (the fields as rendered, plus what
an add needs), then checks the audit trail. A model registered tomorrow is walked too: its
add needs an entry in ADD_DATA, and its change and delete an object in SAMPLES, or the walk
fails and says so.
"""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.admin_site import AuditedAdminMixin
from audit.models import Event
from beneficiaries.models import FileAccess
from beneficiaries.tests.factories import BeneficiaryFactory
from committee.models import Committee, Membership
from committee.tests.factories import committee_with
from notifications.tests.factories import MessageFactory
from portal.models import CorrectionRequest
from surveys.tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db
PASSWORD = "walk-the-admin-2026!"


class FormFields(HTMLParser):
    """The fields of one <form> as a browser would post them (no files)."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self.select: str | None = None
        self.textarea: str | None = None
        self.first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or ("name" not in attrs and tag != "option"):
            return
        name = attrs.get("name")
        if tag == "input" and attrs.get("type") not in ("submit", "file", "button"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.setdefault(name, []).append(attrs.get("value", "on"))
            else:
                self.data[name] = [attrs.get("value", "")]
        elif tag == "select":
            self.select, self.first_option = name, None
            self.data.setdefault(name, [])
            self.multiple = "multiple" in attrs
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = attrs.get("value", "")
            if "selected" in attrs:
                self.data[self.select].append(attrs.get("value", ""))
        elif tag == "textarea":
            self.textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] = [self.data[self.textarea][0] + data.strip("\n")]

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            if not self.data[self.select] and not self.multiple:
                self.data[self.select] = [self.first_option or ""]
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def form_of(client, url: str, model) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = FormFields(f"{model._meta.model_name}_form")
    parser.feed(response.content.decode())
    return parser.data


def built(obj) -> dict:
    """An unsaved instance's values as form data (foreign keys as ids)."""
    return {
        field.name: [str(field.value_from_object(obj))]
        for field in obj._meta.concrete_fields
        if field.value_from_object(obj) not in (None, "") and not field.primary_key
    }


def add_data(label: str, people: dict) -> dict:
    her, manager = people["her"], str(people["manager"].pk)
    return {
        "auth.Group": {"name": ["admin walk"]},
        "accounts.User": {
            "username": ["walk_user"],
            "password1": [PASSWORD],
            "password2": [PASSWORD],
            "usable_password": ["true"],
        },
        "accounts.TwoFactorDevice": {"user": [manager], "name": ["walk"]},
        "beneficiaries.Beneficiary": built(BeneficiaryFactory.build()),
        "beneficiaries.Referral": {
            "beneficiary": [str(her.pk)],
            "reason": ["غير واضحة"],
            "referred_by": [manager],
        },
        "beneficiaries.Contact": {
            "beneficiary": [str(her.pk)],
            "channel": ["phone"],
            "summary": ["اتصلت تسأل"],
            "staff": [manager],
        },
        "beneficiaries.Document": {
            "beneficiary": [str(her.pk)],
            "doc_type": ["other"],
            "original_name": ["x.pdf"],
            "content_type": ["application/pdf"],
            "size": ["10"],
            "uploaded_by": [manager],
        },
        "committee.Committee": {"name": ["لجنة"], "chair": [str(people["chair"].pk)]},
        "surveys.Survey": {"title": ["استبانة"], "slug": ["walk"]},
    }.get(label)


def samples(label: str, people: dict):
    """An existing object for the admins that change or delete but never add."""
    her, manager = people["her"], people["manager"]
    make = {
        "notifications.Message": MessageFactory,
        "beneficiaries.FileAccess": lambda: FileAccess.objects.create(
            beneficiary=her, user=manager, kind=FileAccess.Kind.FILE
        ),
        "surveys.Invitation": InvitationFactory,
        "portal.CorrectionRequest": lambda: CorrectionRequest.objects.create(
            beneficiary=her, details="تصحيح", due_at=timezone.now()
        ),
    }
    if label.startswith("axes."):
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        fields = {"username": "walker", "ip_address": "10.0.0.1", "user_agent": "test"}
        make.update(
            {
                "axes.AccessAttempt": lambda: AccessAttempt.objects.create(
                    **fields, failures_since_start=1
                ),
                "axes.AccessLog": lambda: AccessLog.objects.create(**fields),
                "axes.AccessFailureLog": lambda: AccessFailureLog.objects.create(**fields),
            }
        )
    return make[label]() if label in make else None


def _errors(response) -> dict:
    return response.context and response.context["adminform"].form.errors


def admin_events(obj, verb: str):
    return Event.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, verb=verb
    )


@pytest.fixture
def people(make_staff, chair_user):
    manager = make_staff(Role.MANAGER, username="walker", is_staff=True, is_superuser=True)
    return {"manager": manager, "chair": chair_user, "her": BeneficiaryFactory()}


def test_every_admin_on_the_site_is_audited():
    unaudited = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AuditedAdminMixin)
    ]
    assert unaudited == []


@pytest.mark.parametrize(
    "label", sorted(model._meta.label for model in admin.site._registry), ids=str
)
def test_an_add_change_and_delete_in_the_admin_each_leave_an_audit_event(label, client_as, people):
    model = next(m for m in admin.site._registry if m._meta.label == label)
    model_admin = admin.site._registry[model]
    client = client_as(people["manager"])
    request = RequestFactory().get("/")
    request.user = people["manager"]
    info = (model._meta.app_label, model._meta.model_name)
    add_url = reverse("admin:{}_{}_add".format(*info))

    obj = None
    if model_admin.has_add_permission(request):
        extra = add_data(label, people)
        assert extra is not None, f"{label} can be added in the admin: add it to add_data()"
        before = set(model._default_manager.values_list("pk", flat=True))
        response = client.post(add_url, form_of(client, add_url, model) | extra)
        assert response.status_code == 302, _errors(response)
        obj = model._default_manager.exclude(pk__in=before).get()
        assert admin_events(obj, "admin_add").get().actor == people["manager"]
    else:
        assert client.post(add_url, {}).status_code == 403

    obj = obj or samples(label, people) or model._default_manager.first()
    if obj is None:
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
        return
    change_url = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
    if model_admin.has_change_permission(request, obj):
        response = client.post(change_url, form_of(client, change_url, model))
        assert response.status_code == 302, _errors(response)
        assert admin_events(obj, "admin_change").exists()
    else:
        assert client.post(change_url, {}).status_code == 403

    delete_url = reverse("admin:{}_{}_delete".format(*info), args=[obj.pk])
    if model_admin.has_delete_permission(request, obj):
        assert client.post(delete_url, {"post": "yes"}).status_code == 302
        assert not model._default_manager.filter(pk=obj.pk).exists()
        assert admin_events(obj, "admin_delete").exists()
    else:
        assert client.post(delete_url, {"post": "yes"}).status_code == 403
        assert model._default_manager.filter(pk=obj.pk).exists()


def test_a_manager_making_herself_chair_and_member_in_the_admin_is_on_record(
    client_as, people, committee_in_admin
):
    """The case of issue 15: the audit trail now holds the old and the new chair, and the
    membership she added through the inline."""
    manager = people["manager"]
    committee = committee_in_admin
    url = reverse("admin:committee_committee_change", args=[committee.pk])
    client = client_as(manager)
    data = form_of(client, url, Committee)
    data["chair"] = [str(manager.pk)]
    prefix = next(key for key in data if key.endswith("-TOTAL_FORMS")).removesuffix("-TOTAL_FORMS")
    row = int(data[f"{prefix}-INITIAL_FORMS"][0])
    data[f"{prefix}-{row}-user"] = [str(manager.pk)]
    response = client.post(url, data)
    assert response.status_code == 302, _errors(response)

    change = admin_events(committee, "admin_change").get()
    assert change.actor == manager
    assert change.extra["old"]["chair_id"] == people["chair"].pk
    assert change.extra["new"]["chair_id"] == manager.pk
    membership = Membership.objects.get(committee=committee, user=manager)
    assert admin_events(membership, "admin_add").get().extra["new"]["user_id"] == manager.pk


@pytest.fixture
def committee_in_admin(people, make_staff):
    return committee_with(chair=people["chair"], members=[make_staff(Role.COMMITTEE)])


def test_her_identifiers_changed_in_the_admin_are_named_in_the_trail_but_not_copied(
    client_as, people
):
    """The trail outlives her file's anonymisation: it says that her mobile changed, never what
    it was or became."""
    her = BeneficiaryFactory()
    old_mobile = str(her.mobile)
    url = reverse("admin:beneficiaries_beneficiary_change", args=[her.pk])
    client = client_as(people["manager"])
    data = form_of(client, url, type(her))
    data["mobile"] = ["+966501112233"]
    response = client.post(url, data)
    assert response.status_code == 302, _errors(response)

    change = admin_events(her, "admin_change").get()
    assert change.extra["old"]["mobile"] == change.extra["new"]["mobile"] == "•••"
    assert old_mobile not in str(change.extra)
    assert "501112233" not in str(change.extra)
