"""The staff dashboard's view of the portal: open correction requests (reports' sections table
names the template; the figures come from here, so the reports view needs no change)."""

from django import template

from portal.selectors import open_corrections_summary

register = template.Library()


@register.simple_tag
def corrections_summary() -> dict:
    return open_corrections_summary()
