from decimal import Decimal

import pytest

from common.errors import ApplicationError
from compliance.models import Category
from shop.models import Product, ProductRevision, Sku
from shop.rules.products import PRODUCT_TRANSITIONS, attributes_key, can_move
from shop.services import products as svc
from tests.factories import CategoryFactory, ProductFactory, SkuFactory, StoreFactory, leaf_category

pytestmark = pytest.mark.django_db

SKUS = [
    {"attributes": {"颜色": "白", "尺码": "M"}, "price": "59.00", "stock": 10, "code": "W-M"},
    {"attributes": {"颜色": "白", "尺码": "L"}, "price": "59.00", "stock": 5, "code": "W-L"},
]


@pytest.fixture
def store(merchant):
    return StoreFactory(merchant=merchant)


@pytest.fixture
def leaf():
    return leaf_category(code="t_root.mid.tee", name="T恤")


def _create(store, leaf, **data):
    return svc.product_create(
        store=store, actor=store.merchant, kind="own",
        data={"title": "纯棉T恤", "category_id": leaf.pk, **data}, skus=SKUS,
    )


# --- rules --------------------------------------------------------------------------------
ALL = ["draft", "in_review", "listed", "rejected", "delisted"]


@pytest.mark.parametrize("old", ALL)
@pytest.mark.parametrize("new", ALL)
def test_transition_table_is_exactly_the_lifecycle(old, new):
    allowed = {
        ("draft", "in_review"), ("in_review", "listed"), ("in_review", "rejected"),
        ("in_review", "draft"), ("rejected", "in_review"), ("listed", "delisted"),
        ("delisted", "in_review"), ("delisted", "listed"),
    }
    assert can_move(PRODUCT_TRANSITIONS, old, new) == ((old, new) in allowed)


def test_attributes_key_ignores_order_and_spaces():
    assert attributes_key({"颜色": "红", "尺码": "M"}) == attributes_key({"尺码": "M ", "颜色": " 红"})


# --- lifecycle ------------------------------------------------------------------------------
def test_create_submit_approve_lists_the_product(store, leaf, reviewer):
    product = _create(store, leaf)
    assert product.status == "draft" and product.skus.count() == 2
    revision = svc.product_submit(product=product, actor=store.merchant)
    product.refresh_from_db()
    assert product.status == "in_review" and revision.status == "in_review"
    svc.product_revision_approve(revision=revision, actor=reviewer)
    product.refresh_from_db()
    assert product.status == "listed" and product.listed_at
    assert [e.to_status for e in product.events.all()] == ["draft", "in_review", "listed"]


def test_rejected_product_is_corrected_and_resubmitted(store, leaf, reviewer):
    product = _create(store, leaf)
    revision = svc.product_submit(product=product, actor=store.merchant)
    with pytest.raises(ApplicationError):
        svc.product_revision_reject(revision=revision, actor=reviewer, reason="")
    svc.product_revision_reject(revision=revision, actor=reviewer, reason="主图不清晰")
    product.refresh_from_db()
    assert product.status == "rejected"
    svc.product_update(product=product, actor=store.merchant, data={"title": "纯棉T恤 新图", "category_id": leaf.pk}, skus=SKUS)
    revision2 = svc.product_submit(product=product, actor=store.merchant)
    assert revision2.number == 2 and revision2.payload["title"] == "纯棉T恤 新图"


def test_change_to_listed_product_keeps_listed_version_on_sale(store, leaf, reviewer):
    product = _create(store, leaf)
    svc.product_revision_approve(revision=svc.product_submit(product=product, actor=store.merchant), actor=reviewer)
    new_skus = [{**SKUS[0], "price": "49.00"}, {"attributes": {"颜色": "黑", "尺码": "M"}, "price": "65.00", "stock": 7}]
    svc.product_update(product=product, actor=store.merchant, data={"title": "纯棉T恤 降价", "category_id": leaf.pk}, skus=new_skus)
    product.refresh_from_db()
    assert product.status == "listed" and product.title == "纯棉T恤"  # listed version unchanged
    assert Sku.objects.get(product=product, code="W-M").price == Decimal("59.00")
    revision = svc.product_submit(product=product, actor=store.merchant)
    assert revision.is_change
    product.refresh_from_db()
    assert product.status == "listed"
    # a sale meanwhile changes live stock; approval must not overwrite it
    Sku.objects.filter(product=product, code="W-M").update(stock=3)
    svc.product_revision_approve(revision=revision, actor=reviewer)
    product.refresh_from_db()
    assert product.title == "纯棉T恤 降价"
    w_m = Sku.objects.get(product=product, code="W-M")
    assert w_m.price == Decimal("49.00") and w_m.stock == 3
    assert Sku.objects.get(product=product, attributes_key=attributes_key({"颜色": "白", "尺码": "L"})).is_active is False
    assert Sku.objects.filter(product=product, is_active=True).count() == 2


