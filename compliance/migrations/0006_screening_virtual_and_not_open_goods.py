"""Screening of the handbook's prohibited and not-open lists, for databases seeded before
it (new databases get the same rows from `compliance.loaders`): game currency, game
cards and their top-ups (游戏币、点卡、代充 — only 游戏外挂 was screened) and the other
prohibited families that had no term, and a new rule list for the not-open categories
(门票、流量卡、话费充值、游戏账号、视频会员、保险 …).

Like 0005, a term is only created when its rule exists and has no such term, and a rule
only when the lists were seeded at all; the prohibited rule's description is only updated
while it still reads as seeded. Each change writes a history row, and the rules'
`updated_at` moves so running screeners recompile.

The product review page offered no reason templates: none had ever been created for the
product scope. A few are added when the product scope has none.
"""

from django.db import migrations
from django.utils import timezone

REASON = "Seed: prohibited and not-open goods (compliance 0006)"

PROHIBITED_DESCRIPTION_AS_SEEDED = (
    "依据国家法律法规禁售的商品一律不得发布：野生保护动植物及其制品、动物猎捕工具、"
    "枪支弹药及仿真枪、管制器具、迷药等违禁药品、窃听窃照器材、伪造货币、文物、"
    "军需/警用物品等。"
)
PROHIBITED_DESCRIPTION = (
    "依据国家法律法规禁售的商品一律不得发布：野生保护动植物及其制品、动物猎捕工具、"
    "枪支弹药及仿真枪、管制器具、迷药等违禁药品、窃听窃照器材、伪造货币、文物、"
    "军需/警用物品等；未经国家备案的网络游戏、游戏点卡、游戏币等虚拟类商品及其代充。"
)
NOT_OPEN_RULE = {
    "code": "not_open_goods",
    "name": "未开放类目商品",
    "name_en": "Goods of categories not open on the platform",
    "description": (
        "平台暂未开放的类目不得发布：票类（门票、电影票等）、运营商虚拟产品（电话卡/流量卡、"
        "充值业务等）、跨境电商、畜牧种植、房产/地产、汽车、机械设备、游戏/会员、健康美容、"
        "培训教育、保险、酒店/交通出游等虚拟服务类商品。"
    ),
    "sort_order": 7,
}

