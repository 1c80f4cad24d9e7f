"""Merchant forms of the compliance area."""

import dataclasses

from django import forms
from django.conf import settings
from django.core.files.base import File
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.uploads import reencode_image, validate_upload
from compliance import rules
from compliance.models import QualificationType
from compliance.presentation import CHOICE_LABELS, DETAIL_LABELS, NUMBER_LABELS

MAX_FILES = 10
CHAIN_ROWS = 4  # rows offered for the chain of authorisations; blank rows are ignored
BASE_FIELDS = ("number", "issuer", "valid_from", "valid_until", "files")
# Sections of the details on the form; a type not named here has one section.
DETAIL_SECTIONS = {
    "import_customs_inspection": (
        (_("Customs declaration"),
         ("declaration_number", "declaration_batch_number", "declaration_issued_on")),
        (_("Entry inspection certificate"),
         ("inspection_certificate_number", "inspection_batch_number", "inspection_issued_on")),
    ),
}


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


class QualificationTypeForm(forms.Form):
    """Step one of an upload: which qualification. The form of step two depends on it."""

    type = forms.ModelChoiceField(
        label=_("Qualification type"), queryset=QualificationType.objects.order_by("code")
    )


class QualificationUploadForm(forms.Form):
    """Step two: the document of one type, with that type's details. The details are
    collected as given; `compliance.services.qualification_submit` judges them, and its
    refusal is put back on the fields at fault by `add_application_error`."""

    number = forms.CharField(label=_("Certificate number"), max_length=80, required=False)
    issuer = forms.CharField(label=_("Issued by"), max_length=120, required=False)
    valid_from = forms.DateField(label=_("Valid from (issue date)"), widget=DateInput)
    valid_until = forms.DateField(
        label=_("Valid until"), widget=DateInput, required=False,
        help_text=_("Leave empty when the document does not expire."),
    )
    files = MultipleFileField(label=_("Files"))

    def __init__(self, *args, qualification_type, **kwargs):
        super().__init__(*args, **kwargs)
        self.qualification_type = qt = qualification_type
        # Formatted per form: a lazy message formatted at import time would stay in the
        # language active then.
        self.fields["files"].help_text = _("PDF, JPG or PNG; up to %(count)s files.") % {
            "count": MAX_FILES
        }
        if not qt.requires_number:
            del self.fields["number"]
        elif qt.code in NUMBER_LABELS:
            self.fields["number"].label = NUMBER_LABELS[qt.code]
        specs = rules.detail_fields(qt.code)
        if any(spec.role == rules.ISSUED_ON for spec in specs):
            # Each document carries its own issue date, and they age out; no other dates.
            del self.fields["valid_from"]
            del self.fields["valid_until"]
        self.chain_key = None
        for spec in specs:
            if spec.kind == rules.CHAIN:
                self.chain_key = spec.key
                for row in range(CHAIN_ROWS):
                    for key in rules.CHAIN_LINK_KEYS:
                        self.fields[self._chain_field(row, key)] = self._link_field(key)
            else:
                self.fields[spec.key] = self._detail_field(spec)
        self._chain_rows_used: list[int] = []
        bounds = {"min": rules.EARLIEST_DOCUMENT_DATE.isoformat(),
                  "max": rules.latest_document_date(timezone.localdate()).isoformat()}
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget.attrs.update(bounds)

    @staticmethod
    def _chain_field(row, key):
        return f"chain_{row}_{key}"

    @staticmethod
    def _detail_field(spec):
        label = DETAIL_LABELS.get(spec.key, spec.key)
        # Not required here: the service names every missing detail in one answer.
        if spec.kind == rules.CHOICE:
            return forms.ChoiceField(
                label=label, required=False,
                choices=[("", "—"), *((c, CHOICE_LABELS.get(c, c)) for c in spec.choices)],
            )
        if spec.kind == rules.DATE:
            return forms.DateField(label=label, required=False, widget=DateInput)
        return forms.CharField(label=label, required=False, max_length=200)

    @staticmethod
    def _link_field(key):
        label = DETAIL_LABELS[key]
        attrs = {"aria-label": label}  # the rows of the chain table have no <label>
        if key == "valid_until":
            return forms.DateField(label=label, required=False, widget=DateInput(attrs=attrs))
        return forms.CharField(
            label=label, required=False, max_length=120, widget=forms.TextInput(attrs=attrs)
        )

    # --- for the template ---------------------------------------------------------------
    def base_bound_fields(self):
        return [self[name] for name in BASE_FIELDS if name in self.fields]

    def detail_sections(self):
        """(title or None, bound fields) per section of the type's details."""
        keys = [s.key for s in rules.detail_fields(self.qualification_type.code)
                if s.kind != rules.CHAIN]
        sections = DETAIL_SECTIONS.get(self.qualification_type.code) or ((None, keys),)
        return [(title, [self[k] for k in section_keys]) for title, section_keys in sections]

    def chain_rows(self):
        if self.chain_key is None:
            return []
        return [
            (row + 1, [self[self._chain_field(row, key)] for key in rules.CHAIN_LINK_KEYS])
            for row in range(CHAIN_ROWS)
        ]

    # --- to the service and back ----------------------------------------------------------
    def details(self) -> dict:
        data = self.cleaned_data
        details = {
            s.key: data.get(s.key) for s in rules.detail_fields(self.qualification_type.code)
            if s.kind != rules.CHAIN
        }
        if self.chain_key is not None:
            links, self._chain_rows_used = [], []
            for row in range(CHAIN_ROWS):
                link = {key: data.get(self._chain_field(row, key)) for key in rules.CHAIN_LINK_KEYS}
                if any(value not in (None, "") for value in link.values()):
                    links.append(link)
                    self._chain_rows_used.append(row)
            details[self.chain_key] = links
        return details

    def add_application_error(self, exc) -> None:
        """Put a service refusal on the fields it names (a problem of the n-th link of the
        chain goes to the row that link was entered in)."""
        problems = exc.extra.get("problems") or []
        if not problems:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
            return
        for problem in problems:
            self.add_error(self._field_for(problem["field"]), problem["message"])

    def _field_for(self, field):
        parts = field.split(".")
        if self.chain_key is not None and parts[0] == self.chain_key:
            if len(parts) == 3 and int(parts[1]) < len(self._chain_rows_used):
                return self._chain_field(self._chain_rows_used[int(parts[1])], parts[2])
            return self._chain_field(0, rules.CHAIN_LINK_KEYS[0])
        return field if field in self.fields else None

    def clean(self):
        """Every date of the form within plausible bounds (rules.document_date_in_range):
        a typing slip such as 0001-01-01 or 9999-12-31 is named on its field here rather
        than reaching the expiry arithmetic."""
        data = super().clean()
        today = timezone.localdate()
        for name, field in self.fields.items():
            day = data.get(name)
            if isinstance(field, forms.DateField) and day and not rules.document_date_in_range(
                day, today
            ):
                self.add_error(name, forms.ValidationError(
                    _("Enter a date between %(earliest)s and %(latest)s."),
                    code="date_out_of_range",
                    params={"earliest": rules.EARLIEST_DOCUMENT_DATE.isoformat(),
                            "latest": rules.latest_document_date(today).isoformat()},
                ))
        return data

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
