from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import EventBase, TimeStampedModel
from common.money import MoneyField
from disputes import rules
from shop.models import scoped_manager


class Side(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    MERCHANT = "merchant", _("Merchant")
    AGENT = "agent", _("Support agent")
    REVIEWER = "reviewer", _("Platform reviewer")
    SYSTEM = "system", _("System")


class MerchantReturnAddress(models.Model):
    """Where returns go (退货地址). Each change is a new row: the latest one is the
    merchant's "last return address" handed to buyers, and requests keep a copy."""

    store = models.ForeignKey(
        "shop.Store", verbose_name=_("store"), on_delete=models.CASCADE,
        related_name="return_addresses",
    )
    name = models.CharField(_("recipient"), max_length=40)
    phone = models.CharField(_("phone"), max_length=20)
    province = models.CharField(_("province"), max_length=20)
    city = models.CharField(_("city"), max_length=20)
    district = models.CharField(_("district"), max_length=20)
    detail = models.CharField(_("street address"), max_length=120)
    created_at = models.DateTimeField(_("set at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT,
        related_name="+",
    )

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("return address")
        verbose_name_plural = _("return addresses")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["store", "-created_at"])]

    def __str__(self):
        return f"{self.name} {self.province}{self.city}{self.district}{self.detail}"

    def as_dict(self) -> dict:
        return {f: getattr(self, f) for f in
                ("name", "phone", "province", "city", "district", "detail")}


