"""`{% load beneficiary_tags %}{% open_referrals %}`: her open referrals, for the dashboard."""

from django import template

from beneficiaries.selectors import referrals_open_for

register = template.Library()


@register.inclusion_tag("beneficiaries/_open_referrals.html", takes_context=True)
def open_referrals(context, limit: int = 10) -> dict:
    user = context["request"].user
    return {"referrals": list(referrals_open_for(user)[:limit])}
