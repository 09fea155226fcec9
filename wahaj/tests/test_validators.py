"""The desk's validators (policy step 2): national ID / iqama, Saudi mobile, Saudi IBAN."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from wahaj.lib.validators import (
    IBAN_CHECKSUM,
    IBAN_COUNTRY,
    IBAN_LENGTH,
    MOBILE_INVALID,
    NATIONAL_ID_CHECKSUM,
    NATIONAL_ID_DIGITS,
    NATIONAL_ID_LENGTH,
    NATIONAL_ID_PREFIX,
    bank_name_for_iban,
    iban_with_checksum,
    normalize_digits,
    normalize_iban,
    normalize_mobile,
    normalize_national_id,
    validate_iban,
    validate_national_id,
    validate_saudi_mobile,
)

VALID_IBAN = "SA0380000000608010167519"  # Al Rajhi's published example


def _message(excinfo) -> str:
    return excinfo.value.messages[0]


# --- digits ----------------------------------------------------------------------------------
def test_arabic_indic_and_persian_digits_become_ascii():
    assert normalize_digits("١٠٠٠٠٠٠٠٠٨") == "1000000008"
    assert normalize_digits("۲۰۰۰۰۰۰۰۰۶") == "2000000006"


def test_spaces_dashes_and_bidi_marks_are_removed():
    assert normalize_digits(" 050-123\u00a04567\u200f ") == "0501234567"


# --- national ID / iqama ---------------------------------------------------------------------
@pytest.mark.parametrize("value", ["1000000008", "2000000006"])
def test_a_citizen_id_and_an_iqama_with_a_good_checksum_are_valid(value):
    validate_national_id(value)
    assert normalize_national_id(value) == value


def test_an_id_with_a_bad_checksum_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        validate_national_id("1000000000")
    assert _message(excinfo) == NATIONAL_ID_CHECKSUM


@pytest.mark.parametrize("value", ["100000000", "10000000080", ""])
def test_an_id_of_the_wrong_length_is_refused(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_national_id(value)
    assert _message(excinfo) in {NATIONAL_ID_LENGTH, NATIONAL_ID_DIGITS}


def test_an_id_not_starting_with_1_or_2_is_refused():
    # 3000000004 passes the Luhn checksum: only its prefix is wrong.
    with pytest.raises(ValidationError) as excinfo:
        validate_national_id("3000000004")
    assert _message(excinfo) == NATIONAL_ID_PREFIX


def test_an_id_with_letters_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        validate_national_id("10000000a8")
    assert _message(excinfo) == NATIONAL_ID_DIGITS


def test_an_id_typed_in_arabic_digits_is_valid_and_normalised():
    assert normalize_national_id("١٠٠٠٠٠٠٠٠٨") == "1000000008"


def test_an_id_typed_with_spaces_is_valid_and_normalised():
    assert normalize_national_id(" 1000 000 008 ") == "1000000008"


# --- mobile ----------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["0501234567", "00966501234567", "+966501234567", "501234567"])
def test_every_way_of_writing_a_saudi_mobile_is_stored_as_e164(value):
    assert normalize_mobile(value).as_e164 == "+966501234567"


def test_a_mobile_in_arabic_digits_with_spaces_is_normalised():
    assert normalize_mobile("٠٥٠ ١٢٣ ٤٥٦٧").as_e164 == "+966501234567"


@pytest.mark.parametrize(
    "value",
    [
        "050123456",  # too short
        "05012345678",  # too long
        "0112345678",  # a Riyadh landline, not a mobile
        "+201001234567",  # an Egyptian mobile
        "mobile",
        "",
    ],
)
def test_what_is_not_a_saudi_mobile_is_refused(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_saudi_mobile(value)
    assert _message(excinfo) == MOBILE_INVALID


# --- IBAN ------------------------------------------------------------------------------------
def test_a_saudi_iban_with_a_good_checksum_is_valid_and_names_its_bank():
    validate_iban(VALID_IBAN)
    with translation.override("ar"):
        assert bank_name_for_iban(VALID_IBAN) == "مصرف الراجحي"
    with translation.override("en"):
        assert bank_name_for_iban(VALID_IBAN) == "Al Rajhi Bank"


def test_an_iban_with_spaces_lower_case_and_arabic_digits_is_normalised():
    typed = "sa03 ٨٠٠٠ 0000 6080 1016 7519"
    assert normalize_iban(typed) == VALID_IBAN


def test_an_iban_with_a_bad_checksum_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        validate_iban("SA0480000000608010167519")
    assert _message(excinfo) == IBAN_CHECKSUM


@pytest.mark.parametrize("value", ["SA038000000060801016751", "SA03800000006080101675190"])
def test_an_iban_of_the_wrong_length_is_refused(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_iban(value)
    assert _message(excinfo) == IBAN_LENGTH


def test_an_iban_of_another_country_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        validate_iban("AE070331234567890123456")
    assert _message(excinfo) == IBAN_COUNTRY


def test_built_ibans_pass_the_checksum_and_an_unknown_bank_code_has_no_name():
    iban = iban_with_checksum("10", "000000000000000001")
    assert normalize_iban(iban) == iban
    with translation.override("en"):
        assert bank_name_for_iban(iban) == "Saudi National Bank"
    assert bank_name_for_iban(iban_with_checksum("99", "0" * 18)) == ""
