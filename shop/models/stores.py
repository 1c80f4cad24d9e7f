"""Stores and their history."""


from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import EventBase, TimeStampedModel
from shop.models.base import (
    scoped_manager,
)
from shop.models.onboarding import (
    MerchantApplication,
)


# --- Stores -----------------------------------------------------------------------------
class Store(TimeStampedModel):
    """A merchant's store (快手小店)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSING = "closing", _("Closing")
        CLOSED = "closed", _("Closed")

    merchant = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("merchant"), on_delete=models.PROTECT,
        related_name="store",
    )
    application = models.OneToOneField(
        MerchantApplication, verbose_name=_("application"), on_delete=models.PROTECT,
        related_name="store",
    )
    name = models.CharField(_("store name"), max_length=60)
    slug = models.SlugField(_("address"), max_length=40, unique=True)
    logo = models.ImageField(_("logo"), upload_to="public/logos/", blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    profile_url = models.URLField(_("merchant profile link"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    industry_base = models.BooleanField(
        _("industry-belt base merchant"), default=False,
        help_text=_("Set by reviewers for merchants inside an industry-belt base (产业带基地)."),
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)

    objects = scoped_manager("merchant")

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["name"]
        constraints = [
            # A store that has not closed keeps its name to itself; a closing store may
            # open again, so it keeps it too.
            models.UniqueConstraint(
                Lower("name"), condition=models.Q(status__in=["open", "closing"]),
                name="uniq_store_name_not_closed",
            ),
        ]

    def __str__(self):
        return self.name


class StoreEvent(EventBase):
    """A change of a store's status (opened, closing, open again, closed): its timeline."""

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="events", verbose_name=_("store")
    )

    class Meta(EventBase.Meta):
        verbose_name = _("store event")
        verbose_name_plural = _("store events")

    @property
    def from_status_label(self):
        return dict(Store.Status.choices).get(self.from_status, self.from_status)

    @property
    def to_status_label(self):
        return dict(Store.Status.choices).get(self.to_status, self.to_status)

    def __str__(self):
        # The row's title in the admin timeline: the move, by its labels.
        return f"{self.from_status_label or '—'} → {self.to_status_label}"




class StoreProfileChange(TimeStampedModel):
    """A change of a store's public profile (name, introduction, profile link) waiting for
    a reviewer, because it renames the store or the listing screening found something in
    it. The store keeps showing its current values until the change is approved."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        REPLACED = "replaced", _("Replaced by a newer change")

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="profile_changes", verbose_name=_("store")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING,
        db_index=True,
    )
    name = models.CharField(_("store name"), max_length=60)
    introduction = models.TextField(_("introduction"), blank=True)
    profile_url = models.URLField(_("merchant profile link"), blank=True)
    renames = models.BooleanField(_("renames the store"), default=False)
    screening_hits = models.JSONField(_("screening hits"), default=list, blank=True)
    has_hits = models.BooleanField(_("has screening hits"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("store profile change")
        verbose_name_plural = _("store profile changes")
        ordering = ["submitted_at", "pk"]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self):
        return f"{self.store} → {self.name}"


class StoreProfileChangeEvent(EventBase):
    """A move of a store profile change (submitted, approved, rejected, replaced)."""

    change = models.ForeignKey(
        StoreProfileChange, on_delete=models.CASCADE, related_name="events",
        verbose_name=_("store profile change"),
    )

    class Meta(EventBase.Meta):
        verbose_name = _("store profile change event")
        verbose_name_plural = _("store profile change events")

    @property
    def from_status_label(self):
        return dict(StoreProfileChange.Status.choices).get(self.from_status, self.from_status)

    @property
    def to_status_label(self):
        return dict(StoreProfileChange.Status.choices).get(self.to_status, self.to_status)


class CategoryInvitation(TimeStampedModel):
    """The platform's invitation (邀请) of an industry-belt base store into an
    invitation-only category (rough jadeite 翡翠原石): while it stands, the store may list
    there and its store deposit counts the category's base amount. A withdrawn invitation
    ends; inviting again makes a new one."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="category_invitations",
        verbose_name=_("store"),
    )
    category = models.ForeignKey(
        "compliance.Category", on_delete=models.PROTECT, related_name="store_invitations",
        verbose_name=_("category"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.INVITED,
        db_index=True,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("category invitation")
        verbose_name_plural = _("category invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "category"], condition=models.Q(status="invited"),
                name="uniq_standing_category_invitation",
                violation_error_message=_("This store is already invited into this category."),
            ),
        ]

    def __str__(self):
        return f"{self.store} · {self.category}"


class CategoryInvitationEvent(EventBase):
    """An invitation given or withdrawn, by whom and why."""

    invitation = models.ForeignKey(
        CategoryInvitation, on_delete=models.CASCADE, related_name="events",
        verbose_name=_("category invitation"),
    )

    class Meta(EventBase.Meta):
        verbose_name = _("category invitation event")
        verbose_name_plural = _("category invitation events")

    @property
    def from_status_label(self):
        return dict(CategoryInvitation.Status.choices).get(self.from_status, self.from_status)

    @property
    def to_status_label(self):
        return dict(CategoryInvitation.Status.choices).get(self.to_status, self.to_status)
