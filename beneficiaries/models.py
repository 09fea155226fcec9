"""The beneficiary file (SPEC §2): who she is, her household, documents, contacts, referrals."""

import uuid
from datetime import date, timedelta
from pathlib import PurePath

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from audit.models import Event
from wahaj.lib.choices import Channel
from wahaj.lib.fields import (
    EncryptedCharField,
    EncryptedEmailField,
    EncryptedPhoneNumberField,
    EncryptedTextField,
    LookupHashField,
    LookupHashModel,
    LookupHashQuerySet,
)
from wahaj.lib.validators import (
    bank_name_for_iban,
    validate_iban,
    validate_national_id,
    validate_saudi_mobile,
)

MONEY = {"max_digits": 12, "decimal_places": 2}
# A social-security or pension statement (مشهد) is accepted only while under three months old.
STATEMENT_MAX_AGE = timedelta(days=90)


class MaritalStatus(models.TextChoices):
    MARRIED = "married", _("Married")
    WIDOW = "widow", _("Widow")
    DIVORCED = "divorced", _("Divorced")
    SUSPENDED = "suspended", _("Suspended (muallaqa)")
    DESERTED = "deserted", _("Deserted (mahjura)")
    SINGLE = "single", _("Single")


class Category(models.TextChoices):
    ORPHANS = "orphans", _("Orphans' family")
    PRISONER = "prisoner", _("Prisoner's family")
    DISABILITY = "disability", _("Disability")
    ELDERLY = "elderly", _("Elderly")
    CHRONIC_ILLNESS = "chronic_illness", _("Chronic illness")
    NON_SAUDI = "non_saudi", _("Non-Saudi resident")


class Housing(models.TextChoices):
    OWNED = "owned", _("Owned")
    RENTED = "rented", _("Rented")
    FAMILY = "family", _("With family")
    CHARITY = "charity", _("Charity housing")
    OTHER = "other", _("Other")


class RegistrationStatus(models.TextChoices):
    """Policy step 6: the file is complete once its requirements hold (services.
    beneficiary_registration_complete); "active" is the stored value of a complete file."""

    INCOMPLETE = "incomplete", _("Incomplete")
    ACTIVE = "active", _("Complete")
    SUSPENDED = "suspended", _("Suspended")


class Nationality(models.TextChoices):
    SAUDI = "SA", _("Saudi")
    YEMENI = "YE", _("Yemeni")
    EGYPTIAN = "EG", _("Egyptian")
    SYRIAN = "SY", _("Syrian")
    SUDANESE = "SD", _("Sudanese")
    JORDANIAN = "JO", _("Jordanian")
    PAKISTANI = "PK", _("Pakistani")
    INDIAN = "IN", _("Indian")
    OTHER = "XX", _("Other")


class PreferredChannel(models.TextChoices):
    """How notifications reach her (notifications.services.message_queue's `channel`)."""

    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class BeneficiaryQuerySet(LookupHashQuerySet):
    """`update()` fires no signal and skips the services: it records itself, per file."""

    _audit_actor = None

    def by(self, actor) -> "BeneficiaryQuerySet":
        """Name who makes the bulk change (else the audit records the system)."""
        clone = self._chain()
        clone._audit_actor = actor
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._audit_actor = self._audit_actor
        return clone

    def update(self, **kwargs) -> int:
        """One `bulk_update` audit event per file changed, in the update's transaction."""
        actor = self._audit_actor
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            if pks:
                content_type = ContentType.objects.get_for_model(self.model)
                is_user = actor is not None and actor.is_authenticated
                Event.objects.bulk_create(
                    [
                        Event(
                            actor=actor if is_user else None,
                            actor_kind=Event.ActorKind.STAFF if is_user else Event.ActorKind.SYSTEM,
                            actor_role=actor.primary_role if is_user else "",
                            content_type=content_type,
                            object_id=pk,
                            verb="bulk_update",
                            extra={"fields": sorted(kwargs), "count": count},
                        )
                        for pk in pks
                    ]
                )
        return count


