"""POST data for the intake form, as a desk would fill it."""

HOUSEHOLD_MANAGEMENT = {
    "household-TOTAL_FORMS": "2",
    "household-INITIAL_FORMS": "0",
    "household-MIN_NUM_FORMS": "0",
    "household-MAX_NUM_FORMS": "30",
}


def registration_data(**overrides) -> dict:
    data = {
        "full_name": "نورة محمد عبدالله العتيبي",
        "national_id": "1000000008",
        "nationality": "SA",
        "marital_status": "widow",
        "mobile": "0501234567",
        "city": "الرياض",
        "district": "النسيم",
        "housing": "rented",
        "monthly_rent": "1500",
        "debts": "0",
        "iban": "SA0380000000608010167519",
        "intake_channel": "interview",
        "preferred_language": "ar",
        "preferred_channel": "sms",
        "income_social_security": "1800",
        "categories": ["orphans"],
        **HOUSEHOLD_MANAGEMENT,
        "household-0-name": "سارة",
        "household-0-relation": "daughter",
        "household-0-sex": "F",
        "household-0-monthly_income": "0",
        "household-1-name": "خالد",
        "household-1-relation": "son",
        "household-1-sex": "M",
        "household-1-monthly_income": "600",
        "household-1-national_id": "1000000016",
        # PDPL: the privacy notice shown, consent to every purpose.
        "consent-notice_shown": "on",
        "consent-purposes": ["service", "contact", "survey"],
    }
    data.update(overrides)
    return data


def documents_post(prefix: str, *rows: dict) -> dict:
    """POST data of the several-documents form (forms.document_formset): one dict a row,
    e.g. {"doc_type": "national_id", "file": SimpleUploadedFile(...)}."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "10",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data
