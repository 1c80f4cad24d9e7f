"""Recognise product links from the five other platforms a merchant may cite (其他平台商品).

Accepted platforms and the link forms understood (the host must be the platform's registered
domain or a subdomain of it; anything else, including look-alikes such as
``tmall.com.evil.cn`` or ``evil-jd.com``, is refused):

========== ==================================== ==============================================
platform   hosts                                 item id taken from
========== ==================================== ==============================================
tmall      tmall.com, tmall.hk                   query ``id`` (detail.tmall.com/item.htm?id=1,
                                                 detail.m.tmall.com/item.htm?id=1, ...)
pinduoduo  yangkeduo.com, pinduoduo.com          query ``goods_id`` (mobile.yangkeduo.com/
                                                 goods.html?goods_id=1)
jd         jd.com, jd.hk                         path ``/<id>.html`` or ``/product/<id>.html``
                                                 (item.jd.com, item.m.jd.com, npcitem.jd.hk),
                                                 or query ``wareId`` / ``sku``
youzan     youzan.com                            alias in ``/v2/goods/<alias>`` or
                                                 ``/wscgoods/detail/<alias>``, or query
                                                 ``alias`` (shop123.youzan.com, h5.youzan.com)
mokuai     mockuai.com                           query ``goodsId`` / ``goods_id`` /
                                                 ``itemId`` / ``item_id``, or path
                                                 ``/goods/<id>`` / ``/goods/detail/<id>`` /
                                                 ``/item/<id>``
========== ==================================== ==============================================

Decisions worth knowing:

* Mokuai (魔筷, Hangzhou) publishes under ``mockuai.com`` - note the "c". ``mokuai.cn`` belongs
  to an unrelated hardware company, so it is refused like any other host. Mokuai documents no
  public URL scheme; the reference form is ``https://h5.mockuai.com/goods/detail?goodsId=<id>``
  and the accepted forms above are deliberately broad, but all need an explicit id.
* Taobao is not an accepted platform: ``taobao.com`` links are refused.
* A Taobao-app share token (淘口令, e.g. ``￥AbC123xYz￥``) and the app's short links
  (``m.tb.cn`` / ``e.tb.cn``) are used for Tmall and Taobao items alike and cannot be told apart
  offline. They are accepted as ``platform="tmall"`` with ``item_id=None`` and ``token`` set,
  so a reviewer must open them before trusting them; callers that need an id should insist on
  ``item_id is not None``.
* In share text only the first http(s) link counts; if it is not an accepted platform the
  text is refused even when a token follows, so a Taobao link cannot ride in on a token.
* A link without a scheme (``item.jd.com/100.html``) is accepted when it is the whole input,
  as some mobile browsers hide the scheme when copying. Other schemes (ftp:, javascript:,
  data:, ...) are refused.
* The returned ``url`` is rebuilt from the platform and item id (https, fixed host, no
  tracking parameters), so nothing the user typed beyond the id is stored or linked to. The
  exception is Mokuai, whose submitted URL is kept (made https, fragment dropped) because
  there is no known canonical form to rebuild.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, quote, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = [
    "MAX_INPUT_LENGTH",
    "PLATFORM_CHOICES",
    "PLATFORM_LABELS",
    "PlatformLink",
    "parse_platform_link",
]

TMALL = "tmall"
PINDUODUO = "pinduoduo"
JD = "jd"
YOUZAN = "youzan"
MOKUAI = "mokuai"

PLATFORM_CHOICES = (
    (TMALL, _("Tmall")),
    (PINDUODUO, _("Pinduoduo")),
    (JD, _("JD")),
    (YOUZAN, _("Youzan")),
    (MOKUAI, _("Mokuai")),
)
PLATFORM_LABELS = dict(PLATFORM_CHOICES)

# Share texts run to a few hundred characters; anything far longer is not a share text and
# is refused before any regular expression sees it.
MAX_INPUT_LENGTH = 2000

_TAOBAO_SHORT_LINK_DOMAINS = ("m.tb.cn", "e.tb.cn")

_PLATFORM_DOMAINS: dict[str, tuple[str, ...]] = {
    TMALL: ("tmall.com", "tmall.hk"),
    PINDUODUO: ("yangkeduo.com", "pinduoduo.com"),
    JD: ("jd.com", "jd.hk"),
    YOUZAN: ("youzan.com",),
    MOKUAI: ("mockuai.com",),
}

_NUMERIC_ID = re.compile(r"[0-9]{1,20}")
_ALIAS = re.compile(r"[A-Za-z0-9]{4,40}")
_MOKUAI_ID = re.compile(r"[A-Za-z0-9]{1,40}")
_JD_PATH = re.compile(r"/(?:product/)?([0-9]{1,20})\.html?")
_YOUZAN_PATH = re.compile(r"/(?:v2/goods|wscgoods/detail)/([A-Za-z0-9]{4,40})/?")
_MOKUAI_PATH = re.compile(r"/(?:goods/detail|goods(?!/detail/?$)|item)/([A-Za-z0-9]{1,40})/?")

# URLs in share text end at the first character that cannot appear in a URL unescaped; that
# includes every CJK character, so "…item.htm?id=1打开手机淘宝" yields the URL alone. Brackets
# and quotes end it too, because share texts wrap links in them far more often than real
# product URLs contain them. Backslashes are kept so that _split can refuse them.
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#@!$&*+,;=%\\]"
_URL_IN_TEXT = re.compile(rf"https?://{_URL_CHARS}+", re.IGNORECASE)
_OTHER_SCHEME_URL = re.compile(r"(?<![A-Za-z0-9+.\-])([A-Za-z][A-Za-z0-9+.\-]*)://")
# "javascript:", "data:" and friends carry no "//"; a dot before the colon would make it a host
# with a port (item.jd.com:443/…), so none is allowed.
_LEADING_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+\-]*):(?![0-9])")
_SCHEMELESS = re.compile(rf"(?:[A-Za-z0-9\-]+\.)+[A-Za-z]{{2,}}(?::[0-9]{{1,5}})?[/?]{_URL_CHARS}*")
_TRAILING_PUNCTUATION = ".,;:!?*"

# 淘口令: 6-20 letters/digits between two identical currency-like signs. At least one letter is
# required so that a price such as ￥19900000￥ is not mistaken for a token.
_TOKEN = re.compile(r"([￥¥$€£₤¢₳₴₰₵＄])(?=[A-Za-z0-9]*[A-Za-z])([A-Za-z0-9]{6,20})\1")
_SHORT_LINK_CODE = re.compile(r"/([A-Za-z0-9._\-]{3,40})/?")
_SHORT_LINK_TK = re.compile(r"[A-Za-z0-9]{4,40}")


@dataclass(frozen=True, slots=True)
class PlatformLink:
    """A recognised product reference.

    ``item_id`` is None only for Taobao-app share tokens and short links (see the module
    docstring); ``url`` is then the rebuilt short link, or "" for a bare token.
    """

    platform: str
    item_id: str | None
    url: str
    token: str | None = None

    @property
    def label(self):
        return PLATFORM_LABELS[self.platform]


def _invalid() -> ValidationError:
    return ValidationError(
        _(
            "This is not a valid web address. Paste the product page link or share text from "
            "Tmall, Pinduoduo, JD, Youzan or Mokuai."
        ),
        code="platform_link_invalid",
    )


def _bad_scheme() -> ValidationError:
    return ValidationError(
        _(
            "Only http and https product links from Tmall, Pinduoduo, JD, Youzan or Mokuai "
            "are accepted."
        ),
        code="platform_link_scheme",
    )


def _not_supported() -> ValidationError:
    return ValidationError(
        _(
            "Only product links from Tmall, Pinduoduo, JD, Youzan or Mokuai are accepted. "
            "Links from other websites (including Taobao) cannot be used."
        ),
        code="platform_not_supported",
    )


def _item_missing() -> ValidationError:
    return ValidationError(
        _(
            "This link does not point to a single product. Paste the product page link or "
            "share text from Tmall, Pinduoduo, JD, Youzan or Mokuai."
        ),
        code="platform_item_id_missing",
    )


def _on_domain(host: str, domains: tuple[str, ...]) -> bool:
    # Suffix matching must include the dot: "evil-jd.com".endswith("jd.com") is true.
    return any(host == d or host.endswith("." + d) for d in domains)


def _query_value(
    query: dict[str, list[str]], names: tuple[str, ...], pattern: re.Pattern
) -> str | None:
    for name in names:
        for candidate in query.get(name, ()):
            if pattern.fullmatch(candidate):
                return candidate
    return None


def _extract_item_id(platform: str, parts: SplitResult) -> str | None:
    query = parse_qs(parts.query)
    path = parts.path
    if platform == TMALL:
        return _query_value(query, ("id",), _NUMERIC_ID)
    if platform == PINDUODUO:
        return _query_value(query, ("goods_id",), _NUMERIC_ID)
    if platform == JD:
        match = _JD_PATH.fullmatch(path)
        if match:
            return match.group(1)
        return _query_value(query, ("wareId", "sku"), _NUMERIC_ID)
    if platform == YOUZAN:
        match = _YOUZAN_PATH.fullmatch(path)
        if match:
            return match.group(1)
        return _query_value(query, ("alias",), _ALIAS)
    # Query first: the reference form /goods/detail?goodsId=1 would otherwise read "detail"
    # as an id through the /goods/<id> path form.
    found = _query_value(query, ("goodsId", "goods_id", "itemId", "item_id"), _MOKUAI_ID)
    if found:
        return found
    match = _MOKUAI_PATH.fullmatch(path)
    return match.group(1) if match else None


def _canonical_url(platform: str, item_id: str, host: str, parts: SplitResult) -> str:
    quoted = quote(item_id, safe="")
    if platform == TMALL:
        # Tmall and Tmall Global share one item-id space and this page serves both.
        return f"https://detail.tmall.com/item.htm?id={quoted}"
    if platform == PINDUODUO:
        return f"https://mobile.yangkeduo.com/goods.html?goods_id={quoted}"
    if platform == JD:
        # JD Worldwide items live on jd.hk and are not reachable under item.jd.com.
        if _on_domain(host, ("jd.hk",)):
            return f"https://npcitem.jd.hk/{quoted}.html"
        return f"https://item.jd.com/{quoted}.html"
    if platform == YOUZAN:
        return f"https://h5.youzan.com/v2/goods/{quoted}"
    # Mokuai publishes no URL scheme, so an invented canonical page might not exist; keep the
    # submitted page instead. Host, path and query have already passed the checks above and
    # the URL pattern admits no quotes, spaces or angle brackets, so this is safe in an href.
    query = f"?{parts.query}" if parts.query else ""
    return f"https://{host}{parts.path}{query}"


def _split(url: str) -> tuple[SplitResult, str]:
    """Split a URL and return its lower-case host, refusing what a browser might read
    differently from urllib (backslashes, credentials) or what no public page uses."""
    if "\\" in url or any(ch.isspace() or not ch.isprintable() for ch in url):
        raise _invalid()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _invalid()
    if parts.scheme.lower() not in ("http", "https"):
        raise _bad_scheme()
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise _invalid()
    # "https://item.jd.com@evil.cn/…" goes to evil.cn.
    if parts.username is not None or parts.password is not None:
        raise _not_supported()
    if port is not None and port not in (80, 443):
        raise _not_supported()
    return parts, host


def _parse_url(url: str, text: str) -> PlatformLink:
    parts, host = _split(url)
    if _on_domain(host, _TAOBAO_SHORT_LINK_DOMAINS):
        code = _SHORT_LINK_CODE.fullmatch(parts.path)
        short_url = f"https://{host}/{code.group(1)}" if code else ""
        token = _query_value(parse_qs(parts.query), ("tk",), _SHORT_LINK_TK)
        if token is None:
            in_text = _TOKEN.search(text)
            token = in_text.group(2) if in_text else None
        if token is None and code:
            token = code.group(1)
        if token is None:
            raise _item_missing()
        return PlatformLink(TMALL, None, short_url, token)
    for platform, domains in _PLATFORM_DOMAINS.items():
        if _on_domain(host, domains):
            item_id = _extract_item_id(platform, parts)
            if item_id is None:
                raise _item_missing()
            return PlatformLink(platform, item_id, _canonical_url(platform, item_id, host, parts))
    raise _not_supported()


def parse_platform_link(text: str) -> PlatformLink:
    """Recognise a product link, share text or share token from an accepted platform.

    Raises ValidationError with one of the codes platform_link_required,
    platform_link_too_long, platform_link_invalid, platform_link_scheme,
    platform_not_supported or platform_item_id_missing.
    """
    raw = "" if text is None else str(text)
    if len(raw) > MAX_INPUT_LENGTH:
        raise ValidationError(
            _("This text is too long to be a product link or share text."),
            code="platform_link_too_long",
        )
    # NFKC turns full-width "ｈｔｔｐｓ：／／" typed on a Chinese keyboard into ASCII. It also
    # folds the full-width ￥ to ¥, which the token pattern accepts.
    cleaned = unicodedata.normalize("NFKC", raw).strip()
    if not cleaned:
        raise ValidationError(
            _("Paste a product link or share text from Tmall, Pinduoduo, JD, Youzan or Mokuai."),
            code="platform_link_required",
        )

    found = _URL_IN_TEXT.search(cleaned)
    if found:
        return _parse_url(found.group(0).rstrip(_TRAILING_PUNCTUATION), cleaned)
    # App deep links (taobao://, openapp.jdmobile://), ftp:// and the like. An http(s)://
    # that _URL_IN_TEXT could not take (such as an IPv6 literal) is simply not a usable link.
    other = _OTHER_SCHEME_URL.search(cleaned)
    if other:
        if other.group(1).lower() in ("http", "https"):
            raise _invalid()
        raise _bad_scheme()
    if _SCHEMELESS.fullmatch(cleaned):
        return _parse_url("https://" + cleaned.rstrip(_TRAILING_PUNCTUATION), cleaned)
    token = _TOKEN.search(cleaned)
    if token:
        return PlatformLink(TMALL, None, "", token.group(2))
    leading = _LEADING_SCHEME.match(cleaned)
    if leading and " " not in cleaned and leading.group(1).lower() not in ("http", "https"):
        # javascript:, data:, vbscript: and friends, which carry no "//".
        raise _bad_scheme()
    raise _invalid()


# --- the merchant's own profile on the platform -------------------------------------------
_PROFILE_ID = re.compile(r"[A-Za-z0-9_\-]{2,64}")


def _profile_refused() -> ValidationError:
    return ValidationError(
        _("Only the link to your own profile on this platform is accepted (for example "
          "https://www.kuaishou.com/profile/…)."),
        code="profile_link_not_platform",
    )


def parse_profile_link(text: str, prefixes) -> str:
    """The merchant's profile link, rebuilt as ``https://<prefix><id>`` (no query, no
    fragment), or "" for an empty input. `prefixes` are the accepted forms, each a host and
    the path before the profile id (``www.kuaishou.com/profile/``); the host must match
    exactly. Anything else raises ValidationError (code ``profile_link_not_platform``)."""
    raw = "" if text is None else str(text)
    if len(raw) > MAX_INPUT_LENGTH:
        raise _profile_refused()
    cleaned = unicodedata.normalize("NFKC", raw).strip()
    if not cleaned:
        return ""
    if "://" not in cleaned:
        cleaned = "https://" + cleaned
    try:
        parts, host = _split(cleaned)
    except ValidationError:
        raise _profile_refused()
    host = host.lower()
    for prefix in prefixes:
        prefix_host, _sep, prefix_path = prefix.strip().lower().partition("/")
        prefix_path = "/" + prefix_path
        if not prefix_host or host != prefix_host:
            continue
        if not parts.path.lower().startswith(prefix_path):
            continue
        profile_id = parts.path[len(prefix_path):].rstrip("/")
        if _PROFILE_ID.fullmatch(profile_id):
            return f"https://{host}{prefix_path}{profile_id}"
    raise _profile_refused()
