"""Recognition of product links from the five accepted platforms (其他平台商品)."""

import dataclasses
import os

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from shop.platform_links import (
    MAX_INPUT_LENGTH,
    PLATFORM_CHOICES,
    PlatformLink,
    parse_platform_link,
)

PLATFORM_NAMES = ("Tmall", "Pinduoduo", "JD", "Youzan", "Mokuai")


@pytest.fixture
def english():
    """Render lazy messages in English, with pytest-django's settings or without any."""
    if not settings.configured and "DJANGO_SETTINGS_MODULE" not in os.environ:
        settings.configure(USE_I18N=False)
    with translation.override("en"):
        yield


def refusal(text):
    with pytest.raises(ValidationError) as caught:
        parse_platform_link(text)
    return caught.value


TMALL_URL = "https://detail.tmall.com/item.htm?id={}"
PDD_URL = "https://mobile.yangkeduo.com/goods.html?goods_id={}"
JD_URL = "https://item.jd.com/{}.html"
YOUZAN_URL = "https://h5.youzan.com/v2/goods/{}"

# (input, platform, item_id, canonical url)
LINKS = [
    # Tmall
    ("https://detail.tmall.com/item.htm?id=620113145792", "tmall", "620113145792", None),
    (
        "https://detail.tmall.com/item.htm?spm=a230r.1.14.6.4b6f&id=620113145792&skuId=4",
        "tmall",
        "620113145792",
        None,
    ),
    ("http://detail.tmall.com/item.htm?id=620113145792", "tmall", "620113145792", None),
    ("https://detail.m.tmall.com/item.htm?id=620113145792", "tmall", "620113145792", None),
    ("https://m.tmall.com/item.htm?id=620113145792", "tmall", "620113145792", None),
    ("https://chaoshi.detail.tmall.com/item.htm?id=5", "tmall", "5", None),
    ("https://detail.tmall.hk/hk/item.htm?id=77", "tmall", "77", None),
    ("HTTPS://DETAIL.TMALL.COM/item.htm?id=620113145792", "tmall", "620113145792", None),
    ("https://detail.tmall.com./item.htm?id=9", "tmall", "9", None),
    ("https://detail.tmall.com:443/item.htm?id=9", "tmall", "9", None),
    ("https://detail.tmall.com/item.htm?id=9#detail", "tmall", "9", None),
    # Pinduoduo
    (
        "https://mobile.yangkeduo.com/goods.html?goods_id=261513520716",
        "pinduoduo",
        "261513520716",
        None,
    ),
    (
        "https://mobile.yangkeduo.com/goods1.html?_wvx=1&goods_id=42&page_from=23",
        "pinduoduo",
        "42",
        None,
    ),
    ("https://yangkeduo.com/goods.html?goods_id=42", "pinduoduo", "42", None),
    ("https://mobile.pinduoduo.com/goods.html?goods_id=42", "pinduoduo", "42", None),
    ("https://pinduoduo.com/goods.html?goods_id=42", "pinduoduo", "42", None),
    # JD
    ("https://item.jd.com/100012043978.html", "jd", "100012043978", None),
    (
        "https://item.jd.com/100012043978.html?extension_id=abc#crumb-wrap",
        "jd",
        "100012043978",
        None,
    ),
    ("https://item.m.jd.com/product/100012043978.html", "jd", "100012043978", None),
    ("https://item.m.jd.com/ware/view.action?wareId=100012043978", "jd", "100012043978", None),
    ("https://npcitem.jd.hk/100009.html", "jd", "100009", "https://npcitem.jd.hk/100009.html"),
    ("https://item.jd.hk/100009.html", "jd", "100009", "https://npcitem.jd.hk/100009.html"),
    # Youzan
    ("https://shop12345.youzan.com/v2/goods/2xnjx8o0f8tq1", "youzan", "2xnjx8o0f8tq1", None),
    ("https://h5.youzan.com/v2/goods/2oqbrmh8g3bqe?banner_id=f.1", "youzan", "2oqbrmh8g3bqe", None),
    ("https://shop99.youzan.com/wscgoods/detail/3nmq2x9d1w", "youzan", "3nmq2x9d1w", None),
    ("https://h5.youzan.com/wscgoods/detail?alias=2xnjx8o0f8tq1", "youzan", "2xnjx8o0f8tq1", None),
    ("https://detail.youzan.com/show/goods?alias=2xnjx8o0f8tq1", "youzan", "2xnjx8o0f8tq1", None),
    # Mokuai (mockuai.com; the submitted page is kept, made https, fragment dropped)
    (
        "https://h5.mockuai.com/goods/detail?goodsId=987654",
        "mokuai",
        "987654",
        "https://h5.mockuai.com/goods/detail?goodsId=987654",
    ),
    (
        "http://m.mockuai.com/goods/detail/987654#top",
        "mokuai",
        "987654",
        "https://m.mockuai.com/goods/detail/987654",
    ),
    ("https://mockuai.com/item/ab12cd", "mokuai", "ab12cd", "https://mockuai.com/item/ab12cd"),
    (
        "https://h5.mockuai.com/share?item_id=55&from=app",
        "mokuai",
        "55",
        "https://h5.mockuai.com/share?item_id=55&from=app",
    ),
    # Without a scheme, as some mobile browsers copy it.
    ("item.jd.com/100012043978.html", "jd", "100012043978", None),
    ("detail.tmall.com/item.htm?id=620113145792", "tmall", "620113145792", None),
]

