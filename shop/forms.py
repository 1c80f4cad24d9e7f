"""Form fields shared by the product forms (merchant pages; the API serializers use the
same limits).

``ProductForm`` in ``shop.views.products`` should declare its fields with these:

    description = product_description_field()
    image = product_image_field()
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.uploads import SniffedImageField

# The description is a TextField (no length in the schema); this is the limit a merchant
# can submit. A product page reads comfortably well below it.
PRODUCT_DESCRIPTION_MAX_LENGTH = 5000


def product_description_field(**kwargs) -> forms.CharField:
    kwargs.setdefault("label", _("Description"))
    kwargs.setdefault("required", False)
    kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 5}))
    return forms.CharField(max_length=PRODUCT_DESCRIPTION_MAX_LENGTH, **kwargs)


def product_image_field(**kwargs) -> SniffedImageField:
    """The main image: JPEG or PNG by content, whatever the name (a PNG named .svg is a
    PNG), size checked before anything is decoded."""
    kwargs.setdefault("label", _("Main image (JPG or PNG)"))
    kwargs.setdefault("required", False)
    return SniffedImageField(**kwargs)
