"""Listing screening: a table of hits and non-hits (with the usual evasions) against the
seeded, database-managed rule lists, and edits in the admin reaching the screener."""

import pytest
from django.urls import reverse

from compliance.models import ScreeningRule, ScreeningTerm
from compliance.screening import runtime as screening_runtime
from compliance.services import listing_screen

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seeded(rules_seeded):
    pass


HITS = [
    # absolute terms (广告法极限词)
    ("全网第一的销量", "absolute_terms", "全网第一"),
    ("全 网 第 一 的销量", "absolute_terms", "全 网 第 一"),
    ("ＮＯ．１品质", "absolute_terms", "ＮＯ．１"),
    ("中国驰名商标", "absolute_terms", "中国驰名商标"),  # two terms, merged
    ("纯天然无添加", "absolute_terms", "纯天然"),
    ("全网最低价", "absolute_terms", "全网最低价"),
    # invented efficacy
    ("穿上一周瘦10斤", "false_efficacy", "一周瘦10斤"),
    # disparaging others
    ("某宝卖的都是假货", "disparage_competitors", "某宝卖的都是假货"),
    # reviews for rewards, fake orders
    ("好评返现5元", "review_solicitation", "好评返现"),
    ("接刷单", "review_solicitation", "刷单"),
    # steering to private contact, with homophones and spacing
    ("加我微信", "off_platform_contact", "加我微信"),
    ("有事找威信", "off_platform_contact", "威信"),
    ("薇信联系", "off_platform_contact", "薇信"),
    ("加我ｖｘ", "off_platform_contact", "加我ｖｘ"),
    ("v信聊", "off_platform_contact", "v信"),
    ("私.信.我", "off_platform_contact", "私.信.我"),
    ("想看更多看 我 主 页", "off_platform_contact", "看 我 主 页"),
    # prohibited goods
    ("出售象牙制品", "prohibited_goods", "象牙制品"),
    # disparaging by comparison, and calling the others names
    ("比某品牌好太多，他们都是垃圾", "disparage_competitors", "比某品牌好太多"),
    ("比某品牌好太多，他们都是垃圾", "disparage_competitors", "他们都是垃圾"),
    ("比别家强十倍", "disparage_competitors", "比别家强十倍"),
    # contact requests with a pictographic plus, or the bare 加微
    ("➕v 私聊", "off_platform_contact", "➕v"),
    ("➕v 私聊", "off_platform_contact", "私聊"),
    ("加微 领取优惠", "off_platform_contact", "加微"),
    ("加微领取优惠", "off_platform_contact", "加微"),
    # phone numbers as people write them: whole, or grouped 3-4-4
    ("电话13812345678", "off_platform_contact", "13812345678"),
    ("电话 138 1234 5678", "off_platform_contact", "138 1234 5678"),
    ("电话：138-1234-5678", "off_platform_contact", "138-1234-5678"),
    ("电话１３８１２３４５６７８", "off_platform_contact", "１３８１２３４５６７８"),
    # the exceptions do not shelter a real contact request next to them
    ("支持微信支付，加我微信", "off_platform_contact", "加我微信"),
    ("QQ糖 加qq", "off_platform_contact", "加qq"),
    ("最佳品质", "absolute_terms", "最佳"),
]

NON_HITS = [
    "最近天气转凉",
    "最后一天发货截止到晚上八点",
    "第一次购买的老铁可以先拍一件",
    "最新款到货啦",
    "最佳赏味期6个月",
    "治愈系小夜灯",
    "象牙白连衣裙",
    "三折叠伞",
    "元旦快乐",
    # lists of numbers are not phone numbers once their separators are dropped
    "内存 16 128 256 512",
    "尺码：15、120、130、140",
    "规格 13 5 1234 5678",
    "订单号 138123456789",  # twelve digits: part of a longer number
    # WeChat and QQ as features and names of goods
    "支持微信视频通话",
    "支持微信支付宝付款",
    "支持微信扫码支付",
    "QQ糖",
    "QQ音乐会员",
    "口感QQ弹弹",
    # serving advice, not a ranking
    "最佳饮用温度4℃",
    "最佳食用温度为常温",
    # 微 beginning another word after 加
    "可加微波炉加热",
    "添加微量元素",
    # comparing with one's own older model is not disparagement
    "比上一代好太多",
]


@pytest.mark.parametrize("text,rule,matched", HITS)
def test_hits(text, rule, matched):
    hits = listing_screen(payload={"title": text})
    assert any(h["rule"] == rule and h["text"] == matched for h in hits), hits
    for hit in hits:
        assert text[hit["start"]:hit["end"]] == hit["text"]
        assert hit["field"] == "title" and hit["rule_name"]


@pytest.mark.parametrize("text", NON_HITS)
def test_non_hits(text):
    assert listing_screen(payload={"title": text, "description": text}) == []


def test_every_listing_text_is_screened_and_price_only_on_the_cover():
    payload = {
        "title": "连衣裙",
        "description": "原价199",  # a price in the description is fine
        "gifts": "好评返现",
        "image_caption": "到手价99元",
        "skus": [{"attributes": {"颜色": "红色", "备注": "加微信"}, "price": "9.90"}],
    }
    hits = {(h["field"], h["rule"]) for h in listing_screen(payload=payload)}
    assert hits == {
        ("gifts", "review_solicitation"),
        ("image_caption", "price_on_cover"),
        ("skus.0.attributes.备注", "off_platform_contact"),
    }