# (rule, kind, pattern, variants, exceptions)
NEW_TERMS = [
    ('prohibited_goods', 'literal', '游戏币', ['youxi币', '游戏金币'], []),
    ('prohibited_goods', 'literal', '点卡', ['dian卡', '点k'], ['点卡扣', '点卡位', '点卡槽', '点卡通', '点卡住']),
    ('prohibited_goods', 'literal', '代充', ['dai充', '代chong', '代冲'], ['代充电']),
    ('prohibited_goods', 'literal', '游戏充值', ['游戏冲值', 'youxi充值'], []),
    ('prohibited_goods', 'regex', '(游戏|手游|网游|页游)(币|点券|钻石|元宝|点卡|充值|代充)', [], []),
    ('prohibited_goods', 'regex', '(游戏|手游|网游|传奇|魔兽)私服|私服(游戏|手游|网游|传奇|开服)', [], []),
    ('prohibited_goods', 'literal', '虚拟货币', ['虚拟币'], []),
    ('prohibited_goods', 'literal', '比特币', [], []),
    ('prohibited_goods', 'literal', '作弊器', [], []),
    ('prohibited_goods', 'literal', '作弊软件', [], []),
    ('prohibited_goods', 'literal', '破解软件', ['破解版'], []),
    ('prohibited_goods', 'literal', '信号屏蔽器', ['手机屏蔽器'], []),
    ('prohibited_goods', 'literal', '伪基站', [], []),
    ('prohibited_goods', 'literal', '开锁工具', ['开锁器'], []),
    ('prohibited_goods', 'literal', '电猫器', ['电猫机'], []),
    ('prohibited_goods', 'literal', '鸟媒', ['引鸟器'], []),
    ('prohibited_goods', 'literal', '伪造货币', ['变造货币'], []),
    ('prohibited_goods', 'regex', '(军队|部队|军用|政府|国宴|机关|内部|大会堂|中南海)特供', [], []),
    ('prohibited_goods', 'literal', '特供酒', [], []),
    ('prohibited_goods', 'literal', '特供烟', [], []),
    ('prohibited_goods', 'literal', '高仿', [], ['高仿真']),
    ('prohibited_goods', 'literal', 'A货', [], []),
    ('prohibited_goods', 'literal', '精仿', [], []),
    ('prohibited_goods', 'literal', '仿牌', [], []),
    ('prohibited_goods', 'literal', '易制毒', [], []),
    ('prohibited_goods', 'literal', '炸药', [], []),
    ('prohibited_goods', 'literal', '雷管', [], []),
    ('prohibited_goods', 'literal', '淫秽', [], []),
    ('prohibited_goods', 'regex', '色情(片|影片|视频|电影|网站|直播|资源)', [], []),
    ('prohibited_goods', 'literal', '赌具', [], []),
    ('prohibited_goods', 'literal', '赌博机', [], []),
    ('prohibited_goods', 'literal', '出千器', [], []),
    ('prohibited_goods', 'literal', '透视扑克', [], []),
    ('prohibited_goods', 'literal', '香烟', [], ['香烟盒', '香烟收纳']),
    ('prohibited_goods', 'literal', '卷烟', [], []),
    ('prohibited_goods', 'literal', '烟丝', [], []),
    ('prohibited_goods', 'literal', '烟弹', [], []),
    ('prohibited_goods', 'literal', '烟草', [], ['烟草味', '烟草香', '烟草调']),
    ('prohibited_goods', 'literal', '雪茄', [], ['雪茄剪', '雪茄盒', '雪茄柜', '雪茄保湿']),
    ('not_open_goods', 'literal', '门票', [], ['门票夹', '门票收纳', '门票册']),
    ('not_open_goods', 'literal', '电影票', ['观影券', '电影兑换券'], []),
    ('not_open_goods', 'literal', '演出票', ['演唱会票'], []),
    ('not_open_goods', 'literal', '电话卡', [], []),
    ('not_open_goods', 'literal', '流量卡', [], []),
    ('not_open_goods', 'literal', '手机卡', [], ['手机卡托', '手机卡针', '手机卡套', '手机卡包', '手机卡槽', '手机卡贴']),
    ('not_open_goods', 'literal', '话费充值', ['充话费', '冲话费', '话费代充'], []),
    ('not_open_goods', 'literal', '流量充值', ['充流量'], []),
    ('not_open_goods', 'literal', '跨境直邮', ['海外直邮'], []),
    ('not_open_goods', 'literal', '畜禽活体', [], []),
    ('not_open_goods', 'literal', '活禽', [], []),
    ('not_open_goods', 'literal', '鸡苗', ['鸭苗'], []),
    ('not_open_goods', 'literal', '农药', [], ['无农药', '零农药', '农药残留', '不打农药', '不用农药', '没打农药', '不施农药', '除农药', '去农药']),
    ('not_open_goods', 'literal', '兽药', [], []),
    ('not_open_goods', 'literal', '二手房', [], []),
    ('not_open_goods', 'literal', '房源', [], []),
    ('not_open_goods', 'literal', '商品房', [], []),
    ('not_open_goods', 'literal', '房屋出租', ['房屋租赁'], []),
    ('not_open_goods', 'literal', '二手车', [], ['二手车载']),
    ('not_open_goods', 'literal', '工程机械', [], []),
    ('not_open_goods', 'literal', '农业机械', [], []),
    ('not_open_goods', 'literal', '游戏账号', ['游戏帐号'], []),
    ('not_open_goods', 'regex', '(手游|网游|游戏)(账号|帐号|装备|代练)', [], []),
    ('not_open_goods', 'literal', '代练', [], []),
    ('not_open_goods', 'literal', '会员充值', ['会员代充'], []),
    ('not_open_goods', 'regex', '(视频|影视|网盘|爱奇艺|腾讯视频|优酷|芒果tv|哔哩哔哩)(vip|会员)', [], []),
    ('not_open_goods', 'literal', '医疗美容', [], []),
    ('not_open_goods', 'literal', '体检套餐', ['体检卡'], []),
    ('not_open_goods', 'regex', '(医美|整形|美容美发)(项目|套餐|服务)', [], []),
    ('not_open_goods', 'literal', '在线课程', [], []),
    ('not_open_goods', 'literal', '培训课程', [], []),
    ('not_open_goods', 'regex', '(意外|人寿|寿|重疾|医疗|养老|车)险', [], []),
    ('not_open_goods', 'literal', '保险产品', [], []),
    ('not_open_goods', 'literal', '酒店住宿', ['酒店房券'], []),
    ('not_open_goods', 'literal', '机票', [], ['机票夹', '机票收纳', '机票包', '机票本']),
    ('not_open_goods', 'literal', '火车票', [], ['火车票夹']),
    ('not_open_goods', 'literal', '旅游线路', ['跟团游'], []),
]

