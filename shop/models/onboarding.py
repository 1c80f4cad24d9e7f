"""Merchant applications and their history."""


from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import EventBase, TimeStampedModel
from shop.models.base import (
    scoped_manager,
)


# --- Onboarding -------------------------------------------------------------------------
class MerchantApplication(TimeStampedModel):
    """Application to open a store (开通小店): real-name verification and entity
    qualification (主体资质)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class EntityType(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        INDIVIDUAL = "individual", _("Individual business")

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT,
        related_name="merchant_applications",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    real_name = models.CharField(_("real name"), max_length=50)
    id_number = models.CharField(_("resident ID number"), max_length=18)
    entity_type = models.CharField(_("entity type"), max_length=16, choices=EntityType.choices)
    licence_file = models.FileField(_("business licence"), upload_to="private/licences/%Y/%m/")
    licence_content_type = models.CharField(max_length=60, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    registered_name = models.CharField(_("registered name"), max_length=120)
    business_scope = models.TextField(_("business scope"))
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    store_name = models.CharField(_("store name"), max_length=60)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)

    objects = scoped_manager("applicant")

    class Meta:
        verbose_name = _("store application")
        verbose_name_plural = _("store applications")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self):
        return f"{self.store_name} ({self.registered_name})"


class MerchantApplicationEvent(EventBase):
    application = models.ForeignKey(
        MerchantApplication, on_delete=models.CASCADE, related_name="events",
        verbose_name=_("application"),
    )

    class Meta(EventBase.Meta):
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    @property
    def from_status_label(self):
        return dict(MerchantApplication.Status.choices).get(self.from_status, self.from_status)

    @property
    def to_status_label(self):
        return dict(MerchantApplication.Status.choices).get(self.to_status, self.to_status)


class RejectionReasonTemplate(models.Model):
    """Reviewer's canned reasons; the free text is added to them."""

    class Scope(models.TextChoices):
        APPLICATION = "application", _("Store application")
        PRODUCT = "product", _("Product")
        QUALIFICATION = "qualification", _("Qualification")
        STORE_PROFILE = "store_profile", _("Store profile")
        INVITATION = "invitation", _("Category invitation")

    scope = models.CharField(_("used for"), max_length=20, choices=Scope.choices, db_index=True)
    text = models.CharField(_("text"), max_length=200)

    class Meta:
        verbose_name = _("rejection reason template")
        verbose_name_plural = _("rejection reason templates")
        ordering = ["scope", "pk"]
        constraints = [models.UniqueConstraint(fields=["scope", "text"], name="uniq_reason_text")]

    def __str__(self):
        return self.text


