"""The page list of the accessibility audit keeps up with the URLs."""

import pytest

from tests.pages import NOT_PAGES, build_world, covered_url_names, url_names


@pytest.mark.django_db
def test_every_named_url_is_an_audited_page_or_excluded_with_a_reason(personas):
    world = build_world(personas)
    missing = url_names() - covered_url_names(world) - set(NOT_PAGES)
    assert missing == set(), f"add these to tests/pages.py (page_paths or NOT_PAGES): {missing}"
    assert covered_url_names(world) & set(NOT_PAGES) == set()
