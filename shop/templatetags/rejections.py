"""Which reviewer's reason templates a rejection shown to the merchant was written from, so
that each can link the lesson explaining it (``{% lesson_link "rejection_template" pk %}``)."""

from django import template

from shop.selectors.stores import reason_templates, reason_templates_used

register = template.Library()


@register.simple_tag(takes_context=True)
def rejection_templates(context, reason, scope):
    """The templates of `scope` used in `reason`; the scope's templates are read once per
    request."""
    request = context.get("request")
    memo = getattr(request, "_reason_templates", None) if request is not None else None
    if memo is None:
        memo = {}
        if request is not None:
            request._reason_templates = memo
    if scope not in memo:
        memo[scope] = reason_templates(scope)
    return reason_templates_used(reason, memo[scope])