_CANONICAL = {"tmall": TMALL_URL, "pinduoduo": PDD_URL, "jd": JD_URL, "youzan": YOUZAN_URL}


@pytest.mark.parametrize(("text", "platform", "item_id", "url"), LINKS)
def test_links_of_the_five_platforms(text, platform, item_id, url):
    link = parse_platform_link(text)
    expected_url = url or _CANONICAL[platform].format(item_id)
    assert link == PlatformLink(platform=platform, item_id=item_id, url=expected_url, token=None)


# Share texts as the apps produce them: a URL among Chinese text, with CJK characters or
# full-width punctuation right against it.
SHARE_TEXTS = [
    (
        "【天猫】xxx 复制这条信息 https://detail.tmall.com/item.htm?id=123 打开手机淘宝",
        "tmall",
        "123",
    ),
    ("【天猫】好物推荐https://detail.tmall.com/item.htm?id=123打开手机淘宝", "tmall", "123"),
    (
        "【拼多多】我在拼多多发现了这个宝贝，快来看看！https://mobile.yangkeduo.com/goods.html"
        "?goods_id=261513520716&page_from=35，复制这条信息打开拼多多",
        "pinduoduo",
        "261513520716",
    ),
    ("京东好物：https://item.jd.com/100012043978.html。", "jd", "100012043978"),
    (
        "【京东】https://item.m.jd.com/product/100012043978.html（复制打开京东App）",
        "jd",
        "100012043978",
    ),
    (
        "我在有赞发现一个好物「https://h5.youzan.com/v2/goods/2xnjx8o0f8tq1」点击查看",
        "youzan",
        "2xnjx8o0f8tq1",
    ),
    ("魔筷星选：https://h5.mockuai.com/goods/detail?goodsId=987654 快来抢购！", "mokuai", "987654"),
    ("看看这个 item.jd.com/100012043978.html", None, None),  # schemeless inside text: refused
    ("ＨＴＴＰＳ：／／item.jd.com／100012043978.html", "jd", "100012043978"),  # full width
]


@pytest.mark.parametrize(("text", "platform", "item_id"), SHARE_TEXTS)
def test_share_texts(text, platform, item_id):
    if platform is None:
        assert refusal(text).code == "platform_link_invalid"
        return
    link = parse_platform_link(text)
    assert (link.platform, link.item_id, link.token) == (platform, item_id, None)
    assert link.url.startswith("https://")
    assert all(ord(c) < 128 for c in link.url)


