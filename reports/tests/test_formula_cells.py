"""Issue 18, item 2: a text that looks like a formula opens as text in every export."""

import io

import pytest
from openpyxl import load_workbook

from reports.exports import csv_chunks
from surveys.tests.factories import answered, in_last_month, satisfied_answers
from wahaj.lib.spreadsheets import csv_text, is_formula_like

from .test_exports import export_url, read_csv

pytestmark = pytest.mark.django_db

PLANTED = '=HYPERLINK("http://x","y")'


def _five_answers_one_planted() -> None:
    """Last month's answers (the export's default period), enough to be exported at all."""
    answered(satisfied_answers(comment=PLANTED), submitted_at=in_last_month())
    for _ in range(4):
        answered(satisfied_answers(), submitted_at=in_last_month())


def _comment_row(rows: list) -> list:
    return next(row for row in rows if PLANTED in "".join(str(cell) for cell in row))


def test_a_formula_typed_in_a_survey_comment_is_a_string_cell_in_the_xlsx(client_as, manager_user):
    _five_answers_one_planted()
    response = client_as(manager_user).get(export_url("survey-responses", "xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == PLANTED)
    assert cell.data_type == "s"  # a formula would be "f"


def test_a_formula_typed_in_a_survey_comment_is_quoted_text_in_the_csv(client_as, manager_user):
    _five_answers_one_planted()
    rows = read_csv(client_as(manager_user).get(export_url("survey-responses")))
    assert _comment_row(rows)[-1] == "'" + PLANTED


@pytest.mark.parametrize(
    "text", ["=1+1", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_every_risky_first_character_is_neutralised(text):
    assert is_formula_like(text)
    assert csv_text(text) == "'" + text
    assert f"'{text}" in "".join(csv_chunks(["h"], [[text]]))


@pytest.mark.parametrize("value", ["-250", "+966501234567", "1,500.50", "نورة", "", 12, None])
def test_numbers_and_plain_text_are_left_as_they_are(value):
    assert not is_formula_like(value)
    assert csv_text(value) == value
