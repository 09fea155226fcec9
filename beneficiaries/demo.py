"""Synthetic Arabic beneficiaries for `seed_demo` (names generated, never real people).

Every national ID, mobile and IBAN is valid (checksums) and unique, derived from the row's
index so that a second run continues where the first stopped (idempotent: it only tops up to
`--beneficiaries`). Rows go in with bulk_create in batches: 100,000 files with their households
take well under two minutes on PostgreSQL.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from wahaj.lib.choices import Channel
from wahaj.lib.validators import iban_with_checksum, national_id_checksum_ok

from .models import (
    Beneficiary,
    BeneficiaryCategory,
    Category,
    Contact,
    HouseholdMember,
    Housing,
    IncomeSource,
    MaritalStatus,
    Nationality,
    Referral,
)
from .services import file_numbers_allocate

BATCH = 5000
FIRST_NAMES = [
    "نورة",
    "سارة",
    "فاطمة",
    "مريم",
    "هيا",
    "لطيفة",
    "منيرة",
    "الجوهرة",
    "العنود",
    "ريم",
    "أمل",
    "عبير",
    "منى",
    "هند",
    "نوف",
    "حصة",
    "موضي",
    "شيخة",
    "دلال",
    "أسماء",
    "خديجة",
    "عائشة",
    "رقية",
    "سلمى",
    "بدرية",
    "جواهر",
    "غادة",
    "وفاء",
    "سميرة",
    "ابتسام",
]
MALE_NAMES = [
    "محمد",
    "عبدالله",
    "عبدالرحمن",
    "سعد",
    "فهد",
    "خالد",
    "سلطان",
    "ناصر",
    "صالح",
    "علي",
    "أحمد",
    "إبراهيم",
    "حمد",
    "راشد",
    "سليمان",
    "عبدالعزيز",
    "تركي",
    "ماجد",
    "فيصل",
    "عمر",
    "يوسف",
    "منصور",
    "بندر",
    "مشعل",
]
FAMILY_NAMES = [
    "العتيبي",
    "القحطاني",
    "الدوسري",
    "الشهري",
    "الغامدي",
    "الزهراني",
    "المطيري",
    "الحربي",
    "العنزي",
    "الشمري",
    "السبيعي",
    "البقمي",
    "الرشيدي",
    "السهلي",
    "العمري",
    "المالكي",
    "الجهني",
    "البلوي",
    "الأحمدي",
    "الشمراني",
]
DAUGHTER_NAMES = ["جود", "لين", "رزان", "شهد", "ليان", "ريناد", "جنى", "تالا"]
SON_NAMES = ["عبدالله", "محمد", "فيصل", "عبدالعزيز", "سعود", "نايف", "زياد", "مهند"]
CITIES = {
    "الرياض": ["النسيم", "الشفا", "السويدي", "العزيزية", "الروضة"],
    "جدة": ["الصفا", "الربوة", "البوادي", "الفيصلية"],
    "مكة المكرمة": ["العوالي", "الشرائع", "الزاهر"],
    "الدمام": ["الفيصلية", "الريان", "العنود"],
    "أبها": ["المنسك", "الخالدية"],
}
BANKS = ["80", "10", "20", "05", "15", "30", "45", "55", "60", "65"]
MARITAL_WEIGHTS = {
    MaritalStatus.WIDOW: 30,
    MaritalStatus.DIVORCED: 30,
    MaritalStatus.SUSPENDED: 8,
    MaritalStatus.DESERTED: 7,
    MaritalStatus.MARRIED: 15,
    MaritalStatus.SINGLE: 10,
}
# An invertible step (coprime with 10^8) spreads demo mobiles over the whole 05X range.
MOBILE_STEP = 7919


def national_id_for(index: int) -> str:
    prefix = "2" if index % 12 == 0 else "1"  # about one resident in twelve
    partial = f"{prefix}{30_000_000 + index:08d}"
    return next(partial + d for d in "0123456789" if national_id_checksum_ok(partial + d))


def mobile_for(index: int) -> str:
    return f"+9665{(index * MOBILE_STEP + 12_345) % 100_000_000:08d}"


def _name(rng: random.Random) -> str:
    return " ".join([rng.choice(FIRST_NAMES), *rng.sample(MALE_NAMES, 2), rng.choice(FAMILY_NAMES)])


def _beneficiary(rng: random.Random, index: int, file_number: str, now) -> Beneficiary:
    city = rng.choice(list(CITIES))
    marital = rng.choices(list(MARITAL_WEIGHTS), weights=list(MARITAL_WEIGHTS.values()))[0]
    housing = rng.choices(list(Housing), weights=[15, 55, 20, 5, 5])[0]
    resident = national_id_for(index).startswith("2")
    return Beneficiary(
        file_number=file_number,
        full_name=_name(rng),
        national_id=national_id_for(index),
        nationality=Nationality.YEMENI if resident else Nationality.SAUDI,
        date_of_birth=date(1950, 1, 1) + timedelta(days=rng.randrange(20_000)),
        marital_status=marital,
        mobile=mobile_for(index),
        city=city,
        district=rng.choice(CITIES[city]),
        housing=housing,
        monthly_rent=Decimal(rng.randrange(8, 40) * 100) if housing == Housing.RENTED else 0,
        iban=iban_with_checksum(rng.choice(BANKS), f"{index:018d}"),
        debts=Decimal(rng.choice([0, 0, 0, 5000, 12000, 30000])),
        registration_status=rng.choices(["active", "incomplete", "suspended"], [80, 17, 3])[0],
        intake_channel=rng.choices(list(Channel), weights=[40, 20, 8, 3, 12, 2, 12, 3])[0],
        created_at=now - timedelta(days=rng.randrange(3 * 365), minutes=rng.randrange(1440)),
    )


def _household(rng: random.Random, beneficiary: Beneficiary) -> list[HouseholdMember]:
    members = []
    for _ in range(rng.choices(range(7), weights=[10, 15, 20, 20, 15, 12, 8])[0]):
        daughter = rng.random() < 0.5
        age_days = rng.randrange(365, 25 * 365)
        adult = age_days > 18 * 365
        members.append(
            HouseholdMember(
                beneficiary=beneficiary,
                name=f"{rng.choice(DAUGHTER_NAMES if daughter else SON_NAMES)} "
                f"{beneficiary.full_name.split()[-1]}",
                relation="daughter" if daughter else "son",
                sex="F" if daughter else "M",
                date_of_birth=timezone.localdate() - timedelta(days=age_days),
                monthly_income=Decimal(rng.choice([0, 0, 0, 3000, 4500])) if adult else 0,
                occupation=("employed" if rng.random() < 0.3 else "unemployed")
                if adult
                else "student",
                has_disability=rng.random() < 0.05,
            )
        )
    return members


def _income(rng: random.Random, beneficiary: Beneficiary) -> list[IncomeSource]:
    sources = rng.sample(
        ["social_security", "citizen_account", "pension", "alimony", "salary"],
        rng.choices([0, 1, 2, 3], weights=[10, 40, 35, 15])[0],
    )
    return [
        IncomeSource(beneficiary=beneficiary, source=s, amount=Decimal(rng.randrange(3, 40) * 100))
        for s in sources
    ]


def _categories(rng: random.Random, beneficiary: Beneficiary) -> list[BeneficiaryCategory]:
    chosen = set()
    if beneficiary.marital_status == MaritalStatus.WIDOW and rng.random() < 0.7:
        chosen.add(Category.ORPHANS)
    if beneficiary.nationality != Nationality.SAUDI:
        chosen.add(Category.NON_SAUDI)
    if rng.random() < 0.15:
        chosen.add(rng.choice([Category.CHRONIC_ILLNESS, Category.DISABILITY, Category.ELDERLY]))
    if rng.random() < 0.03:
        chosen.add(Category.PRISONER)
    return [BeneficiaryCategory(beneficiary=beneficiary, category=c) for c in chosen]


def _batch(rng: random.Random, start: int, count: int, staff: list[User]) -> None:
    now = timezone.now()
    with transaction.atomic():
        numbers = file_numbers_allocate(count)
        beneficiaries = Beneficiary.objects.bulk_create(
            [_beneficiary(rng, start + i, numbers[i], now) for i in range(count)]
        )
        members, income, categories, contacts = [], [], [], []
        for b in beneficiaries:
            members += _household(rng, b)
            income += _income(rng, b)
            categories += _categories(rng, b)
            contacts.append(
                Contact(
                    beneficiary=b,
                    channel=b.intake_channel,
                    summary="سُجّلت عند الاستقبال.",
                    staff=rng.choice(staff) if staff else None,
                    occurred_at=b.created_at,
                )
            )
        HouseholdMember.objects.bulk_create(members, batch_size=BATCH)
        IncomeSource.objects.bulk_create(income, batch_size=BATCH)
        BeneficiaryCategory.objects.bulk_create(categories, batch_size=BATCH)
        Contact.objects.bulk_create(contacts, batch_size=BATCH)


def _referrals(rng: random.Random) -> None:
    """A few open referrals for the demo researcher's dashboard (once)."""
    researcher = User.objects.filter(username="researcher").first()
    intake = User.objects.filter(username="intake").first()
    if researcher is None or Referral.objects.exists():
        return
    reasons = [
        "لم تتضح لها متطلبات طلب دعم الإيجار.",
        "تسأل عن المستندات المطلوبة لطلب المساعدة العلاجية.",
        "تستفسر عن مدة دراسة الطلب لدى لجنة البحث.",
    ]
    for beneficiary in Beneficiary.objects.order_by("-created_at")[:5]:
        Referral.objects.create(
            beneficiary=beneficiary,
            reason=rng.choice(reasons),
            referred_by=intake,
            assigned_to=researcher,
        )


def seed(stdout, options: dict) -> None:
    wanted = int(options.get("beneficiaries") or 0)
    rng = random.Random(options.get("seed", 2026))
    existing = Beneficiary.objects.count()
    missing = max(0, wanted - existing)
    staff = list(User.objects.filter(username__in=["intake", "researcher", "manager"]))
    started = timezone.now()
    for start in range(existing, existing + missing, BATCH):
        rng.seed(f"{options.get('seed', 2026)}:{start}")  # each batch repeatable on its own
        _batch(rng, start, min(BATCH, existing + missing - start), staff)
    _referrals(rng)
    seconds = (timezone.now() - started).total_seconds()
    stdout.write(
        f"Beneficiaries: {missing} created in {seconds:.1f} s ({existing + missing} on file)."
    )
