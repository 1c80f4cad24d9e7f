"""Automatic screening of listing text against reviewer-maintained term lists.

Pure module: no Django, no ORM. The admin stores rules and terms; a service turns the
rows into :class:`Term` objects, builds one :class:`Screener` and keeps it until the
lists change. Hits are shown to the reviewer before the product review (商品初审), so the
engine favours recall: it sees through the usual evasions (full-width letters, symbols
between characters, homophones such as 威信/vx for 微信) and reports every hit as a span
of the text the merchant actually typed, so the admin can highlight it.

How a text is screened:

1. ``normalize``: every character is NFKC-folded (full-width → half-width), lower-cased,
   passed through a small table of look-alike characters, and dropped when it is a
   space, punctuation, symbol, mark or invisible character. Then the variant spellings
   that the terms declare (``Term.variants``) are rewritten to the term's own spelling,
   in one leftmost-longest pass of a second Aho-Corasick automaton. Rewriting before
   matching, rather than adding variants as extra keys of the term automaton, is what
   lets every *other* term and regex see the canonical form: 加vx is caught by 加微信
   and by ``加我?(微信|qq)`` without listing every combination.
   Every normalized character remembers which original characters produced it.
2. One Aho-Corasick automaton holds every literal term and every exception phrase, so
   its cost follows text length and the number of matches, not the number of terms
   (``bench/screening.py``: 5,000 terms screen at ~0.8x the speed of 50).
3. Regex terms run on the same normalized text, each compiled on its own (see
   :class:`Screener` for why not one alternation per rule). Regex terms of the kind
   ``regex_typed`` run instead on the text as typed (only width, case and look-alike
   letters folded, nothing dropped): numbers are the case in point, since dropping the
   separators of ``内存 16 128 256 512`` glues a list of sizes into a phone number.
4. Hits inside an exception phrase (最佳赏味期 for 最佳, 治愈系 for 治愈) are dropped, as
   are hits that would cut an ASCII word or number in two (``vx`` inside ``vxyz``).
5. Overlapping hits of one rule are merged; all hits are mapped back to original spans.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import compress
from typing import Any, Literal

import ahocorasick

__all__ = [
    "Hit",
    "Screener",
    "Term",
    "TermError",
    "normalize",
    "normalize_with_spans",
    "screen_fields",
]

TermKind = Literal["literal", "regex", "regex_typed"]
REGEX_KINDS = frozenset({"regex", "regex_typed"})


class TermError(ValueError):
    """A term that cannot be used. ``code`` says why (for a translated message in the
    admin): ``unknown_kind``, ``empty_rule``, ``empty_pattern``, ``regex_variants``,
    ``empty_literal``, ``bad_regex`` (``params["position"]``: where, or None),
    ``regex_matches_empty``. The message itself is for logs."""

    def __init__(self, code: str, message: str, **params: Any):
        super().__init__(message)
        self.code = code
        self.params = params

# Symbols that carry meaning for some rules and therefore survive normalization: prices
# (¥99, $5), percentages (100%有效) and "+v" / "+微信" contact requests. Everything
# else in the Unicode P*, S*, Z*, C* and M* categories is treated as filler that a
# merchant may have inserted to break a word apart.
_KEPT_SYMBOLS = frozenset("¥$%+")

# Letters that are used as visual separators (微丨信) although Unicode files them as
# ideographs.
_SEPARATOR_LETTERS = frozenset("丨丶")

# Character-level confusables, applied after NFKC and lower-casing. Deliberately small:
# only characters that have no business in a Chinese listing other than to impersonate
# a Latin letter, plus traditional forms of characters used in the seed terms (term
# lists are written in simplified Chinese). Word-level homophones (威信 → 微信) are NOT
# here: they belong to the terms as variants so reviewers can edit them.
_CONFUSABLES: dict[str, str] = {
    # Cyrillic and Greek look-alikes of Latin letters
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѵ": "v", "ν": "v", "ο": "o", "α": "a",
    "ι": "i", "κ": "k", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
    # traditional → simplified, limited to characters that occur in the rule lists
    "絕": "绝", "對": "对", "極": "极", "頂": "顶", "級": "级", "國": "国", "網": "网",
    "價": "价", "裝": "装", "萬": "万", "們": "们", "與": "与", "號": "号", "單": "单",
    "評": "评", "現": "现", "償": "偿", "買": "买", "賣": "卖", "聯": "联", "繫": "系",
    "係": "系", "讓": "让", "電": "电", "話": "话", "頁": "页", "動": "动", "療": "疗",
    "癒": "愈", "減": "减", "藥": "药", "錢": "钱", "紅": "红", "貨": "货", "場": "场",
    "槍": "枪", "軍": "军", "鑽": "钻", "驗": "验", "獨": "独", "獎": "奖", "禮": "礼",
    "圖": "图", "贈": "赠", "曬": "晒", "衛": "卫",
    # pictographic plus signs ("➕v", "✚微信") stand for the kept "+"
    "➕": "+", "✚": "+", "✙": "+",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Term:
    """One entry of a rule's list.

    ``pattern`` is either a literal phrase or a regular expression. Literal patterns,
    variants and exceptions may be written naturally (full-width, spaces, upper case):
    they go through the same normalization as the text. Regular expressions
    (``regex``) are matched against the *normalized* text, so write them in lower case,
    without spaces or punctuation, and in terms of the canonical spelling of any variant
    (the text has already been rewritten: ``加我(微信|qq)`` also catches 加我vx).
    ``regex_typed`` expressions are matched against the text as typed, folded only in
    width, case and look-alike letters, one character for one: spaces and punctuation
    stay, so name the separators a match may contain (``1[3-9][0-9]([ -]?[0-9]{4}){2}``
    takes 138 1234 5678 but not the sizes 16 128 256 512).

    ``variants`` are alternative spellings that the text is rewritten to ``pattern``
    before matching (so every other term and regex sees the canonical form).
    ``exceptions`` are phrases that contain the match in legitimate use: a hit lying
    inside an occurrence of one of them is suppressed.
    """

    rule_code: str
    pattern: str
    kind: TermKind = "literal"
    variants: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ("literal", *REGEX_KINDS):
            raise TermError("unknown_kind", f"term {self.pattern!r}: unknown kind {self.kind!r}")
        if not self.rule_code:
            raise TermError("empty_rule", f"term {self.pattern!r}: empty rule_code")
        if not self.pattern or not self.pattern.strip():
            raise TermError("empty_pattern", f"rule {self.rule_code}: empty pattern")
        if self.kind in REGEX_KINDS and self.variants:
            # A regex has no single spelling to rewrite variants to.
            raise TermError(
                "regex_variants",
                f"rule {self.rule_code}: regex {self.pattern!r} cannot have variants",
            )
        # Rows coming from JSON fields hold lists (or null); tuples keep the dataclass
        # hashable.
        object.__setattr__(self, "variants", tuple(self.variants or ()))
        object.__setattr__(self, "exceptions", tuple(self.exceptions or ()))


@dataclass(frozen=True, slots=True)
class Hit:
    """A match, located in the original text: ``text[start:end] == matched_text``."""

    rule_code: str
    term: str
    matched_text: str
    start: int
    end: int


# --------------------------------------------------------------------------------------
# Normalization
# --------------------------------------------------------------------------------------


def _is_filler(ch: str) -> bool:
    if ch in _KEPT_SYMBOLS:
        return False
    if ch in _SEPARATOR_LETTERS:
        return True
    return unicodedata.category(ch)[0] in "PSZCM"


def _fold_char(ch: str) -> str:
    """The normalized form of one character: usually one char, '' when dropped."""
    out = []
    for c in unicodedata.normalize("NFKC", ch).lower():
        c = _CONFUSABLES.get(c, c)
        if not _is_filler(c):
            out.append(c)
    return "".join(out)


class _CharCache(dict):
    """Per-character memo, filled on first use.

    Used through ``map(cache.__getitem__, text)`` so that the per-character loop runs
    in C; only characters seen for the first time cost a Python call. Only the Basic
    Multilingual Plane is remembered, which bounds the memo at 65,536 entries however
    exotic the texts are; rarer characters are recomputed each time.
    """

    def __init__(self, compute):
        super().__init__()
        self._compute = compute

    def __missing__(self, ch: str) -> str:
        value = self._compute(ch)
        if ch <= "\uffff":
            self[ch] = value
        return value


_FOLD = _CharCache(_fold_char)


def _type_char(ch: str) -> str:
    """The as-typed form of one character, always one character (offsets stay those of
    the text, so a match needs no mapping back): folded in width, case and look-alikes
    when that gives one character, else only lower-cased."""
    folded = unicodedata.normalize("NFKC", ch).lower()
    if len(folded) == 1:
        return _CONFUSABLES.get(folded, folded)
    lowered = ch.lower()
    return lowered if len(lowered) == 1 else lowered[0]  # İ → i (its lower case is two)


_TYPED = _CharCache(_type_char)


@functools.cache
def _typing_splitter() -> re.Pattern[str]:
    """Splits a text around the characters whose as-typed form is not plain
    ``str.lower()``: full-width forms, look-alikes, and everything outside the Basic
    Multilingual Plane (not scanned). Built on first use (a scan of the BMP, ~30 ms)."""
    special = [
        cp for cp in range(0x10000)
        if not 0xD800 <= cp <= 0xDFFF
        and (
            len(chr(cp).lower()) != 1
            or _type_char(chr(cp)) != chr(cp).lower()
            or cp == 0x03A3  # Σ: str.lower() makes it ς at the end of a word
        )
    ]
    ranges: list[tuple[int, int]] = []
    for cp in special:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    members = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(f"([{members}\U00010000-\U0010ffff])")


def _typed_text(text: str) -> str:
    """The text as typed regexes see it, one character for each of the text's. Most
    characters only need ``str.lower()`` (in C); the few others (in a Chinese listing
    mostly full-width punctuation) are split out and folded one by one."""
    parts = _typing_splitter().split(text)
    parts[1::2] = map(_TYPED.__getitem__, parts[1::2])
    return "".join(parts).lower()


# pyahocorasick finds a node's outgoing transition by scanning the node's children one
# by one. With thousands of terms the root has thousands of children (one per distinct
# first character) and every character of the text would cost thousands of comparisons:
# screening got ~2.5x slower from 50 to 5,000 terms. So the automaton never sees
# characters, only their four UTF-32 bytes (as latin-1 letters, produced in C): no node
# has more than 256 children, whatever the number of terms. A key may then also match
# across character boundaries, so matches that do not end on a boundary are dropped.
_WIDTH = 4


def _spell(text: str) -> str:
    return text.encode("utf-32-be", "surrogatepass").decode("latin-1")


class _Trie:
    """An Aho-Corasick automaton over spelled text, reporting matches in characters."""

    def __init__(self, entries: Mapping[str, object]):
        self._automaton = ahocorasick.Automaton()
        for key, value in entries.items():
            self._automaton.add_word(_spell(key), (len(key), value))
        self.empty = not entries
        if entries:
            self._automaton.make_automaton()

    def find_all(self, spelled: str) -> Iterator[tuple[int, int, Any]]:
        """Every match, overlapping ones included: (first, stop, value), in characters."""
        if self.empty:
            return
        for end, (length, value) in self._automaton.iter(spelled):
            if end % _WIDTH == _WIDTH - 1:
                stop = end // _WIDTH + 1
                yield stop - length, stop, value

    def find_longest(self, spelled: str) -> list[tuple[int, int, Any]]:
        """Leftmost-longest, non-overlapping matches.

        Chosen here rather than with ``iter_long``, which could let a match straddling
        character boundaries shadow a real one.
        """
        found = sorted(self.find_all(spelled), key=lambda m: (m[0], m[0] - m[1]))
        chosen = []
        taken = 0
        for match in found:
            if match[0] >= taken:
                chosen.append(match)
                taken = match[1]
        return chosen


def _char_class(ch: str) -> str | None:
    """'a' for an ASCII letter, '0' for an ASCII digit (after folding), else None."""
    folded = _FOLD[ch]
    if len(folded) != 1 or not folded.isascii():
        return None
    if folded.isalpha():
        return "a"
    if folded.isdigit():
        return "0"
    return None


def _cuts_word(text: str, start: int, end: int) -> bool:
    """True when original span [start, end) begins or ends inside an ASCII word/number.

    Short Latin terms (vx, wx, qq, no1) would otherwise fire inside ordinary words and
    numbers ("vxyz", "top10"). Only *adjacent* characters count: a separator between
    them, as in "iphone vx", still lets the hit through, which is what we want given
    that separators are dropped to defeat "v.x".
    """
    first = _char_class(text[start])
    if first and start > 0 and _char_class(text[start - 1]) == first:
        return True
    last = _char_class(text[end - 1])
    return bool(last and end < len(text) and _char_class(text[end]) == last)


class _Folded:
    """Normalized text plus the way back to the original.

    ``norm[i]`` comes from ``text[starts[i]:ends[i]]``. ``ends`` is only built when some
    character does not map one-to-one (an expansion like ㎏ → kg, or a variant rewrite);
    otherwise the end is implicitly ``start + 1``, which saves a list per text.
    """

    __slots__ = ("text", "norm", "spelled", "starts", "ends")

    def __init__(
        self, text: str, norm: str, spelled: str, starts: list[int], ends: list[int] | None
    ):
        self.text = text
        self.norm = norm
        self.spelled = spelled
        self.starts = starts
        self.ends = ends

    def span(self, first: int, stop: int) -> tuple[int, int]:
        """Original span of ``norm[first:stop]``."""
        end = self.ends[stop - 1] if self.ends is not None else self.starts[stop - 1] + 1
        return self.starts[first], end

    def all_ends(self) -> list[int]:
        return self.ends if self.ends is not None else [s + 1 for s in self.starts]


def _fold_chars(text: str) -> _Folded:
    # map() over a memo keeps the per-character loop in C.
    pieces = list(map(_FOLD.__getitem__, text))
    norm = "".join(pieces)
    # compress() keeps the indices of the characters that survived, in C.
    starts = list(compress(range(len(text)), pieces))
    ends = None
    if len(starts) != len(norm):
        # Some character expanded: map each of its output chars to the whole source.
        starts, ends = [], []
        for i, piece in enumerate(pieces):
            for _ in piece:
                starts.append(i)
                ends.append(i + 1)
    return _Folded(text, norm, _spell(norm), starts, ends)


class _VariantFolder:
    """Rewrites variant spellings to canonical ones in char-folded text (leftmost-longest)."""

    def __init__(self, variants: Mapping[str, str]):
        table = self._table(variants.items())
        self.size = len(table)
        self._trie = _Trie(table)

    @staticmethod
    def _table(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
        table: dict[str, str] = {}
        canonicals: set[str] = set()
        for variant, canonical in pairs:
            key = _fold_chars(variant).norm
            canon = _fold_chars(canonical).norm
            if not key or not canon or key == canon:
                continue
            # First declaration wins: the admin may list a spelling under two terms,
            # and a deterministic choice beats refusing to build the screener.
            table.setdefault(key, canon)
            canonicals.add(canon)
        # A canonical spelling that contains a variant must be protected from it
        # (a variant "微" would turn "微信" into "微信信"): mapping it to itself lets
        # leftmost-longest matching prefer it. This also keeps rewriting single-pass:
        # no canonical is ever rewritten, so the output never needs a second scan.
        # Only those canonicals, though: an identity key for every one would shadow
        # genuine variants ("加v" swallowing the "v信" of "加v信").
        keys = _Trie(dict.fromkeys(table))
        for canon in canonicals:
            if any(stop - first < len(canon) for first, stop, _ in keys.find_all(_spell(canon))):
                table.setdefault(canon, canon)
        return table

    def fold(self, f: _Folded) -> _Folded:
        norm_parts: list[str] = []
        spelled_parts: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        old_ends: list[int] | None = None
        pos = 0
        for first, stop, canon in self._trie.find_longest(f.spelled):
            if f.norm[first:stop] == canon:
                continue
            if _cuts_word(f.text, *f.span(first, stop)):
                continue
            if old_ends is None:
                old_ends = f.all_ends()
            norm_parts += (f.norm[pos:first], canon)
            spelled_parts += (
                f.spelled[pos * _WIDTH : first * _WIDTH],
                _spell(canon),
            )
            starts += f.starts[pos:first]
            ends += old_ends[pos:first]
            if len(canon) == stop - first:
                # Same length (vx → 微信): keep per-character precision.
                starts += f.starts[first:stop]
                ends += old_ends[first:stop]
            else:
                # Different length (weixin → 微信): every canonical character stands
                # for the whole variant, so any hit covering part of it shows all of it.
                starts += [f.starts[first]] * len(canon)
                ends += [old_ends[stop - 1]] * len(canon)
            pos = stop
        if old_ends is None:
            return f
        norm_parts.append(f.norm[pos:])
        spelled_parts.append(f.spelled[pos * _WIDTH :])
        starts += f.starts[pos:]
        ends += old_ends[pos:]
        return _Folded(f.text, "".join(norm_parts), "".join(spelled_parts), starts, ends)


def _normalize(text: str, folder: _VariantFolder | None) -> _Folded:
    folded = _fold_chars(text)
    if folder is not None and folder.size:
        folded = folder.fold(folded)
    return folded


def normalize_with_spans(
    text: str, variants: Mapping[str, str] | None = None
) -> tuple[str, list[int], list[int]]:
    """Like :func:`normalize`, plus the end offset (exclusive) of each char's source.

    ``normalized[i]`` was produced by ``text[starts[i]:ends[i]]``; a match
    ``normalized[a:b]`` therefore corresponds to ``text[starts[a]:ends[b - 1]]``.
    """
    folded = _normalize(text, _VariantFolder(variants) if variants else None)
    return folded.norm, folded.starts, folded.all_ends()


def normalize(text: str, variants: Mapping[str, str] | None = None) -> tuple[str, list[int]]:
    """Fold ``text`` for matching; return it with ``index_map``.

    ``index_map[i]`` is the offset in ``text`` of the character that produced
    ``normalized[i]``. ``variants`` maps variant spellings to canonical ones
    (``{"vx": "微信"}``); a :class:`Screener` uses the variants of its terms (see
    :meth:`Screener.normalize`). Use :func:`normalize_with_spans` when the end of a
    span is needed as well (a variant like "weixin" is longer than its canonical form).
    """
    folded = _normalize(text, _VariantFolder(variants) if variants else None)
    return folded.norm, folded.starts


# --------------------------------------------------------------------------------------
# Screener
# --------------------------------------------------------------------------------------


class Screener:
    """Screens text against a fixed set of terms. Build once, reuse; read-only after.

    Literal terms and all exception phrases live in one Aho-Corasick automaton, so
    adding literal terms does not slow screening down (see ``bench/screening.py``).

    Regex terms are compiled one by one rather than into one alternation per rule.
    Measured on 2 KB listings, a per-rule alternation was about twice as slow as the
    same regexes run separately: ``re`` skips ahead to candidate positions only when a
    pattern starts with a literal or a character set, and an alternation of named
    groups loses that. Separate patterns also cannot hide each other's overlapping
    matches. The price is that regex cost grows with the number of regex terms, so
    they are meant to be few (dozens): prices, phone numbers, "7天瘦10斤"; everything a
    list of phrases can express belongs in literal terms.
    """

    def __init__(self, terms: Iterable[Term]):
        self.terms: tuple[Term, ...] = tuple(terms)
        variants: dict[str, str] = {}
        for term in self.terms:
            for variant in term.variants:
                variants.setdefault(variant, term.pattern)
        self._folder = _VariantFolder(variants)

        # Exception phrases are shared: many terms may list the same one.
        exception_ids: dict[str, int] = {}
        self._term_exceptions: list[tuple[int, ...]] = []
        for term in self.terms:
            ids = []
            for phrase in term.exceptions:
                key = self._fold(phrase).norm
                if key:
                    ids.append(exception_ids.setdefault(key, len(exception_ids)))
            self._term_exceptions.append(tuple(ids))

        # key → (term indices, exception ids): one key may be several terms' spelling
        # (in different rules) and an exception phrase at the same time.
        entries: dict[str, tuple[list[int], list[int]]] = {}
        for phrase, exc_id in exception_ids.items():
            entries.setdefault(phrase, ([], []))[1].append(exc_id)
        self._regexes: list[tuple[int, re.Pattern[str]]] = []
        self._typed_regexes: list[tuple[int, re.Pattern[str]]] = []
        for idx, term in enumerate(self.terms):
            if term.kind == "literal":
                key = self._fold(term.pattern).norm
                if not key:
                    raise TermError(
                        "empty_literal",
                        f"rule {term.rule_code}: literal {term.pattern!r} is empty once "
                        "normalized (only spaces/punctuation)",
                    )
                entries.setdefault(key, ([], []))[0].append(idx)
                continue
            try:
                pattern = re.compile(term.pattern)
            except re.error as exc:
                raise TermError(
                    "bad_regex", f"rule {term.rule_code}: bad regex {term.pattern!r}: {exc}",
                    position=exc.pos,
                ) from exc
            if pattern.fullmatch(""):
                raise TermError(
                    "regex_matches_empty",
                    f"rule {term.rule_code}: regex {term.pattern!r} matches ''",
                )
            if term.kind == "regex_typed":
                self._typed_regexes.append((idx, pattern))
            else:
                self._regexes.append((idx, pattern))
        self._trie = _Trie({k: (tuple(t), tuple(x)) for k, (t, x) in entries.items()})

    @classmethod
    def from_dicts(cls, rows: Iterable[Mapping[str, object]]) -> Screener:
        """Build from dict rows (seed data, ``.values()`` of the admin's model).

        Keys other than the :class:`Term` fields (id, is_active …) are ignored.
        """
        fields = ("rule_code", "pattern", "kind", "variants", "exceptions")
        return cls(Term(**{f: row[f] for f in fields if f in row}) for row in rows)

    def _fold(self, text: str) -> _Folded:
        return _normalize(text, self._folder)

    def normalize(self, text: str) -> tuple[str, list[int]]:
        """:func:`normalize` with this screener's variants."""
        folded = self._fold(text)
        return folded.norm, folded.starts

    def screen(self, text: str) -> list[Hit]:
        """All hits in ``text``, sorted by (start, end, rule_code)."""
        if not text:
            return []
        f = self._fold(text)

        candidates: list[tuple[int, int, int]] = []  # (term index, first, stop) in norm
        exception_spans: dict[int, list[tuple[int, int]]] = {}
        if f.norm:
            for first, stop, (term_ids, exc_ids) in self._trie.find_all(f.spelled):
                for exc_id in exc_ids:
                    exception_spans.setdefault(exc_id, []).append((first, stop))
                for idx in term_ids:
                    candidates.append((idx, first, stop))
            for idx, pattern in self._regexes:
                for m in pattern.finditer(f.norm):
                    if m.end() > m.start():  # lookaround-only patterns can match empty
                        candidates.append((idx, m.start(), m.end()))

        spans_by_rule: dict[str, list[tuple[int, int, int]]] = {}
        for idx, first, stop in candidates:
            exc_ids = self._term_exceptions[idx]
            if exc_ids and _inside_exception(exc_ids, exception_spans, first, stop):
                continue
            start, end = f.span(first, stop)
            if _cuts_word(text, start, end):
                continue
            spans_by_rule.setdefault(self.terms[idx].rule_code, []).append((start, end, idx))
        if self._typed_regexes:
            self._screen_typed(text, f, exception_spans, spans_by_rule)

        hits = [
            Hit(rule_code, self.terms[idx].pattern, text[start:end], start, end)
            for rule_code, spans in spans_by_rule.items()
            for start, end, idx in _merge(spans)
        ]
        hits.sort(key=lambda h: (h.start, h.end, h.rule_code))
        return hits

    def _screen_typed(self, text, f, exception_spans, spans_by_rule) -> None:
        """Add the hits of the as-typed regexes; their offsets are the text's own, so an
        exception is compared with them in the text's offsets too."""
        typed = _typed_text(text)
        original_exceptions: dict[int, list[tuple[int, int]]] | None = None
        for idx, pattern in self._typed_regexes:
            for m in pattern.finditer(typed):
                start, end = m.start(), m.end()
                if end <= start or _cuts_word(text, start, end):
                    continue
                exc_ids = self._term_exceptions[idx]
                if exc_ids:
                    if original_exceptions is None:
                        original_exceptions = {
                            exc_id: [f.span(a, b) for a, b in spans]
                            for exc_id, spans in exception_spans.items()
                        }
                    if _inside_exception(exc_ids, original_exceptions, start, end):
                        continue
                spans_by_rule.setdefault(self.terms[idx].rule_code, []).append((start, end, idx))


def _inside_exception(
    exc_ids: tuple[int, ...],
    exception_spans: dict[int, list[tuple[int, int]]],
    first: int,
    stop: int,
) -> bool:
    for exc_id in exc_ids:
        for exc_first, exc_stop in exception_spans.get(exc_id, ()):
            if exc_first <= first and stop <= exc_stop:
                return True
    return False


def _merge(spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Merge overlapping spans of one rule into their union.

    The union is what the reviewer should see highlighted ("全网最低价" rather than
    "全网最低" and "最低价" separately); the term reported is the one behind the
    longest piece, as the most specific explanation. Touching spans stay apart: they
    are separate offences ("微信微信").
    """
    spans.sort(key=lambda s: (s[0], -s[1], s[2]))
    merged: list[tuple[int, int, int]] = []
    best_len = 0
    for start, end, idx in spans:
        if merged and start < merged[-1][1]:
            m_start, m_end, m_idx = merged[-1]
            if end - start > best_len:
                m_idx, best_len = idx, end - start
            merged[-1] = (m_start, max(m_end, end), m_idx)
        else:
            merged.append((start, end, idx))
            best_len = end - start
    return merged


def _field_matches(field: str, scopes: Collection[str]) -> bool:
    # "sku.3.name" and "captions[0]" belong to the scopes "sku" and "captions".
    return any(field == s or field.startswith((s + ".", s + "[")) for s in scopes)


def screen_fields(
    screener: Screener,
    fields: Mapping[str, str | None],
    *,
    rule_fields: Mapping[str, Collection[str]] | None = None,
) -> list[tuple[str, Hit]]:
    """Screen several fields of one listing (title, description, SKU names, captions).

    ``rule_fields`` restricts a rule to some fields, e.g. the price-on-cover rule to
    image captions: ``{"price_on_cover": ["cover_caption"]}``. Rules not named apply
    to every field. A scope also covers dotted/indexed sub-fields ("sku.0.name").
    Results keep the order of ``fields``, then the order of hits within a field.
    """
    results: list[tuple[str, Hit]] = []
    for name, value in fields.items():
        if not value:
            continue
        for hit in screener.screen(value):
            scopes = rule_fields.get(hit.rule_code) if rule_fields else None
            if scopes is not None and not _field_matches(name, scopes):
                continue
            results.append((name, hit))
    return results
