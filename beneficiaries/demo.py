"""Synthetic Arabic beneficiaries for `seed_demo` (names generated, never real people).

Every national ID, mobile and IBAN is valid (checksums) and unique, derived from the row's
index so that a second run continues where the first stopped (idempotent: it only tops up to
`--beneficiaries`).

Rows are generated as plain tuples and written in batches of 5,000 (`wahaj.lib.bulk`: COPY on
PostgreSQL, else bulk_create), all in one transaction so that the foreign keys are checked once
at the end. Measured on this machine, bulk_create spent most of its time building and adapting
model instances (about 3 ms per file with its household: 5 minutes for 100,000); COPY of the
same tuples takes a small fraction of that.
"""

import random
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from wahaj.lib.bulk import copy_rows, foreign_keys_checked_once, ids_reserve
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
# Mobile prefixes the numbering plan allows (052 is unassigned), and an invertible step
# (coprime with their count × 10^7) that spreads demo mobiles over them without repeats.
MOBILE_PREFIXES = ["50", "51", "53", "54", "55", "56", "57", "58", "59"]
MOBILE_STEP = 7919
CHANNELS = [c.value for c in Channel]
CHANNEL_WEIGHTS = [40, 20, 8, 3, 12, 2, 12, 3]
HOUSINGS = [h.value for h in Housing]
MARITALS = [m.value for m in MARITAL_WEIGHTS]
SOURCES = ["social_security", "citizen_account", "pension", "alimony", "salary"]

BENEFICIARY_COLUMNS = [
    "file_number", "full_name", "latin_name", "national_id", "nationality", "date_of_birth",
    "marital_status", "mobile", "phone2", "email", "city", "district", "national_address",
    "housing", "monthly_rent", "iban", "debts", "health_notes", "registration_status",
    "intake_channel", "preferred_language", "preferred_channel", "version", "created_at",
    "updated_at",
]  # fmt: skip
MEMBER_COLUMNS = [
    "beneficiary_id", "name", "relation", "sex", "date_of_birth", "national_id",
    "monthly_income", "occupation", "has_disability", "health_notes",
]  # fmt: skip
INCOME_COLUMNS = ["beneficiary_id", "source", "amount"]
CATEGORY_COLUMNS = ["beneficiary_id", "category"]
CONTACT_COLUMNS = ["beneficiary_id", "channel", "direction", "summary", "staff_id", "occurred_at"]


def national_id_for(index: int) -> str:
    prefix = "2" if index % 12 == 0 else "1"  # about one resident in twelve
    partial = f"{prefix}{30_000_000 + index:08d}"
    return next(partial + d for d in "0123456789" if national_id_checksum_ok(partial + d))


def mobile_for(index: int) -> str:
    slot = (index * MOBILE_STEP + 12_345) % (len(MOBILE_PREFIXES) * 10_000_000)
    return f"+966{MOBILE_PREFIXES[slot // 10_000_000]}{slot % 10_000_000:07d}"


def _name(rng: random.Random) -> str:
    return " ".join([rng.choice(FIRST_NAMES), *rng.sample(MALE_NAMES, 2), rng.choice(FAMILY_NAMES)])


def _beneficiary_row(rng: random.Random, index: int, file_number: str, now: datetime) -> tuple:
    city = rng.choice(list(CITIES))
    housing = rng.choices(HOUSINGS, weights=[15, 55, 20, 5, 5])[0]
    national_id = national_id_for(index)
    created = now - timedelta(days=rng.randrange(3 * 365), minutes=rng.randrange(1440))
    return (
        file_number,
        _name(rng),
        "",
        national_id,
        Nationality.YEMENI.value if national_id[0] == "2" else Nationality.SAUDI.value,
        date(1950, 1, 1) + timedelta(days=rng.randrange(20_000)),
        rng.choices(MARITALS, weights=list(MARITAL_WEIGHTS.values()))[0],
        mobile_for(index),
        "",
        "",
        city,
        rng.choice(CITIES[city]),
        "",
        housing,
        rng.randrange(8, 40) * 100 if housing == Housing.RENTED else 0,
        iban_with_checksum(rng.choice(BANKS), f"{index:018d}"),
        rng.choice([0, 0, 0, 5000, 12000, 30000]),
        "",
        rng.choices(["active", "incomplete", "suspended"], [80, 17, 3])[0],
        rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0],
        "ar",
        "sms",
        1,
        created,
        created,
    )