# 淘口令 and Taobao-app short links cannot be told apart from Taobao items offline; they are
# accepted as Tmall without an item id (see the module docstring).
TOKENS = [
    ("￥AbC123xYz￥", "AbC123xYz", ""),
    ("¥AbC123xYz¥", "AbC123xYz", ""),
    ("$AbC123xYz$", "AbC123xYz", ""),
    ("€dlxE0ZrHk2M€", "dlxE0ZrHk2M", ""),
    ("【天猫】宝贝标题 6￥AbC123xYz￥/ 复制这条信息，打开手机淘宝", "AbC123xYz", ""),
    ("复制整段信息，打开「手机淘宝」￥Zz9Yy8Xx7￥，即可查看此商品", "Zz9Yy8Xx7", ""),
    (
        "【淘宝】假一赔四 https://m.tb.cn/h.gXyZ12?tk=AbCd3xYz CZ0001 「商品」点击链接直接打开",
        "AbCd3xYz",
        "https://m.tb.cn/h.gXyZ12",
    ),
    ("https://e.tb.cn/h.TpQr9?sm=1 ￥AbC123xYz￥", "AbC123xYz", "https://e.tb.cn/h.TpQr9"),
    ("https://m.tb.cn/h.gXyZ12", "h.gXyZ12", "https://m.tb.cn/h.gXyZ12"),
]


@pytest.mark.parametrize(("text", "token", "url"), TOKENS)
def test_share_tokens_are_tmall_without_item_id(text, token, url):
    assert parse_platform_link(text) == PlatformLink("tmall", None, url, token)


@pytest.mark.parametrize(
    "text",
    [
        "￥19900000￥",  # a price, not a token
        "￥AbC12￥",  # too short
        "￥AbC123xYz$",  # mismatched delimiters
        "AbC123xYz",
    ],
)
def test_token_look_alikes_are_not_tokens(text):
    assert refusal(text).code == "platform_link_invalid"


TAOBAO = [
    "https://item.taobao.com/item.htm?id=620113145792",
    "https://m.taobao.com/detail.htm?id=620113145792",
    "https://h5.m.taobao.com/awp/core/detail.htm?id=620113145792",
    "https://world.taobao.com/item/620113145792.htm",
    "【淘宝】https://item.taobao.com/item.htm?id=620113145792 ￥AbC123xYz￥",
    "taobao.com/item.htm?id=1",
]

LOOK_ALIKES = [
    "https://tmall.com.evil.cn/item.htm?id=1",
    "https://detail.tmall.com.evil.cn/item.htm?id=1",
    "https://mytmall.com/item.htm?id=1",
    "https://tmall.co/item.htm?id=1",
    "https://evil-jd.com/100012043978.html",
    "https://evil.jd.com.cn/100012043978.html",
    "http://item.jd.com.attacker.io/100012043978.html",
    "https://item.jd.co/100012043978.html",
    "https://item.jd.com@evil.cn/100012043978.html",
    "https://user:pass@item.jd.com/100012043978.html",
    "https://item.jd.com:8080/100012043978.html",
    "https://item.jd.com%2eevil.cn/100012043978.html",
    "https://xn--jd-dma.com/100012043978.html",
    "https://yangkeduo.com.evil.cn/goods.html?goods_id=1",
    "https://fakeyangkeduo.com/goods.html?goods_id=1",
    "https://youzan.com.evil.cn/v2/goods/2xnjx8o0f8tq1",
    "https://h5.youzan.co/v2/goods/2xnjx8o0f8tq1",
    "https://mockuai.com.evil.cn/goods/detail?goodsId=1",
    "https://mokuai.cn/goods/detail?goodsId=1",
    "https://h5.mokuai.cn/goods/detail?goodsId=1",
    "https://evil.cn/?u=https://item.jd.com/1.html",
    "https://m.tb.cn.evil.cn/h.abc",
]

