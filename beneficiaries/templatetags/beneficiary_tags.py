"""`{% load beneficiary_tags %}`: `{% open_referrals %}` (her open referrals, for the
dashboard) and the `identifier` filter (masked unless the viewer may see identifiers)."""

from django import template

from beneficiaries.access import may_see_identifiers_on_file
from beneficiaries.selectors import referrals_open_for
from wahaj.lib.masking import mask_identifier

register = template.Library()


@register.inclusion_tag("beneficiaries/_open_referrals.html", takes_context=True)
def open_referrals(context, limit: int = 10) -> dict:
    user = context["request"].user
    return {"referrals": list(referrals_open_for(user)[:limit])}


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
