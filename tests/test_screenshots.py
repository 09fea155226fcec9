"""`make screenshots`: the main pages of each role and of the portal, in Arabic and English, at
desktop and phone widths, saved under test-artifacts/screenshots/ for people to look at.

Not part of `make test` (marker `screenshots`, and skipped unless WAHAJ_SCREENSHOTS=1, which
`make screenshots` sets): it checks nothing but that each page opens.
"""

import os
from pathlib import Path

import pytest

from accounts.roles import Role
from tests.pages import build_world, page_paths, portal_session_cookie, staff_session_cookie

pytestmark = [
    pytest.mark.browser,
    pytest.mark.screenshots,
    pytest.mark.skipif(
        os.environ.get("WAHAJ_SCREENSHOTS") != "1", reason="make screenshots runs it"
    ),
    pytest.mark.django_db(transaction=True),
]

OUT = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
MAIN_PAGES = {
    Role.INTAKE: [
        "reports:dashboard",
        "beneficiaries:list",
        "beneficiaries:create",
        "beneficiaries:detail",
        "requests_app:list",
        "requests_app:detail (draft)",
        "requests_app:receipt",
    ],
    Role.RESEARCHER: [
        "reports:dashboard",
        "beneficiaries:referrals",
        "requests_app:detail (in_research)",
        "committee:report",
        "requests_app:visits",
    ],
    Role.COMMITTEE: ["reports:dashboard", "committee:queue", "committee:meeting"],
    Role.CHAIR: ["reports:dashboard", "committee:meeting", "committee:minutes"],
    Role.MANAGER: [
        "reports:dashboard",
        "reports:monthly",
        "surveys:results",
        "committee:scoring",
        "committee:committees",
        "privacy:audit",
    ],
}
A4 = {"width": 794, "height": 1123}  # 210 × 297 mm at 96 px per inch
PRINTED = ["requests_app:receipt", "beneficiaries:detail", "committee:minutes", "reports:monthly"]
PUBLIC_PAGES = ["login", "portal:status", "portal:login", "surveys:respond"]
PORTAL_PAGES = [
    "portal:home",
    "portal:request_detail (returned)",
    "portal:request_new",
    "portal:data",
]


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


def file_name(who: str, label: str, language: str, size: str) -> str:
    slug = label.replace(":", "-").replace(" ", "").replace("(", "-").replace(")", "")
    return f"{who}_{slug}_{language}_{size}.png"


def test_save_the_main_pages_of_every_role_and_of_the_portal(chromium, live_server, personas):
    world = build_world(personas)
    pages = page_paths(world)
    every = {**pages["staff"], **pages["public"], **pages["portal"]}
    audiences = [(role, staff_session_cookie(personas[role]), MAIN_PAGES[role]) for role in Role]
    audiences += [
        ("public", None, PUBLIC_PAGES),
        ("beneficiary", portal_session_cookie(world.her), PORTAL_PAGES),
    ]
    OUT.mkdir(parents=True, exist_ok=True)
    saved = 0
    for language in ("ar", "en"):
        for size, viewport in SIZES.items():
            for who, cookie, labels in audiences:
                context = chromium.new_context(
                    base_url=live_server.url,
                    # The browser's own widgets (date and file fields) in the page's language.
                    locale="ar-SA" if language == "ar" else "en-GB",
                    viewport=viewport,
                    is_mobile=size == "phone",
                    has_touch=size == "phone",
                )
                cookies = [{"name": "django_language", "value": language}]
                cookies += [cookie] if cookie else []
                context.add_cookies([{**c, "url": live_server.url} for c in cookies])
                page = context.new_page()
                for label in labels:
                    assert page.goto(every[label]).status == 200, (who, label)
                    path = OUT / file_name(who, label, language, size)
                    page.screenshot(path=str(path), full_page=True)
                    saved += 1
                context.close()
    assert saved == 2 * len(SIZES) * sum(len(labels) for _, _, labels in audiences)

    # The printed documents, as the browser lays them out on an A4 sheet.
    for language in ("ar", "en"):
        context = chromium.new_context(base_url=live_server.url, viewport=A4)
        cookies = [{"name": "django_language", "value": language}]
        cookies.append(staff_session_cookie(personas[Role.MANAGER]))
        context.add_cookies([{**c, "url": live_server.url} for c in cookies])
        page = context.new_page()
        page.emulate_media(media="print")
        for label in PRINTED:
            assert page.goto(every[label]).status == 200, label
            page.screenshot(
                path=str(OUT / file_name("print", label, language, "a4")), full_page=True
            )
        context.close()
