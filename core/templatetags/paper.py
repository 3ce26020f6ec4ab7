from django import template

from core import paper

register = template.Library()

field_display = paper.field_display
money = register.filter(paper.money)


@register.simple_tag
def paper_sections(obj, sections, redacted=()):
    """[(section title, [row])] for a read-only page laid out like the paper."""
    return paper.paper_rows(obj, sections, redacted=redacted or ())


@register.simple_tag
def audit_block(record):
    """The paper's audit block as (label, value) rows."""
    return paper.audit_rows(record)


@register.simple_tag(takes_context=True)
def print_links(context, record):
    """[(title, url)] of the paper forms this record prints as (F02 for a customer, F08 and F09 for a project)."""
    return paper.print_links(record=record, user=context["request"].user)
