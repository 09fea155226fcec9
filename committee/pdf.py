"""The minutes as a PDF: WeasyPrint lays out the same Arabic HTML with pango, which shapes and
joins Arabic letters and orders right-to-left text (Debian's Amiri font, scripts/system-deps.sh).
"""

from django.conf import settings
from weasyprint import HTML


def minutes_pdf_bytes(html: str) -> bytes:
    # No base URL: the template carries its own styles and nothing is fetched.
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