class Beneficiary(LookupHashModel, models.Model):
    file_number = models.CharField(_("file number"), max_length=16, unique=True, editable=False)
    full_name = models.CharField(_("full name (four parts)"), max_length=200)
    latin_name = models.CharField(_("name in Latin letters"), max_length=200, blank=True)
    # Her identifiers, contacts, IBAN and health notes are stored encrypted (wahaj/lib/fields.py);
    # the *_hash columns find them: the unique national ID, the search by mobile.
    national_id = EncryptedCharField(
        _("national ID or iqama"),
        max_length=10,
        validators=[validate_national_id],
        help_text=_("10 digits: 1… for a citizen, 2… for a resident."),
    )
    national_id_hash = LookupHashField(source="national_id")
    nationality = models.CharField(
        _("nationality"), max_length=2, choices=Nationality.choices, default=Nationality.SAUDI
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    marital_status = models.CharField(
        _("marital status"), max_length=16, choices=MaritalStatus.choices
    )
    mobile = EncryptedPhoneNumberField(
        _("mobile"),
        region="SA",
        validators=[validate_saudi_mobile],
        help_text=_("Saudi mobile, e.g. 05XXXXXXXX."),
    )
    mobile_hash = LookupHashField(source="mobile")
    phone2 = EncryptedPhoneNumberField(_("second phone"), region="SA", blank=True)
    email = EncryptedEmailField(_("e-mail"), blank=True)
    city = models.CharField(_("city"), max_length=64)
    district = models.CharField(_("district"), max_length=64, blank=True)
    national_address = models.CharField(
        _("national address"),
        max_length=200,
        blank=True,
        help_text=_("Short address (e.g. RRRD2929) or building, street, postal code."),
    )
    housing = models.CharField(_("housing"), max_length=16, choices=Housing.choices)
    monthly_rent = models.DecimalField(_("monthly rent"), **MONEY, default=0)
    iban = EncryptedCharField(
        _("IBAN"),
        max_length=24,
        blank=True,
        validators=[validate_iban],
        help_text=_("SA followed by 22 digits."),
    )
    debts = models.DecimalField(_("debts"), **MONEY, default=0)
    health_notes = EncryptedTextField(_("health notes"), blank=True)
    registration_status = models.CharField(
        _("registration status"),
        max_length=16,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.INCOMPLETE,
    )
    intake_channel = models.CharField(_("intake channel"), max_length=24, choices=Channel.choices)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=settings.LANGUAGES, default="ar"
    )
    preferred_channel = models.CharField(
        _("preferred channel"),
        max_length=8,
        choices=PreferredChannel.choices,
        default=PreferredChannel.SMS,
    )
    # Optimistic lock: every save through beneficiaries.services increments it; a form
    # carrying an older version is refused (no silent overwrite of a colleague's edit).
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # PDPL retention: a legal hold keeps her file whole past RETENTION_YEARS; anonymised_at
    # is when `apply_retention` replaced her identifiers (statistics kept).
    legal_hold = models.BooleanField(
        _("legal hold"),
        default=False,
        db_default=False,  # bulk loaders (seed_demo's COPY) name only the columns they fill
        help_text=_("Keep this file whole beyond the retention period (a legal case is open)."),
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)

    objects = BeneficiaryQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")
        ordering = ["-created_at", "-pk"]
        permissions = [("import_beneficiary", _("Can import beneficiaries from a spreadsheet"))]
        constraints = [
            models.CheckConstraint(condition=Q(monthly_rent__gte=0), name="ben_rent_gte_0"),
            models.CheckConstraint(condition=Q(debts__gte=0), name="ben_debts_gte_0"),
            # One file per national ID, kept by its lookup hash (the ID itself is encrypted).
            models.UniqueConstraint(fields=["national_id_hash"], name="ben_national_id_unique"),
        ]
        indexes = [
            # The duplicate guard and the list's search by mobile.
            models.Index(fields=["mobile_hash"], name="ben_mobile_hash"),
            # The list page: newest first, filtered by status.
            models.Index(fields=["registration_status", "-created_at"], name="ben_status_created"),
            models.Index(fields=["-created_at", "-id"], name="ben_created"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.file_number})"

    @property
    def bank_name(self) -> str:
        return bank_name_for_iban(self.iban) if self.iban else ""


class BeneficiaryCategory(models.Model):
    """One of her categories (a file has several; a row each so lists can filter on it)."""

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.CASCADE, related_name="categories"
    )
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["beneficiary", "category"], name="ben_category_once")
        ]
        # The list's filter by category.
        indexes = [models.Index(fields=["category", "beneficiary"], name="ben_category_filter")]

    def __str__(self) -> str:
        return self.get_category_display()


