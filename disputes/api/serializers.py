"""Input and output serializers of the after-sale APIs. Inputs check shapes only; the
services decide. Outputs carry the state, the running deadlines (timestamps, for the app's
countdowns), the actions the caller may take and why the others are not offered."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.serializers import ID_MAX, TextField
from disputes import rules
from disputes.models import (
    AfterSaleAttachment,
    AfterSaleEvent,
    AfterSaleEvidence,
    AfterSaleMessage,
    AfterSaleRequest,
    Ruling,
)
from disputes.services import OFFLINE_PROPOSAL_MAX_LENGTH
from shop.rules.orders import COURIERS


def _choices(choices) -> str:
    return ", ".join(choices.values)


def _code_of(choices, **kwargs) -> TextField:
    """A plain string that the service checks against `choices` (with its own refusal
    code), listed as an enum in the schema so that clients know the values up front."""
    field_class = extend_schema_field({"type": "string", "enum": list(choices.values)})(
        type(f"{choices.__name__}Code", (TextField,), {}))
    return field_class(max_length=max(len(v) for v in choices.values),
                       help_text=_choices(choices), **kwargs)


# --- inputs ---------------------------------------------------------------------------------
class OpenIn(serializers.Serializer):
    order_number = TextField(max_length=32)
    line = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text=_("Order line id"))
    # Checked by the service (a ChoiceField's enum would be named after "kind", which other
    # apps' components already use).
    kind = _code_of(AfterSaleRequest.Kind)
    reason = _code_of(AfterSaleRequest.Reason)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False,
                                      allow_null=True,
                                      help_text=_("Default: everything still refundable"))
    description = TextField(max_length=2000, required=False, allow_blank=True)
    goods_intact = serializers.BooleanField(required=False, default=False)


class WaybillIn(serializers.Serializer):
    courier = serializers.ChoiceField(choices=list(COURIERS.items()))
    waybill_number = TextField(max_length=40)


class ReasonIn(serializers.Serializer):
    reason = TextField(max_length=2000)


class ShortReasonIn(serializers.Serializer):
    """An offline settlement proposal: as long as the service keeps it."""

    reason = TextField(max_length=OFFLINE_PROPOSAL_MAX_LENGTH)


class OptionalReasonIn(serializers.Serializer):
    reason = TextField(max_length=200, required=False, allow_blank=True)


class ContactIn(serializers.Serializer):
    message = TextField(max_length=2000)


class ApproveIn(serializers.Serializer):
    return_required = serializers.BooleanField(
        help_text=_("True: the buyer returns the goods first; false: refund without return"))


class MessageIn(serializers.Serializer):
    text = TextField(max_length=2000, required=False, allow_blank=True)
    images = serializers.ListField(child=serializers.FileField(), required=False,
                                   help_text=_("JPEG or PNG images"))


class MessageTextIn(serializers.Serializer):
    """A message in JSON: text only (images come as multipart/form-data)."""

    text = TextField(max_length=2000, required=False, allow_blank=True)


class EvidenceIn(serializers.Serializer):
    kind = TextField(max_length=20, help_text=_choices(AfterSaleEvidence.Kind))
    note = TextField(max_length=2000, required=False, allow_blank=True)
    files = serializers.ListField(child=serializers.FileField(), required=False,
                                  help_text=_("JPEG, PNG or PDF files"))


class EvidenceNoteIn(serializers.Serializer):
    """Evidence in JSON: a note without files (files come as multipart/form-data)."""

    kind = TextField(max_length=20, help_text=_choices(AfterSaleEvidence.Kind))
    note = TextField(max_length=2000, required=False, allow_blank=True)


class SellerListIn(serializers.Serializer):
    """Filters of the merchant's list; a value outside them is a 400, not an empty page."""

    status = serializers.ChoiceField(
        choices=["open", *AfterSaleRequest.Status.values], required=False, allow_blank=True,
        help_text="A status, or “open” for every request not yet finished.")
    kind = serializers.ChoiceField(choices=AfterSaleRequest.Kind.values, required=False,
                                   allow_blank=True)
    escalated = serializers.ChoiceField(choices=["true", "false"], required=False,
                                        allow_blank=True)
    q = TextField(max_length=40, required=False, allow_blank=True,
                  help_text="An order number, a return waybill or a request id.")


