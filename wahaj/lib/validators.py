"""Validators for the data a beneficiary gives at the desk (policy step 2: checked at submission).

Each is a small function: `normalize_*` cleans what a person typed (Arabic-Indic digits,
spaces, dashes), `validate_*` raises `ValidationError` with a translated message constant.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import PhoneNumber

# Arabic-Indic (٠–٩) and Extended Arabic-Indic / Persian (۰–۹) digits, as typed on Arabic keyboards.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Spaces (including no-break), dashes (hyphen, en/em dash, minus) and the bidi marks copied
# along with numbers: LRM/RLM (U+200E/F), the Arabic letter mark (U+061C), embeddings and
# overrides (U+202A–E) and isolates (U+2066–9).
_MARKS = "\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069"
_SEPARATORS = re.compile(rf"[\s\-\u2010-\u2015\u2212{_MARKS}]+")
# How long a typed identifier may be before it is cleaned: ten digits can arrive with a space,
# a dash and a bidi mark around each. A form's max_length below this would refuse, with "at
# most 10 characters", an ID that cleans to ten valid digits.
RAW_IDENTIFIER_MAX_LENGTH = 80

NATIONAL_ID_LENGTH = _("A national ID or iqama number has exactly 10 digits.")
NATIONAL_ID_DIGITS = _("A national ID or iqama number has digits only.")
NATIONAL_ID_PREFIX = _(
    "A national ID starts with 1 (citizen) and an iqama number with 2 (resident)."
)
NATIONAL_ID_CHECKSUM = _("This national ID or iqama number is not valid: check its digits.")
MOBILE_INVALID = _("Enter a Saudi mobile number, e.g. 05XXXXXXXX.")
IBAN_LENGTH = _("A Saudi IBAN has 24 characters: SA followed by 22 digits.")
IBAN_COUNTRY = _("A Saudi IBAN starts with SA.")
IBAN_CHECKSUM = _("This IBAN is not valid: check its digits.")

# Two-digit bank codes (characters 5–6 of a Saudi IBAN), as published by SAMA.
SAUDI_BANKS: dict[str, str] = {
    "05": _("Alinma Bank"),
    "10": _("Saudi National Bank"),
    "15": _("Bank Albilad"),
    "20": _("Riyad Bank"),
    "30": _("Arab National Bank"),
    "40": _("Saudi National Bank (formerly Samba)"),
    "45": _("Saudi Awwal Bank"),
    "50": _("Saudi Awwal Bank (formerly Alawwal)"),
    "55": _("Banque Saudi Fransi"),
    "60": _("Bank AlJazira"),
    "65": _("Saudi Investment Bank"),
    "76": _("Bank Muscat"),
    "80": _("Al Rajhi Bank"),
    "90": _("Gulf International Bank"),
    "95": _("Emirates NBD"),
}


# The explicit direction controls: embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and
# isolates (LRI, RLI, FSI, PDI). Typed or pasted into a name, an unclosed RLO (U+202E) reverses
# everything after it on the line, an ID or a phone number included: never kept in a name.
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def strip_bidi_controls(value: str) -> str:
    """`value` without explicit direction controls (names: stripped at input and on display)."""
    return _BIDI_CONTROLS.sub("", str(value or ""))


def normalize_digits(value: str) -> str:
    """Arabic-Indic digits to ASCII, spaces, dashes and bidi marks removed."""
    return _SEPARATORS.sub("", str(value or "").translate(_DIGITS))


def normalize_number(value: str) -> str:
    """An amount as typed (`١٬٥٠٠٫٥٠`, `1,500.50`, `1 500`) in the form Django parses (`1500.50`).

    Arabic-Indic digits to ASCII, the Arabic decimal separator (U+066B) to a point, thousands
    separators (U+066C, commas, spaces) and bidi marks removed.
    """
    text = str(value or "").translate(_DIGITS).replace("\u066b", ".")
    return re.sub(rf"[\s,\u066c{_MARKS}]+", "", text)


def national_id_checksum_ok(digits: str) -> bool:
    """Luhn over all ten digits: those in odd positions (1st, 3rd, …) are doubled."""
    total = 0
    for index, char in enumerate(digits):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return total % 10 == 0


def normalize_national_id(value: str) -> str:
    """The ten ASCII digits of a national ID or iqama, or ValidationError."""
    digits = normalize_digits(value)
    if not digits.isdigit():
        raise ValidationError(NATIONAL_ID_DIGITS, code="digits")
    if len(digits) != 10:
        raise ValidationError(NATIONAL_ID_LENGTH, code="length")
    if digits[0] not in "12":
        raise ValidationError(NATIONAL_ID_PREFIX, code="prefix")
    if not national_id_checksum_ok(digits):
        raise ValidationError(NATIONAL_ID_CHECKSUM, code="checksum")
    return digits


def validate_national_id(value: str) -> None:
    """Model/form validator: a valid national ID (1…) or iqama (2…)."""
    normalize_national_id(value)


def normalize_mobile(value: str) -> PhoneNumber:
    """A Saudi mobile (05…, 9665…, 009665…, +9665…) as a PhoneNumber (+9665XXXXXXXX)."""
    text = normalize_digits(value)
    try:
        number = PhoneNumber.from_string(text, region="SA")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(MOBILE_INVALID, code="invalid") from exc
    if not (number.is_valid() and re.fullmatch(r"\+9665\d{8}", number.as_e164)):
        raise ValidationError(MOBILE_INVALID, code="invalid")
    return number


def validate_saudi_mobile(value: object) -> None:
    """Model/form validator for a PhoneNumberField: a Saudi mobile, not a landline."""
    normalize_mobile(str(value))


def normalize_iban(value: str) -> str:
    """`SA` + 22 digits, upper-case, spaces removed, mod-97 checked; or ValidationError."""
    iban = normalize_digits(value).upper()
    if not iban.startswith("SA"):
        raise ValidationError(IBAN_COUNTRY, code="country")
    if len(iban) != 24 or not iban[2:].isdigit():
        raise ValidationError(IBAN_LENGTH, code="length")
    rearranged = iban[4:] + iban[:4]
    numeric = "".join(str(int(char, 36)) for char in rearranged)
    if int(numeric) % 97 != 1:
        raise ValidationError(IBAN_CHECKSUM, code="checksum")
    return iban


def validate_iban(value: str) -> None:
    """Model/form validator: a Saudi IBAN with a valid mod-97 checksum."""
    normalize_iban(value)


def iban_with_checksum(bank_code: str, account: str) -> str:
    """Build a valid Saudi IBAN from a bank code and an 18-digit account (demo data, tests)."""
    bban = f"{bank_code}{account}"
    numeric = "".join(str(int(char, 36)) for char in f"{bban}SA00")
    return f"SA{98 - int(numeric) % 97:02d}{bban}"


def bank_name_for_iban(iban: str) -> str:
    """The bank's name from the two-digit code after `SAkk`, or "" when unknown."""
    code = normalize_digits(iban)[4:6]
    name = SAUDI_BANKS.get(code)
    return str(name) if name else ""
