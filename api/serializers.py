"""What the API returns and accepts. Output only from objects the apps' selectors read;
identifiers masked by the same rules as the pages (beneficiaries.access)."""

from django.urls import reverse
from rest_framework import serializers

from wahaj.lib.masking import mask_identifier


def _masked(value, show: bool) -> str:
    text = str(value or "")
    return text if show else mask_identifier(text)


class _Masking(serializers.Serializer):
    """Reads `show_identifiers` from the context (the view decides by her role)."""

    def _show(self) -> bool:
        return bool(self.context.get("show_identifiers"))


# --- Beneficiaries ------------------------------------------------------------------------------
class BeneficiaryRowSerializer(_Masking):
    id = serializers.IntegerField()
    file_number = serializers.CharField()
    full_name = serializers.CharField()
    national_id = serializers.SerializerMethodField()
    mobile = serializers.SerializerMethodField()
    city = serializers.CharField()
    marital_status = serializers.CharField()
    registration_status = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_national_id(self, obj) -> str:
        return _masked(obj.national_id, self._show())

    def get_mobile(self, obj) -> str:
        return _masked(obj.mobile, self._show())


class IncomeSerializer(serializers.Serializer):
    source = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class BeneficiarySerializer(BeneficiaryRowSerializer):
    latin_name = serializers.CharField()
    nationality = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    email = serializers.CharField()
    district = serializers.CharField()
    housing = serializers.CharField()
    monthly_rent = serializers.DecimalField(max_digits=12, decimal_places=2)
    iban = serializers.SerializerMethodField()
    debts = serializers.DecimalField(max_digits=12, decimal_places=2)
    intake_channel = serializers.CharField()
    version = serializers.IntegerField()
    categories = serializers.SerializerMethodField()
    income_sources = IncomeSerializer(many=True)

    def get_iban(self, obj) -> str:
        return _masked(obj.iban, self._show())

    def get_categories(self, obj) -> list[str]:
        return [c.category for c in obj.categories.all()]


class BeneficiarySearchSerializer(serializers.Serializer):
    """A search posted in the body: a file number, national ID, mobile or part of a name."""

    q = serializers.CharField(max_length=100)


class HouseholdMemberSerializer(_Masking):
    id = serializers.IntegerField()
    name = serializers.CharField()
    relation = serializers.CharField()
    sex = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    national_id = serializers.SerializerMethodField()
    monthly_income = serializers.DecimalField(max_digits=12, decimal_places=2)
    occupation = serializers.CharField()
    has_disability = serializers.BooleanField()
    health_notes = serializers.CharField()

    def get_national_id(self, obj) -> str:
        return _masked(obj.national_id, self._show())


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    doc_type = serializers.CharField()
    issued_on = serializers.DateField(allow_null=True)
    expires_on = serializers.DateField(allow_null=True)
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    verified_at = serializers.DateTimeField(allow_null=True)
    download = serializers.SerializerMethodField()

    def get_download(self, obj) -> str:
        return reverse("api:document_file", args=[obj.beneficiary_id, obj.pk])


class DocumentUploadSerializer(serializers.Serializer):
    """Checked by the pages' own form (beneficiaries.forms.DocumentForm): type by content,
    PDF/JPEG/PNG, 10 MB at most, her file's quota."""

    doc_type = serializers.CharField()
    issued_on = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)
    file = serializers.FileField()


class ContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.CharField()
    direction = serializers.CharField()
    summary = serializers.CharField()
    staff = serializers.CharField(source="staff.display_name", allow_null=True, default=None)
    occurred_at = serializers.DateTimeField()


class ContactInputSerializer(serializers.Serializer):
    channel = serializers.CharField()
    direction = serializers.CharField()
    summary = serializers.CharField()


class ReferralSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    beneficiary = serializers.IntegerField(source="beneficiary_id")
    reason = serializers.CharField()
    assigned_to = serializers.CharField(
        source="assigned_to.display_name", allow_null=True, default=None
    )
    answer = serializers.CharField()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


class ReferralInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ReferralCloseSerializer(serializers.Serializer):
    answer = serializers.CharField()


# --- Support requests -----------------------------------------------------------------------------
class BeneficiaryBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    file_number = serializers.CharField()
    full_name = serializers.CharField()


class SupportRequestRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(allow_null=True)
    request_type = serializers.CharField()
    channel = serializers.CharField()
    state = serializers.CharField()
    amount_requested = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decision_due_at = serializers.DateTimeField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
    is_overdue = serializers.BooleanField()
    beneficiary = BeneficiaryBriefSerializer()
    researcher = serializers.CharField(
        source="researcher.display_name", allow_null=True, default=None
    )


class SupportRequestSerializer(SupportRequestRowSerializer):
    description = serializers.CharField()
    return_reason = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    approved_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    support_type = serializers.CharField()
    rejection_code = serializers.CharField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True)


class ReturnInputSerializer(serializers.Serializer):
    note = serializers.CharField()