OTHER_HOSTS = [
    "https://www.amazon.cn/dp/B08XYZ1234",
    "https://detail.1688.com/offer/620113145792.html",
    "https://haohuo.jinritemai.com/views/product/item2?id=1",
    "https://www.xiaohongshu.com/goods-detail/abc",
    "https://app.kwaixiaodian.com/merchant/shop/detail?id=1",
    "https://127.0.0.1/item.htm?id=1",
]


@pytest.mark.parametrize("text", TAOBAO + LOOK_ALIKES + OTHER_HOSTS)
def test_other_hosts_are_refused_naming_the_five_platforms(english, text):
    error = refusal(text)
    assert error.code == "platform_not_supported"
    message = error.messages[0]
    for name in PLATFORM_NAMES:
        assert name in message


@pytest.mark.parametrize(
    "text",
    [
        "https://evil.cn\\@item.jd.com/100012043978.html",  # browsers read \ as /
        "https://item.jd.com:99999/1.html",
        "https://item.jd.com:abc/1.html",
        "https:///item.htm?id=1",
        "https://[::1]/item.htm?id=1",
    ],
)
def test_ambiguous_urls_are_invalid(text):
    assert refusal(text).code == "platform_link_invalid"


MISSING_IDS = [
    "https://www.tmall.com/",
    "https://detail.tmall.com/item.htm",
    "https://detail.tmall.com/item.htm?id=",
    "https://detail.tmall.com/item.htm?id=abc",
    "https://detail.tmall.com/item.htm?itemId=123",
    "https://mobile.yangkeduo.com/goods.html",
    "https://mobile.yangkeduo.com/goods.html?goods_id=12a",
    "https://www.jd.com/",
    "https://item.jd.com/abc.html",
    "https://search.jd.com/Search?keyword=phone",
    "https://shop12345.youzan.com/v2/showcase/homepage",
    "https://h5.youzan.com/v2/goods/",
    "https://h5.youzan.com/v2/goods/a!b",
    "https://h5.mockuai.com/",
    "https://h5.mockuai.com/goods/detail",
    "https://h5.mockuai.com/goods/detail?goodsId=",
]


@pytest.mark.parametrize("text", MISSING_IDS)
def test_missing_item_ids_are_refused_naming_the_five_platforms(english, text):
    error = refusal(text)
    assert error.code == "platform_item_id_missing"
    for name in PLATFORM_NAMES:
        assert name in error.messages[0]


@pytest.mark.parametrize(
    "text",
    [
        "ftp://item.jd.com/100012043978.html",
        "file:///etc/passwd",
        "javascript:alert(1)//item.jd.com/1.html",
        "JavaScript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "taobao://item.taobao.com/item.htm?id=1",
        "tmall://page.tm/itemDetail?id=620113145792",
        "openapp.jdmobile://virtual?params=%7B%22skuId%22%3A%22100012043978%22%7D",
        "pinduoduo://com.xunmeng.pinduoduo/goods.html?goods_id=1",
        "打开 ws://item.jd.com/1.html",
    ],
)
def test_non_http_schemes_are_refused(english, text):
    error = refusal(text)
    assert error.code == "platform_link_scheme"
    assert "http" in error.messages[0]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "platform_link_required"),
        ("   \n ", "platform_link_required"),
        (None, "platform_link_required"),
        ("hello world", "platform_link_invalid"),
        ("天猫 620113145792", "platform_link_invalid"),
        ("Tmall: great product", "platform_link_invalid"),
        ("https:item.jd.com/1.html", "platform_link_invalid"),
        ("x" * (MAX_INPUT_LENGTH + 1), "platform_link_too_long"),
        ("https://item.jd.com/1.html " + "好" * MAX_INPUT_LENGTH, "platform_link_too_long"),
    ],
)
def test_inputs_without_a_link(text, code):
    assert refusal(text).code == code


