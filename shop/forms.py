"""Form fields shared by the product forms (merchant pages; the API serializers use the
same limits).

``ProductForm`` in ``shop.views.products`` should declare its fields with these:

    description = product_description_field()
    image = product_image_field()
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.uploads import SniffedImageField
from shop.services.products import description_too_long_message, product_description_max_length


class ProductDescriptionField(forms.CharField):
    """The description (a TextField, no length in the table) up to the configured
    `product.description_max_length`, read when the form is checked: the same cap as the
    product service, so the form and the service agree whatever a reviewer sets."""

    def validate(self, value):
        super().validate(value)
        limit = product_description_max_length()
        if value and len(value) > limit:
            raise ValidationError(description_too_long_message(limit), code="max_length")


def product_description_field(**kwargs) -> forms.CharField:
    kwargs.setdefault("label", _("Description"))
    kwargs.setdefault("required", False)
    kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 5}))
    return ProductDescriptionField(**kwargs)


def product_image_field(**kwargs) -> SniffedImageField:
    """The main image: JPEG or PNG by content, whatever the name (a PNG named .svg is a
    PNG), size checked before anything is decoded."""
    kwargs.setdefault("label", _("Main image (JPG or PNG)"))
    kwargs.setdefault("required", False)
    return SniffedImageField(**kwargs)