PRODUCT_REASON_TEMPLATES = [
    "标题、描述或图片含有广告法极限词或夸大用语，请修改后重新提交。",
    "商品属于禁售商品或平台未开放类目，不能发布。",
    "商品信息含有站外联系方式，或引导私下交易、站外交易。",
    "商品宣称的功效缺少备案或检测报告支持。",
    "缺少该类目要求的商品资质，或资质已过期，请补充后重新提交。",
    "商品主图不清晰、与商品不符，或封面标注了价格。",
]


def _term_history(apps, term, history_type, now):
    apps.get_model("compliance", "HistoricalScreeningTerm").objects.create(
        id=term.pk, rule_id=term.rule_id, pattern=term.pattern, kind=term.kind,
        variants=term.variants, exceptions=term.exceptions, active=term.active,
        updated_at=term.updated_at, history_date=now, history_type=history_type,
        history_change_reason=REASON,
    )


def _rule_history(apps, rule, history_type, now):
    apps.get_model("compliance", "HistoricalScreeningRule").objects.create(
        id=rule.pk, code=rule.code, name=rule.name, name_en=rule.name_en,
        description=rule.description, academy_url=rule.academy_url, fields=rule.fields,
        active=rule.active, sort_order=rule.sort_order, updated_at=rule.updated_at,
        history_date=now, history_type=history_type, history_change_reason=REASON,
    )


def add_terms(apps, schema_editor):
    ScreeningRule = apps.get_model("compliance", "ScreeningRule")
    ScreeningTerm = apps.get_model("compliance", "ScreeningTerm")
    rules = {rule.code: rule for rule in ScreeningRule.objects.all()}
    if not rules:
        return  # not seeded yet: the loader will create the rules and their terms
    now = timezone.now()
    touched = set()

    prohibited = rules.get("prohibited_goods")
    if prohibited is not None and prohibited.description == PROHIBITED_DESCRIPTION_AS_SEEDED:
        prohibited.description = PROHIBITED_DESCRIPTION
        prohibited.save()
        _rule_history(apps, prohibited, "~", now)
    if NOT_OPEN_RULE["code"] not in rules:
        rule = ScreeningRule.objects.create(**NOT_OPEN_RULE)
        _rule_history(apps, rule, "+", now)
        rules[rule.code] = rule

    for rule_code, kind, pattern, variants, exceptions in NEW_TERMS:
        rule = rules.get(rule_code)
        if rule is None or ScreeningTerm.objects.filter(
            rule=rule, kind=kind, pattern=pattern
        ).exists():
            continue
        term = ScreeningTerm.objects.create(
            rule=rule, kind=kind, pattern=pattern, variants=variants, exceptions=exceptions
        )
        _term_history(apps, term, "+", now)
        touched.add(rule.pk)
    ScreeningRule.objects.filter(pk__in=touched).update(updated_at=now)


def add_product_reason_templates(apps, schema_editor):
    template_model = apps.get_model("shop", "RejectionReasonTemplate")
    if template_model.objects.filter(scope="product").exists():
        return  # the reviewers keep their own
    for text in PRODUCT_REASON_TEMPLATES:
        template_model.objects.get_or_create(scope="product", text=text)


class Migration(migrations.Migration):

    dependencies = [
        ("compliance", "0005_screening_seed_fixes"),
        ("shop", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_terms, migrations.RunPython.noop),
        migrations.RunPython(add_product_reason_templates, migrations.RunPython.noop),
    ]
