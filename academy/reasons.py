"""Reasons the academy writes on lesson events (see common.reasons)."""

from django.utils.translation import gettext_lazy as _

from common.reasons import Catalogue

R = Catalogue("academy", {
    "published": _("Lesson published"),
    "unpublished": _("Lesson taken back to draft"),
})