def _member_rows(rng: random.Random, pk: int, family: str, today: date) -> list[tuple]:
    rows = []
    for _ in range(rng.choices(range(7), weights=[10, 15, 20, 20, 15, 12, 8])[0]):
        daughter = rng.random() < 0.5
        age_days = rng.randrange(365, 25 * 365)
        adult = age_days > 18 * 365
        occupation = "student"
        if adult:
            occupation = "employed" if rng.random() < 0.3 else "unemployed"
        rows.append(
            (
                pk,
                f"{rng.choice(DAUGHTER_NAMES if daughter else SON_NAMES)} {family}",
                "daughter" if daughter else "son",
                "F" if daughter else "M",
                today - timedelta(days=age_days),
                "",
                rng.choice([0, 0, 0, 3000, 4500]) if adult else 0,
                occupation,
                rng.random() < 0.05,
                "",
            )
        )
    return rows


def _income_rows(rng: random.Random, pk: int) -> list[tuple]:
    count = rng.choices([0, 1, 2, 3], weights=[10, 40, 35, 15])[0]
    return [(pk, source, rng.randrange(3, 40) * 100) for source in rng.sample(SOURCES, count)]


def _category_rows(rng: random.Random, pk: int, marital: str, nationality: str) -> list[tuple]:
    chosen = set()
    if marital == MaritalStatus.WIDOW and rng.random() < 0.7:
        chosen.add(Category.ORPHANS.value)
    if nationality != Nationality.SAUDI:
        chosen.add(Category.NON_SAUDI.value)
    if rng.random() < 0.15:
        chosen.add(rng.choice(["chronic_illness", "disability", "elderly"]))
    if rng.random() < 0.03:
        chosen.add(Category.PRISONER.value)
    return [(pk, category) for category in sorted(chosen)]


def _batch(rng: random.Random, start: int, count: int, staff_ids: list[int]) -> None:
    now = timezone.now()
    today = timezone.localdate()
    numbers = file_numbers_allocate(count)
    ids = ids_reserve(Beneficiary, count)
    rows = []

    def files():
        # Built while PostgreSQL inserts the rows already sent; kept for their households.
        for i in range(count):
            row = (ids[i], *_beneficiary_row(rng, start + i, numbers[i], now))
            rows.append(row)
            yield row

    copy_rows(Beneficiary, ["id", *BENEFICIARY_COLUMNS], files())
    income, categories, contacts = [], [], []

    def households():
        for pk, _file_number, name, *row in rows:
            yield from _member_rows(rng, pk, name.rsplit(" ", 1)[-1], today)
            income.extend(_income_rows(rng, pk))
            categories.extend(_category_rows(rng, pk, row[4], row[2]))
            staff = rng.choice(staff_ids) if staff_ids else None
            contacts.append((pk, row[17], "in", "سُجّلت عند الاستقبال.", staff, row[21]))

    copy_rows(HouseholdMember, MEMBER_COLUMNS, households())
    copy_rows(IncomeSource, INCOME_COLUMNS, income)
    copy_rows(BeneficiaryCategory, CATEGORY_COLUMNS, categories)
    copy_rows(Contact, CONTACT_COLUMNS, contacts)


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
    seed_value = options.get("seed", 2026)
    rng = random.Random(seed_value)
    existing = Beneficiary.objects.count()
    missing = max(0, wanted - existing)
    staff_ids = list(
        User.objects.filter(username__in=["intake", "researcher", "manager"]).values_list(
            "pk", flat=True
        )
    )
    started = timezone.now()
    children = [HouseholdMember, IncomeSource, BeneficiaryCategory, Contact]
    with transaction.atomic(), foreign_keys_checked_once(*children):
        for start in range(existing, existing + missing, BATCH):
            rng.seed(f"{seed_value}:{start}")  # each batch repeatable on its own
            _batch(rng, start, min(BATCH, existing + missing - start), staff_ids)
    _referrals(rng)
    seconds = (timezone.now() - started).total_seconds()
    stdout.write(
        f"Beneficiaries: {missing} created in {seconds:.1f} s ({existing + missing} on file)."
    )