class AfterSaleRequest(TimeStampedModel):
    """After-sale request (售后申请) on one order line: refund only (仅退款), return and
    refund (退货退款) or exchange (换货). Every clock is its own indexed column, set when
    the state that owns it is entered."""

    class Kind(models.TextChoices):
        REFUND_ONLY = "refund_only", _("Refund only")
        RETURN_REFUND = "return_refund", _("Return and refund")
        EXCHANGE = "exchange", _("Exchange")

    class Reason(models.TextChoices):
        NO_REASON = "no_reason", _("No-reason return (7 days)")
        QUALITY = "quality", _("Quality problem")
        NOT_RECEIVED = "not_received", _("Not received")
        WRONG_OR_MISSING = "wrong_or_missing", _("Wrong or missing item")
        GIFT = "gift", _("Gift problem")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = rules.PENDING, _("Awaiting the merchant")
        AWAITING_RETURN = rules.AWAITING_RETURN, _("Awaiting the buyer's return")
        RETURNING = rules.RETURNING, _("Return on its way")
        AWAITING_RESHIP = rules.AWAITING_RESHIP, _("Awaiting the exchange shipment")
        RULING_REVIEW = rules.RULING_REVIEW, _("Ruling awaiting the merchant")
        ESCALATED = rules.ESCALATED, _("With platform support")
        REFUNDING = rules.REFUNDING, _("Refund in progress")
        REFUNDED = rules.REFUNDED, _("Refunded")
        EXCHANGED = rules.EXCHANGED, _("Exchanged")
        REJECTED = rules.REJECTED, _("Rejected by the merchant")
        CLOSED = rules.CLOSED, _("Closed without a refund")
        CANCELLED = rules.CANCELLED, _("Cancelled")

    class Resolution(models.TextChoices):
        REFUND = "refund", _("Refund")
        EXCHANGE = "exchange", _("Exchange")

    order = models.ForeignKey(
        "shop.Order", verbose_name=_("order"), on_delete=models.PROTECT,
        related_name="after_sale_requests",
    )
    line = models.ForeignKey(
        "shop.OrderLine", verbose_name=_("order line"), on_delete=models.PROTECT,
        related_name="after_sale_requests",
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("buyer"), on_delete=models.PROTECT,
        related_name="after_sale_requests",
    )
    store = models.ForeignKey(
        "shop.Store", verbose_name=_("store"), on_delete=models.PROTECT,
        related_name="after_sale_requests",
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    resolution = models.CharField(_("resolution"), max_length=10, choices=Resolution.choices,
                                  default=Resolution.REFUND)
    amount = MoneyField(_("amount requested"), default=0)
    description = models.TextField(_("description"), blank=True)
    goods_intact = models.BooleanField(_("goods intact"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    opened_by_system = models.BooleanField(_("opened by the system"), default=False)

    # Clocks.
    contact_by = models.DateTimeField(_("contact the buyer by"), null=True, blank=True)
    review_by = models.DateTimeField(_("review by"), null=True, blank=True)
    buyer_ship_by = models.DateTimeField(_("buyer ships the return by"), null=True, blank=True)
    auto_close_at = models.DateTimeField(_("closes without a waybill at"), null=True,
                                         blank=True)
    receive_by = models.DateTimeField(_("confirm receipt by"), null=True, blank=True)
    reship_by = models.DateTimeField(_("reship by"), null=True, blank=True)
    refusal_refund_by = models.DateTimeField(_("refund the refused parcel by"), null=True,
                                             blank=True)
    quality_review_by = models.DateTimeField(_("review the quality ruling by"), null=True,
                                             blank=True)
    agent_handle_by = models.DateTimeField(_("support handles by"), null=True, blank=True)
    # The nearest of the clocks above and whether the request is finished, kept by the
    # transition service (and the sweeps that change clocks) so lists order by an index.
    next_deadline = models.DateTimeField(_("next deadline"), null=True, blank=True)
    finished = models.BooleanField(_("finished"), default=False)

    # What happened (flags keep each clock from firing twice).
    contacted_at = models.DateTimeField(_("buyer contacted at"), null=True, blank=True)
    contact_missed = models.BooleanField(_("contact deadline missed"), default=False)
    ship_reminded = models.BooleanField(_("return reminder sent"), default=False)
    reship_overdue = models.BooleanField(_("reship deadline missed"), default=False)
    agent_overdue = models.BooleanField(_("support handling overdue"), default=False)
    offline_proposal = models.CharField(_("offline solution proposed"), max_length=200,
                                        blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    return_address = models.JSONField(_("return address"), default=dict, blank=True)
    return_courier = models.CharField(_("return courier"), max_length=20, blank=True)
    return_waybill = models.CharField(_("return waybill"), max_length=40, blank=True)
    return_shipped_at = models.DateTimeField(_("return shipped at"), null=True, blank=True)
    received_at = models.DateTimeField(_("return received at"), null=True, blank=True)
    reship_courier = models.CharField(_("exchange courier"), max_length=20, blank=True)
    reship_waybill = models.CharField(_("exchange waybill"), max_length=40, blank=True)
    reshipped_at = models.DateTimeField(_("exchange shipped at"), null=True, blank=True)
    refusal_tracking = models.ForeignKey(
        "shop.TrackingEvent", verbose_name=_("refused parcel back at the merchant"),
        on_delete=models.PROTECT, null=True, blank=True, related_name="after_sale_requests",
    )

    # Escalation (客服介入).
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalated_by = models.CharField(_("escalated by"), max_length=10, choices=Side.choices,
                                    blank=True)
    escalation_reason = models.TextField(_("why escalated"), blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("support agent"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="assigned_after_sale_requests",
    )
    ruled_at = models.DateTimeField(_("ruled at"), null=True, blank=True)

    # Money.
    platform_pays = models.BooleanField(
        _("platform pays first (deducted from the deposit)"), default=False)
    refunded_amount = MoneyField(_("refunded"), default=0)
    payout_amount = MoneyField(_("paid out by the platform"), default=0)
    settled_at = models.DateTimeField(_("money returned at"), null=True, blank=True)
    # While the refund is in progress: the provider's refund or payout being waited for
    # (None: the last attempt failed and is tried again at refund_check_at), and how many
    # attempts were made (each payout attempt has its own deposit deduction).
    payment = models.ForeignKey(
        "payments.Payment", verbose_name=_("refund or payout"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    refund_attempts = models.PositiveSmallIntegerField(_("refund attempts"), default=0)
    refund_check_at = models.DateTimeField(_("refund checked again at"), null=True,
                                           blank=True)
    closed_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("after-sale request")
        verbose_name_plural = _("after-sale requests")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["store", "status", "-created_at"]),
            models.Index(fields=["buyer", "-created_at"]),
            models.Index(fields=["status", "contact_by"]),
            models.Index(fields=["status", "review_by"]),
            models.Index(fields=["status", "buyer_ship_by"]),
            models.Index(fields=["status", "auto_close_at"]),
            models.Index(fields=["status", "receive_by"]),
            models.Index(fields=["status", "reship_by"]),
            models.Index(fields=["status", "refusal_refund_by"]),
            models.Index(fields=["status", "quality_review_by"]),
            models.Index(fields=["status", "agent_handle_by"]),
            models.Index(fields=["status", "refund_check_at"]),
            models.Index(fields=["agent", "status"]),
            # The lists: open requests first, by the nearest clock, then the newest.
            models.Index(fields=["store", "finished", "next_deadline", "-created_at"],
                         name="aftersale_store_next_deadline"),
            models.Index(fields=["buyer", "finished", "next_deadline", "-created_at"],
                         name="aftersale_buyer_next_deadline"),
            # The keyset pages (common.keyset) of the merchant's list (open by the nearest
            # clock; all, newest first) and of the support queue (open by the handling
            # clock; all escalated, newest escalation first).
            models.Index(fields=["store", "finished", "next_deadline", "id"],
                         name="aftersale_store_open_page"),
            models.Index(fields=["store", "-created_at", "-id"],
                         name="aftersale_store_all_page"),
            models.Index(fields=["status", "agent_handle_by", "id"],
                         name="aftersale_queue_open_page"),
            models.Index(fields=["-escalated_at", "-id"], name="aftersale_queue_all_page",
                         condition=Q(escalated_at__isnull=False)),
            models.Index(fields=["-escalated_at", "-id"], name="aftersale_queue_ruled_page",
                         condition=Q(ruled_at__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["line"], condition=Q(status__in=sorted(rules.OPEN_STATUSES)),
                name="aftersale_one_open_request_per_line",
            ),
            models.UniqueConstraint(
                fields=["line", "refusal_tracking"], condition=Q(refusal_tracking__isnull=False),
                name="aftersale_one_refusal_per_line",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="aftersale_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(payout_amount__gte=0),
                name="aftersale_money_not_negative",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.order_id}/{self.line_id} {self.get_kind_display()}"

    @property
    def state(self) -> rules.RequestState:
        return rules.RequestState(
            status=self.status, kind=self.kind, resolution=self.resolution,
            contacted=self.contacted_at is not None, ruled=self.ruled_at is not None,
            offline_proposed=bool(self.offline_proposal),
        )

    @property
    def is_open(self) -> bool:
        return self.status in rules.OPEN_STATUSES

    @property
    def needs_return(self) -> bool:
        return self.kind in (self.Kind.RETURN_REFUND, self.Kind.EXCHANGE)

    @property
    def escalation_reason_label(self) -> str:
        """Why it was escalated, readable: the system stores a code, people their words."""
        if self.escalated_by == Side.SYSTEM and self.escalation_reason in rules.SYSTEM_ESCALATIONS:
            return str(rules.SYSTEM_ESCALATIONS[self.escalation_reason])
        return self.escalation_reason

    def deadlines(self) -> dict:
        """The clocks running in the current state (name → deadline)."""
        return {
            name: getattr(self, name)
            for name in rules.CLOCKS_BY_STATUS.get(self.status, ())
            if getattr(self, name) is not None
        }


class AfterSaleEvent(EventBase):
    """The request's timeline, seen by the buyer, the merchant and support."""

    request = models.ForeignKey(
        AfterSaleRequest, on_delete=models.CASCADE, related_name="events",
        verbose_name=_("after-sale request"),
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices,
                            default=Side.SYSTEM)

    class Meta(EventBase.Meta):
        verbose_name = _("after-sale event")
        verbose_name_plural = _("after-sale events")

    @property
    def to_status_label(self):
        return dict(AfterSaleRequest.Status.choices).get(self.to_status, self.to_status)


class AfterSaleMessage(models.Model):
    """A message in the request's thread (text and images)."""

    request = models.ForeignKey(
        AfterSaleRequest, on_delete=models.CASCADE, related_name="messages",
        verbose_name=_("after-sale request"),
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"),
                               on_delete=models.PROTECT, related_name="+")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    text = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("after-sale message")
        verbose_name_plural = _("after-sale messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["request", "created_at"])]

    def __str__(self):
        return f"{self.get_side_display()}: {self.text[:40]}"


class AfterSaleEvidence(models.Model):
    """Evidence from one side: files and a note (photos, invoices, certificates, proof of
    delivery or of a gift sent, proof of having shipped the return)."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photos of the goods")
        INVOICE = "invoice", _("Purchase invoice")
        CERTIFICATE = "certificate", _("Certificate")
        DELIVERY_PROOF = "delivery_proof", _("Proof of delivery")
        GIFT_PROOF = "gift_proof", _("Proof the gift was sent")
        SHIPPING_PROOF = "shipping_proof", _("Proof of shipping the return")
        OTHER = "other", _("Other")

    request = models.ForeignKey(
        AfterSaleRequest, on_delete=models.CASCADE, related_name="evidence",
        verbose_name=_("after-sale request"),
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"),
                               on_delete=models.PROTECT, related_name="+")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("provided at"), default=timezone.now)

    class Meta:
        verbose_name = _("after-sale evidence")
        verbose_name_plural = _("after-sale evidence")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["request", "created_at"])]

    def __str__(self):
        return f"{self.get_side_display()}: {self.get_kind_display()}"


class AfterSaleAttachment(models.Model):
    """An uploaded file of a message or of evidence; stored privately and served only
    through views that check who asks."""

    request = models.ForeignKey(
        AfterSaleRequest, on_delete=models.CASCADE, related_name="attachments",
        verbose_name=_("after-sale request"),
    )
    message = models.ForeignKey(AfterSaleMessage, verbose_name=_("message"),
                                on_delete=models.CASCADE, null=True, blank=True,
                                related_name="attachments")
    evidence = models.ForeignKey(AfterSaleEvidence, verbose_name=_("evidence"),
                                 on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="attachments")
    file = models.FileField(_("file"), upload_to="private/aftersales/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    original_name = models.CharField(_("original file name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("after-sale file")
        verbose_name_plural = _("after-sale files")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(message__isnull=False, evidence__isnull=True)
                | Q(message__isnull=True, evidence__isnull=False),
                name="aftersale_attachment_one_owner",
            )
        ]

    def __str__(self):
        return self.original_name or self.file.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Ruling(models.Model):
    """A support agent's ruling (裁定) on an escalated request. Final in the system; a
    reviewer can reopen it with a reason, which sends the case back to the queue."""

    class Outcome(models.TextChoices):
        FULL_REFUND = "full_refund", _("Full refund")
        PARTIAL_REFUND = "partial_refund", _("Partial refund")
        EXCHANGE = "exchange", _("Exchange")
        REJECTED = "rejected", _("Request rejected")

    class Fault(models.TextChoices):
        MERCHANT_QUALITY = "merchant_quality", _("Merchant: quality problem")
        MERCHANT_WRONG_ITEM = "merchant_wrong_item", _("Merchant: wrong or missing item")
        MERCHANT_OTHER = "merchant_other", _("Merchant: shipping, signing, gift or service")
        BUYER = "buyer", _("Buyer")
        NONE = "none", _("Nobody")

    class Payer(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        MERCHANT = "merchant", _("Merchant")

    request = models.ForeignKey(AfterSaleRequest, on_delete=models.PROTECT,
                                related_name="rulings", verbose_name=_("after-sale request"))
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("support agent"),
                              on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    return_required = models.BooleanField(_("goods must be returned"), default=False)
    fault = models.CharField(_("at fault"), max_length=24, choices=Fault.choices)
    merchant_at_fault = models.BooleanField(_("merchant at fault"), default=False)
    amount = MoneyField(_("amount ruled"), default=0)
    gift_deduction = MoneyField(_("gift deduction (marked value)"), default=0)
    postage_deduction = MoneyField(_("outbound postage deducted"), default=0)
    net_amount = MoneyField(_("paid to the buyer"), default=0)
    refusal_has_reason = models.BooleanField(_("refusal had a reason"), default=False)
    agreed_payer = models.CharField(_("both agreed who pays postage"), max_length=10,
                                    choices=Payer.choices, blank=True)
    fee_basis = models.CharField(_("fee rule applied"), max_length=30, blank=True,
                                 choices=list(rules.FEE_BASIS_LABELS.items()))
    suggested_outbound_payer = models.CharField(_("suggested outbound postage payer"),
                                                max_length=10, blank=True,
                                                choices=Payer.choices)
    suggested_return_payer = models.CharField(_("suggested return postage payer"),
                                              max_length=10, blank=True,
                                              choices=Payer.choices)
    outbound_postage_payer = models.CharField(_("outbound postage paid by"), max_length=10,
                                              choices=Payer.choices)
    return_postage_payer = models.CharField(_("return postage paid by"), max_length=10,
                                            choices=Payer.choices)
    fee_override_reason = models.TextField(
        _("why the postage differs from the rule"), blank=True,
        help_text=_("Needed when the payers differ from the fee rule, or when outbound postage "
                    "is deducted although the buyer does not bear it on a free-shipping "
                    "order."))
    platform_pays_first = models.BooleanField(_("platform pays first (先行赔付)"), default=False)
    reasoning = models.TextField(_("reasoning"))
    at = models.DateTimeField(_("ruled at"), default=timezone.now)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reopened by"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reopen_reason = models.TextField(_("why reopened"), blank=True)

    class Meta:
        verbose_name = _("ruling")
        verbose_name_plural = _("rulings")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request"], condition=Q(reopened_at__isnull=True),
                                    name="ruling_one_standing_per_request"),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(gift_deduction__gte=0)
                & Q(postage_deduction__gte=0) & Q(net_amount__gte=0),
                name="ruling_amounts_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.request_id}: {self.get_outcome_display()}"

    @property
    def is_standing(self) -> bool:
        return self.reopened_at is None


class RefusedParcelIntake(models.Model):
    """A returned-parcel tracking event the refusal sweep has handled (拒收退回): one row per
    event, so the sweep reads only events it has not handled yet, from a window after the
    newest handled one, instead of every returned parcel ever tracked."""

    tracking_event = models.OneToOneField(
        "shop.TrackingEvent", verbose_name=_("tracking event"), on_delete=models.CASCADE,
        related_name="refused_parcel_intake",
    )
    order = models.ForeignKey("shop.Order", verbose_name=_("order"), on_delete=models.CASCADE,
                              related_name="+")
    at = models.DateTimeField(_("back at the merchant at"))
    handled_at = models.DateTimeField(_("handled at"), default=timezone.now)
    requests_touched = models.PositiveIntegerField(_("after-sale requests touched"), default=0)

    class Meta:
        verbose_name = _("refused parcel handled")
        verbose_name_plural = _("refused parcels handled")
        # The sweep's window starts from the newest handled event: Max("at") reads the end
        # of this index.
        indexes = [models.Index(fields=["at"], name="aftersale_refusal_intake_at")]

    def __str__(self):
        return f"{self.tracking_event_id} @ {self.at:%Y-%m-%d %H:%M}"
