# Uploaded documents go to a temporary private root, never into var/ (the files' own fixture).
from beneficiaries.tests.conftest import _private_media  # noqa: F401
