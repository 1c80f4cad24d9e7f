"""factory-boy factories shared by all test modules."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile

from common import roles
from compliance.models import Category
from shop import models as shop

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("test-pass-123!")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            roles.sync_role_groups()
            self.groups.add(Group.objects.get(name=extracted))
            if extracted == roles.REVIEWER:
                self.is_staff = True
                self.save(update_fields=["is_staff"])


class CategoryFactory(factory.django.DjangoModelFactory):
    """A leaf under an open root, unless told otherwise."""

    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"cat{n}")
    name = factory.Sequence(lambda n: f"类目{n}")
    level = factory.LazyAttribute(lambda o: (o.parent.level + 1) if o.parent else 1)
    status = factory.LazyAttribute(lambda o: "" if o.parent else Category.Status.OPEN)
    parent = None


def leaf_category(**kwargs):
    root = CategoryFactory(code="t_root", name="测试一级", status=Category.Status.OPEN)
    mid = CategoryFactory(code="t_root.mid", name="测试二级", parent=root, status="")
    return CategoryFactory(parent=mid, **kwargs)


class MerchantApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = shop.MerchantApplication

    applicant = factory.SubFactory(UserFactory, role=roles.MERCHANT)
    status = shop.MerchantApplication.Status.APPROVED
    real_name = "张三"
    id_number = "11010119900307002X"
    entity_type = shop.MerchantApplication.EntityType.ENTERPRISE
    licence_file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="licence.pdf"))
    licence_content_type = "application/pdf"
    credit_code = "91350100M000100Y43"
    registered_name = factory.Sequence(lambda n: f"测试商贸有限公司{n}")
    business_scope = "日用百货销售"
    contact_phone = "13800138000"
    store_name = factory.Sequence(lambda n: f"申请小店{n}")


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = shop.Store

    merchant = factory.SubFactory(UserFactory, role=roles.MERCHANT)
    application = factory.SubFactory(
        MerchantApplicationFactory, applicant=factory.SelfAttribute("..merchant")
    )
    name = factory.Sequence(lambda n: f"测试小店{n}")
    slug = factory.Sequence(lambda n: f"store-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = shop.Product

    store = factory.SubFactory(StoreFactory)
    title = factory.Sequence(lambda n: f"纯棉T恤 {n}")
    category = factory.LazyFunction(lambda: leaf_category(code="t_root.mid.leaf", name="T恤"))
    description = "舒适透气"
    status = shop.Product.Status.LISTED


class SkuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = shop.Sku

    product = factory.SubFactory(ProductFactory)
    attributes = factory.Sequence(lambda n: {"颜色": f"色{n}", "尺码": "M"})
    attributes_key = factory.LazyAttribute(
        lambda o: "|".join(f"{k}={v}" for k, v in sorted(o.attributes.items()))
    )
    price = Decimal("99.00")
    stock = 10
