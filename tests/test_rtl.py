"""Acceptance 3 of issue 11: a hostile direction character in her name reorders nothing.

Her name carries U+202E (RIGHT-TO-LEFT OVERRIDE, unclosed): left loose on a line it reverses
everything after it — her ID, her phone. On her file and on her request, in Arabic and in
English, the page must show the name isolated (and without the control), and her national ID,
phone and request reference each inside a left-to-right isolate, their characters drawn left to
right in the order they are written.
"""

import pytest

from beneficiaries.tests.factories import BeneficiaryFactory
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RLO = "\u202e"
HOSTILE_NAME = f"فاطمة {RLO}محمد عبدالله الحربي"

# For every occurrence of each token in the page's text: is it inside an element that isolates
# it left to right, and are its characters drawn left to right? And is every occurrence of the
# name inside an isolate before the line's block ends?
INSPECT = """
([tokens, namePart]) => {
  const isolating = (el) => ["isolate", "isolate-override", "plaintext"].includes(
    getComputedStyle(el).unicodeBidi);
  const blockish = (el) => !getComputedStyle(el).display.startsWith("inline");
  function occurrences(needle) {
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      let at = node.data.indexOf(needle);
      while (at !== -1) { found.push([node, at]); at = node.data.indexOf(needle, at + 1); }
    }
    return found;
  }
  function ltrIsolated(node) {
    for (let el = node.parentElement; el; el = el.parentElement) {
      if (isolating(el)) return getComputedStyle(el).direction === "ltr";
      if (blockish(el)) return false;
    }
    return false;
  }
  function nameIsolated(node) {
    for (let el = node.parentElement; el; el = el.parentElement) {
      if (isolating(el)) return true;
      if (blockish(el)) return false;
    }
    return false;
  }
  function drawnLeftToRight(node, at, length) {
    const lefts = [];
    for (let i = at; i < at + length; i++) {
      const range = document.createRange();
      range.setStart(node, i); range.setEnd(node, i + 1);
      const box = range.getBoundingClientRect();
      if (box.width > 0 && node.data[i] !== " ") lefts.push(box.left);
    }
    return lefts.every((left, i) => i === 0 || left > lefts[i - 1]);
  }
  const report = {tokens: {}, names: []};
  for (const token of tokens) {
    report.tokens[token] = occurrences(token).map(([node, at]) => ({
      isolated: ltrIsolated(node), ordered: drawnLeftToRight(node, at, token.length)}));
  }
  report.names = occurrences(namePart).map(([node]) => nameIsolated(node));
  return report;
}
"""


def inspect(page, tokens: list[str]) -> dict:
    return page.evaluate(INSPECT, [tokens, "محمد عبدالله الحربي"])


def assert_isolated_and_in_order(page, tokens: list[str]) -> None:
    report = inspect(page, tokens)
    assert RLO not in page.locator("body").inner_text()
    assert report["names"], "her name is not on the page"
    assert all(report["names"]), report["names"]
    for token, places in report["tokens"].items():
        assert places, f"{token} is not on the page"
        assert all(p["isolated"] and p["ordered"] for p in places), (token, places)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_her_id_phone_and_reference_stay_isolated_and_in_order_beside_a_hostile_name(
    page, browser_login, intake_user, language, live_server
):
    her = BeneficiaryFactory(full_name=HOSTILE_NAME)
    support_request = request_in_state(
        SupportRequest.State.SUBMITTED, beneficiary=her, created_by=intake_user
    )
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    browser_login(intake_user)

    page.goto(f"/beneficiaries/{her.pk}/")
    assert page.locator("html").get_attribute("lang") == language
    assert_isolated_and_in_order(page, [her.national_id, her.mobile.as_national, her.file_number])

    page.goto(f"/requests/{support_request.pk}/")
    phone = her.mobile.as_national
    if phone not in page.locator("main").inner_text():
        phone = str(her.mobile)
    assert_isolated_and_in_order(
        page, [support_request.reference, her.national_id, phone, her.file_number]
    )