@pytest.mark.parametrize(
    "text",
    [
        'h5.mockuai.com/goods/1?x="><script>alert(1)</script>',
        'https://h5.mockuai.com/goods/1?x="><script>alert(1)</script>',
        "https://h5.mockuai.com/goods/1?x='onmouseover=alert(1)",
    ],
)
def test_stored_urls_never_carry_markup(text):
    try:
        link = parse_platform_link(text)
    except ValidationError:
        return
    assert not set("<>\"' ") & set(link.url)


def test_first_link_in_share_text_decides():
    text = "https://item.taobao.com/item.htm?id=1 https://item.jd.com/100012043978.html"
    assert refusal(text).code == "platform_not_supported"
    text = "https://item.jd.com/100012043978.html https://item.taobao.com/item.htm?id=1"
    assert parse_platform_link(text).platform == "jd"


def test_platform_choices(english):
    assert [value for value, _ in PLATFORM_CHOICES] == [
        "tmall",
        "pinduoduo",
        "jd",
        "youzan",
        "mokuai",
    ]
    assert all(isinstance(label, Promise) for _, label in PLATFORM_CHOICES)
    assert [str(label) for _, label in PLATFORM_CHOICES] == list(PLATFORM_NAMES)
    assert str(parse_platform_link("https://item.jd.com/1.html").label) == "JD"


def test_platform_link_is_frozen():
    link = parse_platform_link("https://item.jd.com/1.html")
    with pytest.raises(dataclasses.FrozenInstanceError):
        link.item_id = "2"


_ACCEPTED_DOMAINS = ["tmall.com", "yangkeduo.com", "pinduoduo.com", "jd.com", "youzan.com"]


@hsettings(max_examples=200, deadline=None)
@given(
    prefix=st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}", fullmatch=True),
    domain=st.sampled_from(_ACCEPTED_DOMAINS + ["tmall.hk", "jd.hk", "mockuai.com", "m.tb.cn"]),
    suffix=st.sampled_from([".evil.cn", ".cn", ".attacker.io", "-cdn.com", ".com"]),
    glue=st.sampled_from([".", "-", ""]),
)
def test_property_look_alike_hosts_never_pass(prefix, domain, suffix, glue):
    with_suffix = f"https://{prefix}.{domain}{suffix}/item.htm?id=1&goods_id=1&goodsId=1"
    assert refusal(with_suffix).code == "platform_not_supported"
    if glue != ".":
        glued = f"https://{prefix}{glue}{domain}/1.html?id=1&goods_id=1&goodsId=1"
        assert refusal(glued).code == "platform_not_supported"


@hsettings(max_examples=200, deadline=None)
@given(
    item_id=st.from_regex(r"[1-9][0-9]{0,18}", fullmatch=True),
    template=st.sampled_from(
        [
            ("tmall", "https://detail.tmall.com/item.htm?id={}", "{}"),
            ("pinduoduo", "https://mobile.yangkeduo.com/goods.html?goods_id={}", "{}"),
            ("jd", "https://item.jd.com/{}.html", "{}"),
            ("jd", "https://item.m.jd.com/product/{}.html", "{}"),
            ("youzan", "https://h5.youzan.com/v2/goods/2xq{}", "2xq{}"),
            ("mokuai", "https://h5.mockuai.com/goods/detail?goodsId={}", "{}"),
        ]
    ),
    before=st.sampled_from(["", "【分享】", "快来看 ", "复制这条信息"]),
    after=st.sampled_from(["", " 打开App", "打开App", "，", "。"]),
)
def test_property_item_id_round_trip(item_id, template, before, after):
    platform, pattern, expected_id = template
    link = parse_platform_link(before + pattern.format(item_id) + after)
    assert link.platform == platform
    assert link.item_id == expected_id.format(item_id)
    assert parse_platform_link(link.url) == link
