"""Merchant forms of the compliance area."""

import dataclasses

from django import forms
from django.conf import settings
from django.core.files.base import File
from django.utils.translation import gettext_lazy as _

from common.uploads import reencode_image, validate_upload
from compliance.models import QualificationType

MAX_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else single(data, initial)


class DateInput(forms.DateInput):
    input_type = "date"


class QualificationUploadForm(forms.Form):
    type = forms.ModelChoiceField(
        label=_("Qualification type"), queryset=QualificationType.objects.order_by("code")
    )
    number = forms.CharField(label=_("Certificate number"), max_length=80, required=False)
    issuer = forms.CharField(label=_("Issued by"), max_length=120, required=False)
    valid_from = forms.DateField(label=_("Valid from (issue date)"), widget=DateInput)
    valid_until = forms.DateField(
        label=_("Valid until"), widget=DateInput, required=False,
        help_text=_("Leave empty when the document does not expire."),
    )
    files = MultipleFileField(
        label=_("Files"),
        help_text=_("PDF, JPG or PNG; up to %(count)s files.") % {"count": MAX_FILES},
    )

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        if len(uploads) > MAX_FILES:
            raise forms.ValidationError(
                _("Attach at most %(count)s files."), params={"count": MAX_FILES},
                code="too_many_files",
            )
        cleaned = []
        for upload in uploads:
            info = validate_upload(
                upload, allowed=("pdf", "jpg", "png"), max_bytes=settings.UPLOAD_MAX_BYTES
            )
            if info.kind in ("jpg", "png"):
                content = reencode_image(upload, info.kind)
                info = dataclasses.replace(info, size=content.size)
            else:
                content = File(upload)
            cleaned.append((content, info, upload.name))
        return cleaned
