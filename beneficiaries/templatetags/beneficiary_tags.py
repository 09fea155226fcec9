"""`{% load beneficiary_tags %}`: the `identifier` and `file_identifier` filters (masked unless
the viewer may see identifiers)."""

from django import template

from beneficiaries.access import may_see_identifiers_on_file
from wahaj.lib.masking import mask_identifier

register = template.Library()


@register.filter
def identifier(value, show: bool) -> str:
    """`{{ b.national_id|identifier:show_identifiers }}`: whole, or masked (••••••5678)."""
    text = str(value or "")
    return text if show else mask_identifier(text)


@register.filter
def file_identifier(value, user) -> str:
    """`{{ beneficiary.national_id|file_identifier:request.user }}` on her file and request
    pages: whole for who needs it (access.may_see_identifiers_on_file), else ••••••5678."""
    text = str(value or "")
    return text if may_see_identifiers_on_file(user) else mask_identifier(text)