def test_a_term_added_in_the_database_is_used_at_once():
    assert listing_screen(payload={"title": "限量神器"}) == []
    rule = ScreeningRule.objects.get(code="absolute_terms")
    term = ScreeningTerm.objects.create(rule=rule, pattern="神器", variants=["神气"])
    assert [h["text"] for h in listing_screen(payload={"title": "限量神气"})] == ["神气"]
    term.active = False
    term.save()
    assert listing_screen(payload={"title": "限量神器"}) == []
    term.active = True
    term.exceptions = ["限量神器"]
    term.save()
    assert listing_screen(payload={"title": "限量神器"}) == []
    assert listing_screen(payload={"title": "神器"}) != []


def test_a_deleted_term_and_a_deactivated_rule_stop_hitting():
    assert listing_screen(payload={"title": "出售象牙制品"})
    ScreeningRule.objects.filter(code="prohibited_goods").update(active=False)
    rule = ScreeningRule.objects.get(code="prohibited_goods")
    rule.save()  # the admin saves, which moves updated_at
    assert listing_screen(payload={"title": "出售象牙制品"}) == []
    ScreeningTerm.objects.filter(pattern="好评返现").delete()
    assert not any(h["term"] == "好评返现" for h in listing_screen(payload={"title": "好评返现"}))


def test_terms_bulk_created_by_the_loader_are_used_at_once():
    from compliance import loaders

    ScreeningTerm.objects.filter(pattern="好评返现").delete()
    assert not any(h["term"] == "好评返现" for h in listing_screen(payload={"title": "好评返现"}))
    assert loaders.load_screening_rules() == 1  # bulk_create: no post_save signal
    assert any(h["term"] == "好评返现" for h in listing_screen(payload={"title": "好评返现"}))


def test_the_screener_is_compiled_once_while_the_lists_do_not_change(django_assert_num_queries):
    listing_screen(payload={"title": "预热"})
    compiled = screening_runtime.compiled_rules()
    with django_assert_num_queries(1):  # the version aggregate over the rules, no rebuild
        listing_screen(payload={"title": "全网第一"})
    assert screening_runtime.compiled_rules() is compiled


def test_a_broken_regex_row_is_skipped_not_fatal():
    rule = ScreeningRule.objects.get(code="absolute_terms")
    bad = ScreeningTerm.objects.create(rule=rule, pattern="(unclosed", kind="regex")
    assert listing_screen(payload={"title": "全网第一"})
    assert bad.pk in screening_runtime.compiled_rules().skipped


def test_admin_refuses_an_invalid_term(reviewer_client):
    rule = ScreeningRule.objects.get(code="absolute_terms")
    response = reviewer_client.post(
        reverse("admin:compliance_screeningterm_add"),
        {"rule": rule.pk, "pattern": "(unclosed", "kind": "regex", "variants": "[]",
         "exceptions": "[]", "active": "on"},
    )
    assert response.status_code == 200
    assert not ScreeningTerm.objects.filter(pattern="(unclosed").exists()
    response = reviewer_client.post(
        reverse("admin:compliance_screeningterm_add"),
        {"rule": rule.pk, "pattern": "神器", "kind": "literal", "variants": '["神气"]',
         "exceptions": "[]", "active": "on"},
    )
    assert response.status_code == 302
    term = ScreeningTerm.objects.get(pattern="神器")
    assert term.history.count() == 1


@pytest.mark.parametrize(
    "data,field,code",
    [
        ({"pattern": "(unclosed", "kind": "regex", "variants": "[]"}, "pattern", "bad_regex"),
        ({"pattern": "a|", "kind": "regex", "variants": "[]"}, "pattern",
         "regex_matches_empty"),
        ({"pattern": "微信", "kind": "regex", "variants": '["vx"]'}, "variants",
         "regex_variants"),
        ({"pattern": "！！", "kind": "literal", "variants": "[]"}, "pattern", "empty_literal"),
    ],
)
def test_admin_names_an_unusable_term_in_the_reviewers_language(
    reviewer_client, data, field, code
):
    """The engine's English explanations (meant for logs) are not shown to reviewers: each
    refusal is a translated message on the field at fault."""
    from django.utils import translation

    from compliance.models import _TERM_PROBLEMS

    rule = ScreeningRule.objects.get(code="absolute_terms")
    response = reviewer_client.post(
        reverse("admin:compliance_screeningterm_add"),
        {"rule": rule.pk, "exceptions": "[]", "active": "on", **data},
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.has_error(field, code)
    message = form.errors[field][0]
    assert "rule absolute_terms" not in message and "regex" not in message
    with translation.override("zh-hans"):
        if code == "bad_regex":
            expected = str(_TERM_PROBLEMS["bad_regex_at"]) % {"position": 1}
        else:
            expected = str(_TERM_PROBLEMS[code])
    assert message == expected


def test_a_typed_regex_term_keeps_the_separators(reviewer_client):
    """A reviewer can add a number pattern that must be typed in one piece."""
    rule = ScreeningRule.objects.get(code="off_platform_contact")
    response = reviewer_client.post(
        reverse("admin:compliance_screeningterm_add"),
        {"rule": rule.pk, "pattern": "400[0-9]{7}", "kind": "regex_typed", "variants": "[]",
         "exceptions": "[]", "active": "on"},
    )
    assert response.status_code == 302
    assert [h["text"] for h in listing_screen(payload={"title": "热线4001234567"})] == [
        "4001234567"
    ]
    assert listing_screen(payload={"title": "尺寸 400 123 4567"}) == []
