import logging

from wahaj.lib.logging import PersonalDataFilter, redact


def test_national_ids_phones_and_ibans_are_masked():
    text = redact("id 1000000008 phone +966501234567 alt 0501234567 iban SA0380000000608010167519")
    assert text == "id [national-id] phone [phone] alt [phone] iban [iban]"


def test_arabic_indic_digits_are_masked_too():
    assert redact("رقم الهوية ١٠٠٠٠٠٠٠٠٨") == "رقم الهوية [national-id]"


def test_the_configured_handlers_mask_identifiers_passed_as_arguments(capsys):
    handler = logging.getLogger().handlers[0]
    assert any(isinstance(f, PersonalDataFilter) for f in handler.filters)
    logging.getLogger("wahaj.test").warning("lookup for %s failed", "1000000008")
    assert "1000000008" not in capsys.readouterr().err


def test_a_reference_and_other_numbers_are_left_alone():
    assert redact("WHJ-2026-000123 amount 1500") == "WHJ-2026-000123 amount 1500"
