from django import template

from core.renderers import Fragment

register = template.Library()


@register.simple_tag(takes_context=True)
def board_cards(context, column) -> Fragment:
    """A board column's cards (``pipeline/jinja2/pipeline/board_cards.html``)."""
    return Fragment(
        "pipeline/board_cards.html", column=column, query=context.get("query", ""), csrf_token=context.get("csrf_token")
    )
