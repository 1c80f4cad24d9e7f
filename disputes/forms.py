"""Forms of the merchant after-sale pages and the support workbench. They check shapes;
the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from disputes.models import AfterSaleEvidence, AfterSaleRequest, Ruling
from shop.rules.orders import COURIERS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


# --- merchant -------------------------------------------------------------------------------
class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("All")), ("open", _("Open requests")), ("merchant", _("Waiting for me"))]
        + list(AfterSaleRequest.Status.choices))
    kind = forms.ChoiceField(label=_("Type"), required=False,
                             choices=[("", _("All"))] + list(AfterSaleRequest.Kind.choices))
    escalated = forms.ChoiceField(
        label=_("Support"), required=False,
        choices=[("", _("All")), ("yes", _("Escalated")), ("no", _("Not escalated"))])
    q = forms.CharField(label=_("Order number, waybill or request"), required=False,
                        max_length=40)

    def filters(self) -> dict:
        data = self.cleaned_data
        return {"status": data["status"], "kind": data["kind"], "q": data["q"],
                "escalated": {"yes": True, "no": False}.get(data["escalated"])}


class ContactForm(forms.Form):
    message = forms.CharField(label=_("Message to the buyer"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class OfflineForm(forms.Form):
    reason = forms.CharField(label=_("What was agreed (repair, exchange…)"), max_length=200)


class ShipForm(forms.Form):
    courier = forms.ChoiceField(label=_("Courier"), choices=list(COURIERS.items()))
    waybill_number = forms.CharField(label=_("Waybill number"), max_length=40)


class MessageForm(forms.Form):
    text = forms.CharField(label=_("Message"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    images = MultipleFileField(label=_("Images"), required=False,
                               widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}))


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("What it shows"), choices=AfterSaleEvidence.Kind.choices)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    files = MultipleFileField(
        label=_("Files (JPEG, PNG, PDF)"), required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}))


class ReturnAddressForm(forms.Form):
    name = forms.CharField(label=_("Recipient"), max_length=40)
    phone = forms.CharField(label=_("Phone"), max_length=20)
    province = forms.CharField(label=_("Province"), max_length=20)
    city = forms.CharField(label=_("City"), max_length=20)
    district = forms.CharField(label=_("District"), max_length=20)
    detail = forms.CharField(label=_("Street address"), max_length=120)


# --- support --------------------------------------------------------------------------------
class CaseFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Cases"), required=False,
        choices=[("open", _("Waiting for a ruling")), ("ruled", _("Ruled")), ("all", _("All"))])
    assigned = forms.ChoiceField(
        label=_("Assigned"), required=False,
        choices=[("", _("Everyone")), ("me", _("Assigned to me")),
                 ("unassigned", _("Unassigned"))])
    store = forms.CharField(label=_("Store address"), required=False, max_length=40)


class AssignForm(forms.Form):
    agent = forms.ModelChoiceField(label=_("Hand over to"), queryset=None)
    reason = forms.CharField(label=_("Why"), max_length=200)

    def __init__(self, *args, agents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents


PAYER_CHOICES = [("", _("As the rule suggests"))] + list(Ruling.Payer.choices)


class RulingForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Ruling.Outcome.choices)
    return_required = forms.BooleanField(label=_("Goods must be returned"), required=False)
    fault = forms.ChoiceField(label=_("Who is at fault"), choices=Ruling.Fault.choices)
    amount = forms.DecimalField(label=_("Partial refund amount"), required=False,
                                max_digits=12, decimal_places=2, min_value=0)
    gift_deduction = forms.DecimalField(
        label=_("Gift deduction (marked value)"), required=False, max_digits=12,
        decimal_places=2, min_value=0,
        help_text=_("A damaged or missing gift cannot block a return; its marked value may "
                    "be deducted."))
    postage_deduction = forms.DecimalField(
        label=_("Outbound postage deducted"), required=False, max_digits=12, decimal_places=2,
        min_value=0,
        help_text=_("When the buyer bears the outbound postage of a free-shipping order: the "
                    "amount the merchant actually paid."))
    refusal_has_reason = forms.BooleanField(label=_("The refusal to sign had a reason"),
                                            required=False)
    agreed_payer = forms.ChoiceField(
        label=_("Both sides agreed who pays postage"), required=False,
        choices=[("", _("No agreement"))] + list(Ruling.Payer.choices))
    outbound_payer = forms.ChoiceField(label=_("Outbound postage paid by"), required=False,
                                       choices=PAYER_CHOICES)
    return_payer = forms.ChoiceField(label=_("Return postage paid by"), required=False,
                                     choices=PAYER_CHOICES)
    fee_override_reason = forms.CharField(
        label=_("Why the postage differs from the rule"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}))
    platform_pays_first = forms.BooleanField(
        label=_("Platform pays first (先行赔付) and deducts the deposit"), required=False)
    reasoning = forms.CharField(label=_("Reasoning (both sides see it)"), max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 4}))