def test_rejected_change_leaves_listed_product(store, leaf, reviewer):
    product = _create(store, leaf)
    svc.product_revision_approve(revision=svc.product_submit(product=product, actor=store.merchant), actor=reviewer)
    svc.product_update(product=product, actor=store.merchant, data={"title": "改标题", "category_id": leaf.pk}, skus=SKUS)
    revision = svc.product_submit(product=product, actor=store.merchant)
    svc.product_revision_reject(revision=revision, actor=reviewer, reason="标题违规")
    product.refresh_from_db()
    assert product.status == "listed" and product.title == "纯棉T恤"


def test_editing_while_in_review_is_refused(store, leaf):
    product = _create(store, leaf)
    svc.product_submit(product=product, actor=store.merchant)
    with pytest.raises(ApplicationError) as exc:
        svc.product_update(product=product, actor=store.merchant, data={"title": "x", "category_id": leaf.pk}, skus=SKUS)
    assert exc.value.code == "in_review"


@pytest.mark.parametrize(
    "skus,code",
    [
        ([{"attributes": {"颜色": "白"}, "price": "0", "stock": 1}], "invalid_amount"),
        ([{"attributes": {"颜色": "白"}, "price": "-5", "stock": 1}], "invalid_amount"),
        ([{"attributes": {"颜色": "白"}, "price": "abc", "stock": 1}], "invalid_amount"),
        ([{"attributes": {"颜色": "白"}, "price": "9", "stock": -1}], "invalid_stock"),
        ([{"attributes": {"颜色": "白"}, "price": "9", "stock": 1}, {"attributes": {"颜色": "白 "}, "price": "8", "stock": 1}], "sku_duplicate"),
        # longer than the column: a clear refusal, not a database error (a 500 before)
        ([{"attributes": {"颜色": "白"}, "price": "9", "stock": 1, "code": "X" * 65}],
         "sku_code_long"),
    ],
)
def test_bad_sku_grid_is_refused_and_nothing_written(store, leaf, skus, code):
    with pytest.raises(ApplicationError) as exc:
        svc.product_create(store=store, actor=store.merchant, kind="own", data={"title": "T", "category_id": leaf.pk}, skus=skus)
    assert exc.value.code == code
    assert Product.objects.count() == 0 and Sku.objects.count() == 0


@pytest.mark.parametrize("status", [Category.Status.PROHIBITED, Category.Status.NOT_OPEN])
def test_submission_refused_in_closed_category(store, status):
    root = CategoryFactory(code="closed_root", name="禁售类", status=status)
    mid = CategoryFactory(code="closed_root.m", name="二级", parent=root)
    leaf = CategoryFactory(code="closed_root.m.l", name="三级", parent=mid)
    product = _create(store, leaf)
    with pytest.raises(ApplicationError) as exc:
        svc.product_submit(product=product, actor=store.merchant)
    assert exc.value.code in ("category_prohibited", "category_not_open")
    product.refresh_from_db()
    assert product.status == "draft" and not ProductRevision.objects.filter(product=product).exists()


def test_other_platform_product_link_recognised(store, leaf):
    product = svc.product_create(
        store=store, actor=store.merchant, kind="other_platform",
        data={"title": "京东同款", "category_id": leaf.pk, "link": "看看 https://item.jd.com/100012043978.html 这个", "external_price": "88"},
    )
    assert product.platform == "jd" and product.external_item_id == "100012043978"


def test_other_platform_unknown_host_is_refused(store, leaf):
    with pytest.raises(ApplicationError) as exc:
        svc.product_create(
            store=store, actor=store.merchant, kind="other_platform",
            data={"title": "x", "category_id": leaf.pk, "link": "https://www.amazon.cn/dp/B0001", "external_price": "88"},
        )
    assert exc.value.code == "platform_not_supported"
    assert Product.objects.count() == 0


