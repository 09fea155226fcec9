"""The beneficiary's side on a phone: the status page and every portal page fit 390 and 320 px
wide without sideways scrolling, her buttons and links are at least 44 px tall, and number
fields bring up the numeric keypad."""

import pytest

from tests.pages import build_world, page_paths, portal_pending_cookie, portal_session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONES = [{"width": 390, "height": 844}, {"width": 320, "height": 640}]
TOUCH_TARGET_PX = 44

# Buttons and links she taps that are smaller than 44 px. A link inside a sentence is exempt
# (WCAG 2.5.8: its size is the text's); so are hidden ones.
SMALL_TARGETS = """
() => [...document.querySelectorAll(
    "a[href], button, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, "
    + "label:has(> input[type=radio]), label:has(> input[type=checkbox]), .form-check")]
  .filter(el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden")
  .filter(el => {
    if (el.tagName !== "A") return true;
    const around = el.parentElement.textContent.replace(/\\s+/g, " ").trim();
    return around === el.textContent.replace(/\\s+/g, " ").trim();
  })
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => box.height < 44 || box.width < 44)
  .map(([el, box]) =>
    `${Math.round(box.width)}x${Math.round(box.height)} ${el.outerHTML.slice(0, 90)}`)
"""
NUMBER_INPUTS_WITHOUT_KEYPAD = """
() => [...document.querySelectorAll(
    "input[name=national_id], input[name=code], input[name*=amount], input[type=number]")]
  .filter(el => !["numeric", "decimal", "tel"].includes(el.inputMode) || el.type === "number")
  .map(el => el.outerHTML.slice(0, 120))
"""


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(settings.PRIVATE_MEDIA_ROOT), "base_url": None},
        },
    }


@pytest.mark.parametrize("language", ["ar", "en"])
def test_status_and_portal_pages_fit_a_phone_with_large_targets_and_the_numeric_keypad(
    chromium, live_server, personas, language
):
    world = build_world(personas)
    pages = page_paths(world)
    audiences = [
        (None, pages["public"]),
        (portal_pending_cookie(world.her), pages["pending"]),
        (portal_session_cookie(world.her), pages["portal"]),
    ]
    problems = []
    for viewport in PHONES:
        for cookie, group in audiences:
            context = chromium.new_context(
                base_url=live_server.url, viewport=viewport, is_mobile=True, has_touch=True
            )
            cookies = [{"name": "django_language", "value": language}] + (
                [cookie] if cookie else []
            )
            context.add_cookies([{**c, "url": live_server.url} for c in cookies])
            page = context.new_page()
            for label, path in group.items():
                assert page.goto(path).status == 200, label
                where = f"{viewport['width']}px {language} {label}"
                # A mobile browser widens its layout viewport to fit what overflows, so the
                # page is measured against the phone's width, not innerWidth.
                width = page.evaluate("document.scrollingElement.scrollWidth")
                if width > viewport["width"]:
                    problems.append(f"{where}: scrolls sideways")
                problems += [f"{where}: small target {t}" for t in page.evaluate(SMALL_TARGETS)]
                problems += [
                    f"{where}: no numeric keypad {i}"
                    for i in page.evaluate(NUMBER_INPUTS_WITHOUT_KEYPAD)
                ]
            context.close()
    assert problems == [], "\n".join(problems)
