"""What the reviewers' enforcement screens share: the timeline inline of an event model,
the button to a row's own page, and the pages a screen adds for its service calls (the
form page, an ApplicationError shown on the form, the message and redirect once done)."""

from contextlib import contextmanager

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from common.admin import TimelineInline
from common.errors import ApplicationError


class EventInline(TimelineInline):
    """An event model's rows: the shared timeline (`common.admin.TimelineInline`)."""


def row_button(url_name, pk, label):
    """A link styled as a button to the admin page `url_name` of the row `pk`."""
    return format_html('<a class="button" href="{}">{}</a>', reverse(url_name, args=[pk]),
                       label)


@contextmanager
def errors_on(form, *, on_field=False):
    """Runs a service call: an ApplicationError it raises becomes an error of `form` (on
    the field the error names where `on_field` and the form has that field, else on the
    whole form) and the rest of the block is skipped."""
    try:
        yield
    except ApplicationError as exc:
        form.add_error(exc.field if on_field and exc.field in form.fields else None,
                       exc.message)


class ServicePagesMixin:
    """A ModelAdmin's own pages, each a form whose decision goes through a service.
    `pages` lists them as (route, name of the view method, URL name), ahead of the
    admin's URLs."""

    pages = ()

    def get_urls(self):
        return [
            *(path(route, self.admin_site.admin_view(getattr(self, view)), name=name)
              for route, view, name in self.pages),
            *super().get_urls(),
        ]

    def form_page(self, request, template, title, **context):
        """The page `template` with the admin's context, `title` and `context`."""
        return TemplateResponse(request, template, {
            **self.admin_site.each_context(request), "title": title,
            "opts": self.model._meta, **context,
        })

    def done(self, request, message, url_name, *args):
        """Say `message` as a success and go to the admin page `url_name`."""
        self.message_user(request, message, messages.SUCCESS)
        return redirect(url_name, *args)