def test_stock_edit_never_negative(store):
    sku = SkuFactory(product=ProductFactory(store=store), stock=5)
    with pytest.raises(ApplicationError):
        svc.sku_stock_set(sku=sku, actor=store.merchant, stock=-1)
    svc.sku_stock_set(sku=sku, actor=store.merchant, stock=12)
    assert Sku.objects.get(pk=sku.pk).stock == 12
    assert svc.sku_stock_adjust(sku=sku, delta=-13) is False
    assert svc.sku_stock_adjust(sku=sku, delta=-12) is True
    assert Sku.objects.get(pk=sku.pk).stock == 0


def test_bulk_delist_only_touches_own_listed_products(store, other_merchant):
    mine = [ProductFactory(store=store) for _ in range(2)]
    theirs = ProductFactory(store=StoreFactory(merchant=other_merchant))
    count = svc.product_bulk_delist(store=store, product_ids=[p.pk for p in mine] + [theirs.pk], actor=store.merchant, reason="清仓")
    assert count == 2
    theirs.refresh_from_db()
    assert theirs.status == "listed"


# --- pages ------------------------------------------------------------------------------------
def test_product_pages_create_and_submit(merchant_client, store, leaf):
    assert merchant_client.get("/seller/products/").status_code == 200
    assert merchant_client.get("/seller/products/new/").status_code == 200
    response = merchant_client.post("/seller/products/new/", {
        "title": "页面创建的T恤", "category": leaf.pk, "free_shipping": "on", "supports_seven_day_return": "on",
        "attr_name_1": "颜色", "attr_name_2": "尺码",
        "sku-0-a1": "白", "sku-0-a2": "M", "sku-0-price": "59", "sku-0-stock": "3", "sku-0-code": "",
        "sku-1-a1": "", "sku-1-a2": "", "sku-1-price": "", "sku-1-stock": "", "sku-1-code": "",
        "submit": "1",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    product = Product.objects.get(title="页面创建的T恤")
    assert product.status == "in_review" and product.skus.count() == 1
    assert merchant_client.get(f"/seller/products/{product.pk}/").status_code == 200


def test_product_page_shows_errors_for_duplicate_skus(merchant_client, store, leaf):
    response = merchant_client.post("/seller/products/new/", {
        "title": "重复SKU", "category": leaf.pk, "free_shipping": "on",
        "attr_name_1": "颜色", "attr_name_2": "",
        "sku-0-a1": "白", "sku-0-a2": "", "sku-0-price": "59", "sku-0-stock": "3", "sku-0-code": "",
        "sku-1-a1": "白", "sku-1-a2": "", "sku-1-price": "49", "sku-1-stock": "3", "sku-1-code": "",
    })
    assert response.status_code == 200
    assert Product.objects.count() == 0


def test_merchant_a_never_sees_merchant_b_products(merchant_client, store, other_merchant):
    theirs = ProductFactory(store=StoreFactory(merchant=other_merchant), title="别人家的商品")
    sku = SkuFactory(product=theirs)
    assert "别人家的商品" not in merchant_client.get("/seller/products/").content.decode()
    assert merchant_client.get(f"/seller/products/{theirs.pk}/").status_code == 404
    assert merchant_client.get(f"/seller/products/{theirs.pk}/edit/").status_code == 404
    assert merchant_client.post(f"/seller/products/{theirs.pk}/delist/").status_code == 404
    assert merchant_client.post(f"/seller/skus/{sku.pk}/stock/", {"stock": 0}).status_code == 404
    sku.refresh_from_db()
    assert sku.stock == 10


def test_product_list_query_count_is_fixed(merchant_client, store, django_assert_max_num_queries):
    for _ in range(3):
        SkuFactory(product=ProductFactory(store=store))

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert merchant_client.get("/seller/products/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(15):
        SkuFactory(product=ProductFactory(store=store))
    assert count() == few


def test_public_store_shows_only_listed_products(client, store, leaf):
    listed = ProductFactory(store=store, title="在售商品")
    SkuFactory(product=listed)
    ProductFactory(store=store, title="草稿商品", status="draft")
    body = client.get(f"/s/{store.slug}/").content.decode()
    assert "在售商品" in body and "草稿商品" not in body
    assert client.get(f"/s/{store.slug}/p/{listed.pk}/").status_code == 200


def test_draft_preview_only_for_its_owner(client, merchant_client, other_merchant_client, store):
    draft = ProductFactory(store=store, title="预览草稿", status="draft")
    url = f"/s/{store.slug}/p/{draft.pk}/"
    page = merchant_client.get(url)
    assert page.status_code == 200 and "预览草稿" in page.content.decode()
    assert client.get(url).status_code == 404
    assert other_merchant_client.get(url).status_code == 404


def test_category_picker_offers_open_leaves_grouped_by_top_level(merchant_client, store, leaf):
    banned_root = CategoryFactory(code="banned", name="禁售根", status=Category.Status.PROHIBITED)
    banned_mid = CategoryFactory(code="banned.m", name="禁售二级", parent=banned_root)
    CategoryFactory(code="banned.m.l", name="象牙制品", parent=banned_mid)
    body = merchant_client.get("/seller/products/new/").content.decode()
    assert '<optgroup label="测试一级">' in body
    assert "测试二级 / T恤" in body
    assert "象牙制品" not in body


def test_product_list_figures_are_not_multiplied_by_revisions(merchant, merchant_client, store, leaf, reviewer):
    from shop.selectors.products import merchant_products

    product = _create(store, leaf)
    svc.product_revision_approve(revision=svc.product_submit(product=product, actor=store.merchant), actor=reviewer)
    svc.product_update(product=product, actor=store.merchant, data={"title": "改", "category_id": leaf.pk}, skus=SKUS)
    svc.product_submit(product=product, actor=store.merchant)
    row = merchant_products(merchant).get(pk=product.pk)
    assert row.sku_count == 2 and row.total_stock == 15 and row.min_price == Decimal("59.00")
    assert row.open_revisions is True


def test_approval_keeps_live_stock_of_a_resubmitted_product(store, leaf, reviewer):
    product = _create(store, leaf)
    svc.product_revision_approve(revision=svc.product_submit(product=product, actor=store.merchant), actor=reviewer)
    svc.product_delist(product=product, actor=store.merchant, reason="换季")
    revision = svc.product_submit(product=product, actor=store.merchant)
    w_m = Sku.objects.get(product=product, code="W-M")
    svc.sku_stock_set(sku=w_m, actor=store.merchant, stock=999)
    svc.product_revision_approve(revision=revision, actor=reviewer)
    assert Sku.objects.get(pk=w_m.pk).stock == 999


def test_approval_is_refused_when_the_category_closed_meanwhile(store, leaf, reviewer):
    product = _create(store, leaf)
    revision = svc.product_submit(product=product, actor=store.merchant)
    Category.objects.filter(code="t_root").update(status=Category.Status.NOT_OPEN)
    with pytest.raises(ApplicationError) as exc:
        svc.product_revision_approve(revision=revision, actor=reviewer)
    assert exc.value.code == "category_not_open"
    product.refresh_from_db()
    assert product.status == "in_review"


@pytest.mark.parametrize(
    "row,code",
    [
        ({"attributes": {"颜色": "白"}, "price": "NaN", "stock": 1}, "invalid_amount"),
        ({"attributes": {"颜色": "白"}, "price": "Infinity", "stock": 1}, "invalid_amount"),
        ({"attributes": {"颜色": "白"}, "price": "123456789012345", "stock": 1}, "invalid_amount"),
        ({"attributes": {"颜色": "白"}, "price": "9", "stock": 3_000_000_000}, "invalid_stock"),
        ({"attributes": {"颜" * 30: "白"}, "price": "9", "stock": 1}, "sku_attribute_long"),
    ],
)
def test_out_of_range_input_is_a_clear_error(store, leaf, row, code):
    with pytest.raises(ApplicationError) as exc:
        svc.product_create(store=store, actor=store.merchant, kind="own", data={"title": "T", "category_id": leaf.pk}, skus=[row])
    assert exc.value.code == code


def test_pending_image_of_a_change_is_not_public(client, store, leaf, reviewer):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    product = _create(store, leaf)
    svc.product_revision_approve(revision=svc.product_submit(product=product, actor=store.merchant), actor=reviewer)
    svc.product_update(
        product=product, actor=store.merchant, data={"title": "新图", "category_id": leaf.pk}, skus=SKUS,
        image=SimpleUploadedFile("a.png", buffer.getvalue(), content_type="image/png"),
    )
    pending = ProductRevision.objects.get(product=product, status="draft").payload["pending_image"]
    assert pending.startswith("private/")
    assert client.get(f"/media/{pending}").status_code == 404
    revision = svc.product_submit(product=product, actor=store.merchant)
    svc.product_revision_approve(revision=revision, actor=reviewer)
    product.refresh_from_db()
    assert product.image.name.startswith("public/")
    assert client.get(f"/media/{product.image.name}").status_code == 200