class IncomeSource(models.Model):
    class Source(models.TextChoices):
        SOCIAL_SECURITY = "social_security", _("Social security")
        PENSION = "pension", _("Pension")
        SALARY = "salary", _("Salary")
        ALIMONY = "alimony", _("Alimony")
        CITIZEN_ACCOUNT = "citizen_account", _("Citizen account")
        GOSI = "gosi", _("GOSI")
        OTHER = "other", _("Other")

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.CASCADE, related_name="income_sources"
    )
    source = models.CharField(_("income source"), max_length=24, choices=Source.choices)
    amount = models.DecimalField(_("monthly amount"), **MONEY)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("income source")
        verbose_name_plural = _("income sources")
        constraints = [
            models.UniqueConstraint(fields=["beneficiary", "source"], name="ben_income_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="ben_income_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.amount}"


class HouseholdMember(LookupHashModel, models.Model):
    class Relation(models.TextChoices):
        SON = "son", _("Son")
        DAUGHTER = "daughter", _("Daughter")
        HUSBAND = "husband", _("Husband")
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        SISTER = "sister", _("Sister")
        BROTHER = "brother", _("Brother")
        GRANDCHILD = "grandchild", _("Grandchild")
        OTHER = "other", _("Other")

    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    class Occupation(models.TextChoices):
        CHILD = "child", _("Not yet at school")
        STUDENT = "student", _("Student")
        EMPLOYED = "employed", _("Employed")
        UNEMPLOYED = "unemployed", _("Unemployed")
        RETIRED = "retired", _("Retired")
        UNABLE = "unable", _("Unable to work")

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="household")
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    national_id = EncryptedCharField(
        _("national ID or iqama"),
        max_length=10,
        blank=True,
        validators=[validate_national_id],
        help_text=_("Optional for infants."),
    )
    national_id_hash = LookupHashField(source="national_id")
    monthly_income = models.DecimalField(_("monthly income"), **MONEY, default=0)
    occupation = models.CharField(
        _("education / work"), max_length=16, choices=Occupation.choices, blank=True
    )
    has_disability = models.BooleanField(_("disability"), default=False)
    health_notes = EncryptedCharField(_("health"), max_length=200, blank=True)

    objects = LookupHashQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_income__gte=0), name="ben_member_income_gte_0"
            )
        ]
        # The duplicate guard: a member's ID already on another file.
        indexes = [models.Index(fields=["national_id_hash"], name="ben_member_national_id_hash")]

    def __str__(self) -> str:
        return self.name


