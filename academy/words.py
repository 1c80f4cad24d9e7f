"""Chinese word segmentation (jieba) for search: text is cut into words when it is
written, and a query is cut the same way when it is asked.

The platform's own terms are added to the dictionary so that 小黄车 or 七天无理由 stay one
word in both the index and the query. jieba's guessing of unknown words (HMM) is off: it
depends on the surrounding text, so a word could be cut one way in a lesson and another
way in a query; without it an unknown word falls apart into the same characters in both."""

import logging
import re
import threading

import jieba

jieba.setLogLevel(logging.WARNING)

# Terms of the trade that jieba's general dictionary splits (小黄车 → 小 / 黄车).
PLATFORM_TERMS = [
    "快手", "快手小店", "小黄车", "七天无理由", "闪电购", "选货中心",
    "秒杀", "优惠券", "保证金", "店铺保证金", "推广保证金", "粉丝头条", "作品推广",
    "老铁", "直播间", "短视频", "带货", "种草", "拔草", "人设", "涨粉", "DSR", "先行赔付",
    "信用分", "违规", "抽检", "复检", "入驻", "禁售", "限售", "标杆主播", "发货",
    "售后", "退款", "退货", "换货", "运费", "好物", "源头好货", "年货节", "购物车",
]

_WORD = re.compile(r"\w", re.UNICODE)
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                tok = jieba.Tokenizer()
                tok.initialize()
                for term in PLATFORM_TERMS:
                    tok.add_word(term, freq=200000)
                _tokenizer = tok
    return _tokenizer


BREAK = "·"


def _keep(words) -> list[str]:
    return [w.strip() for w in words if w.strip() and _WORD.search(w)]


def _inner_words(words):
    """The dictionary words inside longer words (七天无理由退款 → 七天无理由, 退款 …)."""
    tok = tokenizer()
    for word in words:
        n = len(word)
        for size in range(2, n):
            for start in range(n - size + 1):
                inner = word[start:start + size]
                if tok.FREQ.get(inner):
                    yield inner


def segment_words(text: str) -> tuple[str, str]:
    """The words of `text` for the index, space-separated: the precise cut with its
    punctuation (readable in a snippet once the spaces are taken out) and the dictionary words inside its long words,
    so that a query of a shorter word finds the longer one too."""
    tokens: list[str] = []
    for token in tokenizer().cut(text or "", HMM=False):
        if "\n" in token:
            # A paragraph, list item or table cell ends: keep them apart in snippets.
            if tokens and tokens[-1] != BREAK:
                tokens.append(BREAK)
        elif token.strip():
            tokens.append(token.strip())
    while tokens and tokens[-1] == BREAK:
        tokens.pop()
    words = _keep(tokens)
    return " ".join(tokens), " ".join(_keep(_inner_words(words)))


def segment(text: str) -> str:
    """Both parts of `segment_words` as one string."""
    return " ".join(part for part in segment_words(text) if part)


def query_words(query: str) -> list[str]:
    """Words of a query, in order, without repeats."""
    return list(dict.fromkeys(_keep(tokenizer().cut(query or "", HMM=False))))


def query_words_loose(query: str) -> list[str]:
    """The query's words and the shorter words inside them, for a second, looser try."""
    return list(dict.fromkeys(_keep(tokenizer().cut_for_search(query or "", HMM=False))))
