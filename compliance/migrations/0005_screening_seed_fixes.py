"""The screening seed's fixes, for databases seeded before them (new databases get the
fixed seed from `compliance.loaders`): the phone-number regex runs on the text as typed
(a list of sizes such as 内存 16 128 256 512 was read as a phone number), 加微 and
comparisons with 某品牌 are caught, and 微信/QQ/最佳/扫码 gain the exceptions in which they
are harmless (微信支付, QQ糖, 最佳饮用温度 …).

Reviewers may have edited these rows: a replaced pattern is only rewritten while it still
reads as seeded, exceptions are added to the reviewer's list (none removed), and a term
is only created when its rule exists and has no such term. Each change writes a history
row, and the rules' `updated_at` moves so running screeners recompile.
"""

from django.db import migrations
from django.utils import timezone

REASON = "Seed fix (compliance 0005)"

# (rule, kind, pattern as seeded) → (kind, pattern)
REPLACED = [
    (('off_platform_contact', 'regex', '1[3-9][0-9]{9}'), ('regex_typed', '1[3-9][0-9](?:[ -]?[0-9]{4}){2}')),
    (('off_platform_contact', 'regex', '加(我|一下|下|个)?(微信|qq|v|好友|威|薇)'), ('regex', '加(我|一下|下|个)?(微信|qq|v|好友|威|薇|微(?![量波米型调小风辣甜距孔弹胖粒晶纳创软]))')),
    (('disparage_competitors', 'regex', '(别家|别人家|其他家|其它家|同行|外面|市面上|某宝|某东|某多多|某猫|其他品牌|别的品牌|其他牌子|别的牌子|大牌)(的|卖的|家的)?(都是|全是|就是|基本都是|大多是)?(假货|垃圾|劣质|智商税|山寨|三无|坑人|次品|黑心|骗人|翻新|高仿)'), ('regex', '(别家|别人家|其他家|其它家|同行|外面|市面上|某宝|某东|某多多|某猫|其他品牌|别的品牌|其他牌子|别的牌子|大牌|某品牌|某牌子|某些品牌|某些商家|某家|他们家|他们)(的|卖的|家的)?(都是|全是|就是|基本都是|大多是)?(假货|垃圾|劣质|智商税|山寨|三无|坑人|次品|黑心|骗人|翻新|高仿)')),
]
# (rule, kind, pattern) → exceptions to add
ADDED_EXCEPTIONS = [
    (('absolute_terms', 'literal', '最佳'), ['最佳饮用温度', '最佳食用温度', '最佳储存温度', '最佳保存温度', '最佳冲泡温度']),
    (('off_platform_contact', 'literal', '微信'), ['微信支付', '微信扫码支付', '微信付款', '微信视频', '微信语音', '微信小程序', '微信运动']),
    (('off_platform_contact', 'literal', 'qq'), ['QQ糖', 'QQ音乐', 'QQ星', 'QQ飞车', 'QQ弹', 'QQ炫舞']),
    (('off_platform_contact', 'literal', '扫码'), ['微信扫码支付']),
]
# (rule, kind, pattern, variants, exceptions)
NEW_TERMS = [
    ('disparage_competitors', 'regex', '比(某|别的|别家|别人家|其他|其它|同行|大牌|市面上).{0,4}?(好|强)(太多|很多|得多|多了|[0-9一二三四五六七八九十百千万n]+倍)', [], []),
    ('off_platform_contact', 'literal', '私聊', [], ['隐私聊']),
]


def _history(apps, term, history_type, now):
    apps.get_model("compliance", "HistoricalScreeningTerm").objects.create(
        id=term.pk, rule_id=term.rule_id, pattern=term.pattern, kind=term.kind,
        variants=term.variants, exceptions=term.exceptions, active=term.active,
        updated_at=term.updated_at, history_date=now, history_type=history_type,
        history_change_reason=REASON,
    )


def forwards(apps, schema_editor):
    ScreeningRule = apps.get_model("compliance", "ScreeningRule")
    ScreeningTerm = apps.get_model("compliance", "ScreeningTerm")
    rules = {rule.code: rule for rule in ScreeningRule.objects.all()}
    if not rules:
        return  # not seeded yet: the loader will create the fixed terms
    now = timezone.now()
    touched = set()

    def find(rule_code, kind, pattern):
        rule = rules.get(rule_code)
        if rule is None:
            return None, None
        return rule, ScreeningTerm.objects.filter(rule=rule, kind=kind, pattern=pattern).first()

    for (rule_code, kind, pattern), (new_kind, new_pattern) in REPLACED:
        rule, term = find(rule_code, kind, pattern)
        if term is None:
            continue
        _rule, existing = find(rule_code, new_kind, new_pattern)
        if existing is not None:
            term.active = False  # the fixed term is there already: retire the old one
        else:
            term.kind, term.pattern = new_kind, new_pattern
        term.save()
        _history(apps, term, "~", now)
        touched.add(rule.pk)
    for (rule_code, kind, pattern), extra in ADDED_EXCEPTIONS:
        rule, term = find(rule_code, kind, pattern)
        if term is None:
            continue
        exceptions = list(term.exceptions or [])
        missing = [phrase for phrase in extra if phrase not in exceptions]
        if not missing:
            continue
        term.exceptions = exceptions + missing
        term.save()
        _history(apps, term, "~", now)
        touched.add(rule.pk)
    for rule_code, kind, pattern, variants, exceptions in NEW_TERMS:
        rule, term = find(rule_code, kind, pattern)
        if rule is None or term is not None:
            continue
        term = ScreeningTerm.objects.create(
            rule=rule, kind=kind, pattern=pattern, variants=variants, exceptions=exceptions
        )
        _history(apps, term, "+", now)
        touched.add(rule.pk)
    ScreeningRule.objects.filter(pk__in=touched).update(updated_at=now)


class Migration(migrations.Migration):

    dependencies = [
        ("compliance", "0004_category_code_chars_typed_regex_terms"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