# --- outputs --------------------------------------------------------------------------------
class AttachmentOut(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = AfterSaleAttachment
        fields = ["id", "url", "content_type", "original_name", "size"]

    def get_url(self, obj) -> str:
        return reverse(self.context["attachment_url_name"], args=[obj.request_id, obj.pk])


class MessageOut(serializers.ModelSerializer):
    side = serializers.CharField()
    author = serializers.CharField(source="author.get_username")
    attachments = AttachmentOut(many=True, read_only=True)

    class Meta:
        model = AfterSaleMessage
        fields = ["id", "side", "author", "text", "created_at", "attachments"]


class EvidenceOut(serializers.ModelSerializer):
    side = serializers.CharField()
    kind = serializers.CharField()
    author = serializers.CharField(source="author.get_username")
    kind_label = serializers.CharField(source="get_kind_display")
    attachments = AttachmentOut(many=True, read_only=True)

    class Meta:
        model = AfterSaleEvidence
        fields = ["id", "side", "author", "kind", "kind_label", "note", "created_at",
                  "attachments"]


class EventOut(serializers.ModelSerializer):
    side = serializers.CharField()
    actor = serializers.CharField(source="actor_display")
    to_status_label = serializers.CharField()
    reason = serializers.CharField(source="reason_display",
                                   help_text=_("Why, in the reader's language"))

    class Meta:
        model = AfterSaleEvent
        fields = ["from_status", "to_status", "to_status_label", "side", "actor", "reason", "at"]


class RulingOut(serializers.ModelSerializer):
    outcome = serializers.CharField()
    fault = serializers.CharField()
    outbound_postage_payer = serializers.CharField()
    return_postage_payer = serializers.CharField()
    outcome_label = serializers.CharField(source="get_outcome_display")
    fault_label = serializers.CharField(source="get_fault_display")
    agent = serializers.CharField(source="agent.get_username")

    class Meta:
        model = Ruling
        fields = ["outcome", "outcome_label", "return_required", "fault", "fault_label",
                  "merchant_at_fault", "amount", "gift_deduction", "postage_deduction",
                  "net_amount", "outbound_postage_payer", "return_postage_payer",
                  "fee_override_reason", "platform_pays_first", "reasoning", "agent", "at"]


class ActionOut(serializers.Serializer):
    name = serializers.CharField()
    allowed = serializers.BooleanField()
    why = serializers.CharField(allow_null=True)
    why_code = serializers.CharField(allow_null=True)


def actions_for(request: AfterSaleRequest, side: str) -> list[dict]:
    table = rules.merchant_actions if side == "merchant" else rules.buyer_actions
    return [
        {"name": name, "allowed": why is None, "why_code": why,
         "why": str(rules.WHY[why]) if why else None}
        for name, why in table(request.state).items()
    ]


class DeadlinesOut(serializers.Serializer):
    contact_by = serializers.DateTimeField(required=False)
    review_by = serializers.DateTimeField(required=False)
    buyer_ship_by = serializers.DateTimeField(required=False)
    auto_close_at = serializers.DateTimeField(required=False)
    receive_by = serializers.DateTimeField(required=False)
    reship_by = serializers.DateTimeField(required=False)
    refusal_refund_by = serializers.DateTimeField(required=False)
    quality_review_by = serializers.DateTimeField(required=False)
    agent_handle_by = serializers.DateTimeField(required=False)


class RequestOut(serializers.ModelSerializer):
    """One row of a list."""

    order_number = serializers.CharField(source="order.number")
    kind = serializers.CharField()
    reason = serializers.CharField()
    status = serializers.CharField()
    line_title = serializers.CharField(source="line.title")
    status_label = serializers.CharField(source="get_status_display")
    kind_label = serializers.CharField(source="get_kind_display")
    reason_label = serializers.CharField(source="get_reason_display")
    deadlines = serializers.SerializerMethodField()

    class Meta:
        model = AfterSaleRequest
        fields = ["id", "order_number", "line", "line_title", "kind", "kind_label", "reason",
                  "reason_label", "amount", "status", "status_label", "deadlines",
                  "escalated_at", "refunded_amount", "payout_amount", "created_at",
                  "updated_at"]

    @extend_schema_field(DeadlinesOut)
    def get_deadlines(self, obj) -> dict:
        return {name: serializers.DateTimeField().to_representation(value)
                for name, value in obj.deadlines().items()}


class RequestDetailOut(RequestOut):
    store = serializers.CharField(source="store.name")
    resolution = serializers.CharField()
    escalated_by = serializers.CharField()
    escalation_reason_label = serializers.CharField(read_only=True)
    actions = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    events = EventOut(many=True, read_only=True)
    messages = MessageOut(many=True, read_only=True)
    evidence = EvidenceOut(many=True, read_only=True)
    ruling = serializers.SerializerMethodField()

    class Meta(RequestOut.Meta):
        fields = RequestOut.Meta.fields + [
            "store", "description", "goods_intact", "resolution", "opened_by_system",
            "contacted_at", "contact_missed", "ship_reminded", "reship_overdue",
            "rejection_reason", "offline_proposal", "return_address", "return_courier",
            "return_waybill", "return_shipped_at", "received_at", "reship_courier",
            "reship_waybill", "reshipped_at", "escalated_by", "escalation_reason",
            "escalation_reason_label",
            "platform_pays", "settled_at", "closed_at", "actions", "allowed_actions",
            "events", "messages", "evidence", "ruling",
        ]

    @extend_schema_field(ActionOut(many=True))
    def get_actions(self, obj) -> list:
        return actions_for(obj, self.context["side"])

    def get_allowed_actions(self, obj) -> list[str]:
        return [a["name"] for a in actions_for(obj, self.context["side"]) if a["allowed"]]

    @extend_schema_field(RulingOut(allow_null=True))
    def get_ruling(self, obj):
        standing = next((r for r in obj.rulings.all() if r.reopened_at is None), None)
        return RulingOut(standing).data if standing else None
