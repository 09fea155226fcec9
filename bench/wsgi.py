"""The WSGI application `make bench` serves: Wahaj's own, unchanged, with one exception.

SPEC §11 compares the staff request list with Django admin's change list of the same model,
"same filter and page size". The admin shows 100 rows a page (ModelAdmin.list_per_page) and
takes no page size in its URL, so the benchmark sets it to the staff list's 50 here rather
than changing what managers see in the admin.
"""

from importlib import import_module

from django.contrib import admin

from wahaj.wsgi import application  # django.setup() runs here

SupportRequest = import_module("requests_app.models").SupportRequest
admin.site._registry[SupportRequest].list_per_page = import_module("requests_app.views").PAGE_SIZE

__all__ = ["application"]
