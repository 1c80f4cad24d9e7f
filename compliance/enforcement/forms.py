"""Forms of enforcement: the merchant's appeal, the reviewer's violation entry."""

import dataclasses

from django import forms
from django.conf import settings
from django.core.files.base import File
from django.utils.translation import gettext_lazy as _

from common.uploads import reencode_image, validate_upload
from compliance.enforcement.models import (
    Lab,
    Measure,
    SamplingInspection,
    SourceKind,
    ViolationType,
)
from compliance.forms import MAX_FILES, MultipleFileField


def clean_evidence(uploads, *, max_files: int = MAX_FILES):
    """(content, UploadInfo, original name) triples of checked uploads."""
    uploads = [u for u in (uploads or []) if u]
    if len(uploads) > max_files:
        raise forms.ValidationError(_("Attach at most %(count)s files."),
                                    params={"count": max_files}, code="too_many_files")
    cleaned = []
    for upload in uploads:
        info = validate_upload(upload, allowed=("pdf", "jpg", "png"),
                               max_bytes=settings.UPLOAD_MAX_BYTES)
        if info.kind in ("jpg", "png"):
            content = reencode_image(upload, info.kind)
            info = dataclasses.replace(info, size=content.size)
        else:
            content = File(upload)
        cleaned.append((content, info, upload.name))
    return cleaned


class AppealForm(forms.Form):
    text = forms.CharField(label=_("Why the violation is wrong"), widget=forms.Textarea,
                           max_length=2000)
    files = MultipleFileField(label=_("Evidence"), required=False,
                              help_text=_("PDF, JPG or PNG."))
    confirm = forms.BooleanField(label=_("I confirm: send this appeal (it can be sent once)"))

    def clean_files(self):
        return clean_evidence(self.cleaned_data.get("files"))


class ViolationEntryForm(forms.Form):
    """A reviewer records a violation: first a preview, then the confirmation."""

    store = forms.IntegerField(label=_("Store ID"), min_value=1)
    type = forms.ModelChoiceField(label=_("Violation type"),
                                  queryset=ViolationType.objects.filter(active=True))
    source_kind = forms.ChoiceField(label=_("Source"), choices=SourceKind.choices)
    points = forms.IntegerField(label=_("Points"), min_value=0, max_value=1000, required=False,
                                help_text=_("Empty: the type's default points."))
    reason = forms.CharField(label=_("What happened"), widget=forms.Textarea, max_length=2000)
    files = MultipleFileField(label=_("Evidence"), required=False)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_files(self):
        return clean_evidence(self.cleaned_data.get("files"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("uphold", _("Refuse the appeal: uphold")),
                                          ("revoke", _("Accept the appeal: revoke"))],
                                 label=_("Decision"), widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=2000)


class MeasureForm(forms.Form):
    store = forms.IntegerField(label=_("Store ID"), min_value=1)
    kind = forms.ChoiceField(label=_("Measure"), choices=Measure.Kind.choices)
    product = forms.IntegerField(label=_("Product ID"), min_value=1, required=False,
                                 help_text=_("Only to delist one product."))
    ends_at = forms.DateTimeField(label=_("Ends at"), required=False,
                                  help_text=_("Empty: until lifted (YYYY-MM-DD HH:MM). An "
                                              "account ban in steps takes its end from the "
                                              "ban ladder: leave it empty."))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=2000)


class LiftForm(forms.Form):
    reason = forms.CharField(label=_("Why the measure is lifted"), widget=forms.Textarea,
                             max_length=2000)


class InspectionPlanForm(forms.Form):
    product = forms.IntegerField(label=_("Product ID"), min_value=1, required=False)
    draw = forms.IntegerField(label=_("Or draw this many products"), min_value=1,
                              max_value=100, required=False)


class InspectionStepForm(forms.Form):
    """The next step of an inspection; only the fields of its status are shown."""

    order = forms.IntegerField(label=_("Sample order ID"), min_value=1, required=False)
    lab = forms.ModelChoiceField(label=_("Lab"), queryset=Lab.objects.filter(active=True),
                                 required=False)
    passed = forms.TypedChoiceField(label=_("Result"), required=False,
                                    choices=[("", "—"), ("1", _("Pass")), ("0", _("Fail"))],
                                    coerce=lambda v: v == "1", empty_value=None)
    failed_items = forms.MultipleChoiceField(
        label=_("Items failed"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[("mandatory_standard", _("Mandatory national or product standard")),
                 ("brand_copyright", _("Brand and copyright")),
                 ("detail_claims", _("Claims on the detail page"))])
    report = forms.FileField(label=_("Report"), required=False)
    decision = forms.ChoiceField(label=_("Appeal"), required=False, choices=[
        ("", "—"), ("accept", _("Accept: re-inspect")), ("refuse", _("Refuse"))])
    fee_amount = forms.DecimalField(label=_("Re-inspection fee"), max_digits=12,
                                    decimal_places=2, min_value=0, required=False)
    refusal = forms.ChoiceField(label=_("Refused because"), required=False,
                                choices=[("", "—"), *SamplingInspection.Refusal.choices])

    STEP_FIELDS = {
        "selected": ["order"],
        "sample_ordered": ["lab"],
        "at_lab": ["passed", "failed_items", "report"],
        "appealed": ["decision", "fee_amount", "refusal"],
        "retesting": ["passed", "report"],
    }

    def __init__(self, *args, status, **kwargs):
        super().__init__(*args, **kwargs)
        keep = self.STEP_FIELDS.get(status, [])
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]

    def clean_report(self):
        upload = self.cleaned_data.get("report")
        if not upload:
            return None
        return clean_evidence([upload], max_files=1)[0]