class StartResearchInputSerializer(NoteInputSerializer):
    researcher = serializers.IntegerField(required=False, allow_null=True)


class DeliverInputSerializer(NoteInputSerializer):
    delivery_note = serializers.CharField()
    delivered_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )


class RefusalSerializer(serializers.Serializer):
    """A refused change: the service's message, and what is still missing (if it says)."""

    detail = serializers.CharField()
    missing = serializers.ListField(child=serializers.CharField(), required=False)


class FormErrorsSerializer(serializers.Serializer):
    """A 400: the form's errors by field, or (a body that could not be read) a detail."""

    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    detail = serializers.CharField(required=False)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ResearchReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    support_request = serializers.IntegerField(source="support_request_id")
    author = serializers.CharField(source="author.display_name")
    visit_type = serializers.CharField()
    visit_date = serializers.DateField()
    household_findings = serializers.CharField()
    income_findings = serializers.CharField()
    housing_findings = serializers.CharField()
    health_findings = serializers.CharField()
    needs = serializers.CharField()
    recommendation = serializers.CharField()
    recommended_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    recommended_support_type = serializers.CharField()
    score = serializers.IntegerField()
    score_breakdown = serializers.JSONField()
    completed_at = serializers.DateTimeField(allow_null=True)


# --- The committee ------------------------------------------------------------------------------
class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    committee = serializers.CharField(source="committee.name")
    number = serializers.IntegerField()
    date = serializers.DateField()
    status = serializers.CharField()


class VoteSerializer(serializers.Serializer):
    member = serializers.CharField(source="member.display_name")
    choice = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    comment = serializers.CharField()


class AgendaRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(allow_null=True)
    request_type = serializers.CharField()
    state = serializers.CharField()
    amount_requested = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    decision_due_at = serializers.DateTimeField(allow_null=True)
    beneficiary = BeneficiaryBriefSerializer()


class AgendaItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    support_request = AgendaRequestSerializer()
    recommendation = serializers.CharField(allow_null=True)
    score = serializers.IntegerField(allow_null=True)
    votes = VoteSerializer(many=True)
    outcome = serializers.CharField(allow_null=True)
    decided = serializers.BooleanField()
    deferred = serializers.BooleanField()
    may_vote = serializers.BooleanField()
    may_decide = serializers.BooleanField()


class AgendaSerializer(serializers.Serializer):
    meeting = MeetingSerializer()
    items = AgendaItemSerializer(many=True)


class VoteInputSerializer(serializers.Serializer):
    choice = serializers.CharField()
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    comment = serializers.CharField(required=False, allow_blank=True)


# --- Surveys --------------------------------------------------------------------------------------
class ScoresSerializer(serializers.Serializer):
    """One group's figures; none (withheld) under five answers or when subtracting would
    single out fewer (surveys.selectors.publishable)."""

    responses = serializers.SerializerMethodField()
    csat = serializers.FloatField(allow_null=True)
    nps = serializers.IntegerField(allow_null=True)
    withheld = serializers.SerializerMethodField()

    def get_responses(self, obj) -> int | None:
        # The count of a withheld group is itself a figure: the page does not show it either.
        return None if obj.too_few else obj.responses

    def get_withheld(self, obj) -> bool:
        return obj.too_few


class BreakdownRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    scores = ScoresSerializer()


class SurveyResultsSerializer(serializers.Serializer):
    period = serializers.CharField()
    overall = ScoresSerializer()
    sent = serializers.IntegerField()
    answered = serializers.IntegerField()
    breakdowns = serializers.DictField(child=BreakdownRowSerializer(many=True))


# --- Tickets (feedback) -----------------------------------------------------------------------
class TicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    channel = serializers.CharField()
    category = serializers.CharField()
    priority = serializers.CharField()
    state = serializers.CharField()
    text = serializers.CharField()
    beneficiary = BeneficiaryBriefSerializer(allow_null=True)
    contact_name = serializers.CharField()
    assignee = serializers.CharField(source="assignee.display_name", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


# --- The public status lookup -------------------------------------------------------------------
class StatusInputSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=40)
    national_id = serializers.CharField(max_length=40)


class StatusStepSerializer(serializers.Serializer):
    label = serializers.CharField()
    status = serializers.CharField()
    at = serializers.DateTimeField(allow_null=True)


class StatusSerializer(serializers.Serializer):
    reference = serializers.CharField()
    state = serializers.CharField()
    plain_state = serializers.CharField()
    next_step = serializers.CharField()
    decision_due_at = serializers.DateTimeField(allow_null=True)
    steps = StatusStepSerializer(many=True)


# --- The gateway's delivery receipts -------------------------------------------------------------
class ReceiptSerializer(serializers.Serializer):
    """The fields the gateways send (any one spelling of each): message id, status, code."""

    message_id = serializers.CharField(required=False)
    status = serializers.CharField(required=False)
    code = serializers.CharField(required=False)


class ReceiptResultSerializer(serializers.Serializer):
    updated = serializers.BooleanField()