def _document_path(instance: "Document", filename: str) -> str:
    """A random name: the uploaded name (often her own name or ID) never reaches the disk."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Document(models.Model):
    class DocType(models.TextChoices):
        NATIONAL_ID = "national_id", _("National ID")
        FAMILY_CARD = "family_card", _("Family card")
        STATEMENT = "statement", _("Social-security or pension statement (mashhad)")
        HOUSING = "housing", _("Electronic lease, deed or electricity bill")
        IBAN_LETTER = "iban_letter", _("Bank IBAN letter")
        DEATH_CERTIFICATE = "death_certificate", _("Death certificate")
        HEIRS_DEED = "heirs_deed", _("Heirs deed")
        CUSTODY_DEED = "custody_deed", _("Custody deed")
        MEDICAL_REPORT = "medical_report", _("Medical report")
        SCHOOL_LETTER = "school_letter", _("School letter")
        OTHER = "other", _("Other")

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("document type"), max_length=24, choices=DocType.choices)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=_document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # A member of staff matched it against the original (policy step 2); registration needs
    # her identity documents verified. None: not checked yet (e.g. uploaded in the portal).
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("verified by"),
        editable=False,
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.get_doc_type_display()

    def expired_on(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        if self.expires_on and self.expires_on < today:
            return True
        return bool(
            self.doc_type == self.DocType.STATEMENT
            and self.issued_on
            and self.issued_on < today - STATEMENT_MAX_AGE
        )

    @property
    def is_expired(self) -> bool:
        """Past its expiry date, or a statement (مشهد) older than three months."""
        return self.expired_on()


class Contact(models.Model):
    class Direction(models.TextChoices):
        INCOMING = "in", _("From her")
        OUTGOING = "out", _("To her")

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="contacts")
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, default=Direction.INCOMING
    )
    summary = models.TextField(_("summary"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("staff member"),
    )
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.occurred_at:%Y-%m-%d}"


class Referral(models.Model):
    """Policy step 3: she is referred to the social-research officer when procedures are unclear."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="referrals")
    reason = models.TextField(_("reason"))
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("referred by"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals_assigned",
        verbose_name=_("researcher"),
    )
    answer = models.TextField(_("answer"), blank=True)
    created_at = models.DateTimeField(_("referred at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # A researcher's open referrals on her dashboard.
            models.Index(
                fields=["assigned_to", "created_at"],
                condition=Q(closed_at__isnull=True),
                name="ben_referral_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary_id}: {self.reason[:40]}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


# The privacy notice she is shown at registration (PDPL art. 12): the version is recorded with
# her consent, so a later change of wording never rewrites what she agreed to.
PRIVACY_NOTICE_VERSION = "2026-01"
PRIVACY_NOTICE_AR = (
    "تجمع جمعية وهج النسائية الخيرية بياناتك الشخصية (الهوية، التواصل، الأسرة، الدخل، السكن، "
    "الحالة الصحية والمستندات) لغرض دراسة طلبات الدعم وتقديم الخدمة ومتابعتها وقياس رضاك عنها، "
    "ولا تُطلع عليها إلا موظفات الجمعية ولجنة البحث المختصة، ولا تُشارك مع جهة أخرى إلا بنظام. "
    "تُحفظ بياناتك مدة ملفك ثم عدداً من السنوات بعد إغلاقه ثم تُجهَّل. لكِ حق الاطلاع على بياناتك "
    "وتنزيلها من البوابة وطلب تصحيحها، ويُرد على طلبك خلال ثلاثين يوماً."
)


class ConsentPurpose(models.TextChoices):
    SERVICE = "service", _("Studying her requests and providing the service")
    CONTACT = "contact", _("Contacting her by SMS or e-mail about her requests")
    SURVEY = "survey", _("Measuring her satisfaction")


class Consent(models.Model):
    """Her consent to the processing of her data for one purpose, under one notice version."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    notice_version = models.CharField(_("privacy notice version"), max_length=16)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    via = models.CharField(_("given through"), max_length=16, default="staff")
    # Withdrawn (PDPL: she may withdraw consent at any time): by her in the portal (withdrawn_by
    # None) or by staff, who record her words; what depends on the purpose stops (surveys).
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("withdrawal recorded by"),
    )
    withdrawal_note = models.TextField(_("her words"), blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["given_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary", "purpose", "notice_version"], name="ben_consent_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary_id} {self.purpose} {self.notice_version}"


# The one FileAccess trigger retention may ignore: it blanks the address of who opened her file.
FILE_ACCESS_PERSONAL_TRIGGER = "file_access_personal"


class FileAccess(models.Model):
    """Who opened whose file or document, and when (PDPL: access to personal data is recorded).

    Kept apart from the audit trail: viewing is not a change of the case, and a busy desk opens
    files hundreds of times a day.
    """

    class Kind(models.TextChoices):
        FILE = "file", _("Opened the file")
        DOCUMENT = "document", _("Downloaded a document")
        EDIT = "edit", _("Opened the edit form")
        PAGE = "page", _("Opened a page with her data")
        DOWNLOAD = "download", _("Downloaded her data")

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="accesses")
    # None: she opened it herself (portal session).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=32, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What was opened: the URL name (never the query string, which may carry identifiers).
    view_name = models.CharField(_("page"), max_length=80, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("file access")
        verbose_name_plural = _("file accesses")
        ordering = ["-at"]
        indexes = [models.Index(fields=["beneficiary", "-at"], name="ben_access_time")]
        # Who opened her file is a record PostgreSQL keeps (issue 19; installed by `migrate`,
        # see PGTRIGGER_INSTALL_ON_MIGRATE): no row is deleted, no fact of a row changes, a
        # document link may only become NULL (its document was deleted), and the address is
        # blanked only by retention (privacy.services, under pgtrigger.ignore of that trigger).
        triggers = [
            pgtrigger.Protect(name="file_access_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="file_access_facts",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange(exclude=["ip_address", "document"]),
            ),
            pgtrigger.Protect(
                name="file_access_document",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(
                    new__document__isnull=False, old__document__df=pgtrigger.F("new__document")
                ),
            ),
            pgtrigger.Protect(
                name=FILE_ACCESS_PERSONAL_TRIGGER,
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange("ip_address"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.beneficiary_id}"


class FileNumberCounter(models.Model):
    """The last file number handed out (one row), so numbers are gap-free B-000123 on any DB."""

    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("file number counter")

    def __str__(self) -> str:
        return f"B-{self.last:06d}"
