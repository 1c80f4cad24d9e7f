"""Seed rule lists for listing-text screening (商品初审 pre-screening).

Loaded into the admin once; reviewers edit the rows afterwards, so nothing here is read
at screening time. Sources: the handbook's listing rules (不能使用绝对化、夸张化词语 —
全省第一/中国驰名/纯天然; 不可乱介绍功效; 不可指责其他产品; 不可呼吁好评返利、刷单;
不可引导粉丝私下联系 — 看主页/加我v/私信我; 封面不可直接写价钱; 禁售品) and the
Advertising Law's well-known list of absolute terms (广告法极限词).

Writing terms (see ``compliance.screening.Term``):
- literal patterns, variants and exceptions are written as people type them; they are
  normalized like the text (full-width, case, spaces and punctuation do not matter);
- regexes run on the normalized text: lower case, no spaces or punctuation (only
  ``¥ $ % +`` survive), and variants already rewritten to their canonical term;
- numbers whose digits must stand together (phone numbers) are ``regex_typed``: run on
  the text as typed, so a list of sizes (16 128 256 512) is not glued into one number;
- prefer specific phrases to single characters: the bare 最 or 第一 would flag 最近,
  最后一天发货, 第一次, 最新款.
"""

ABSOLUTE = "absolute_terms"
EFFICACY = "false_efficacy"
DISPARAGE = "disparage_competitors"
REVIEWS = "review_solicitation"
OFF_PLATFORM = "off_platform_contact"
PRICE_ON_COVER = "price_on_cover"
PROHIBITED = "prohibited_goods"
NOT_OPEN = "not_open_goods"

RULES = [
    {
        "code": ABSOLUTE,
        "name_zh": "广告法极限词",
        "name_en": "Absolute or exaggerated terms (Advertising Law)",
        "description_zh": (
            "商品介绍需实事求是，不得使用“国家级”“最高级”“最佳”等绝对化、夸张化用语，"
            "不得夸大地位、成绩，如全网第一、全省第一、中国驰名、纯天然。"
        ),
    },
    {
        "code": EFFICACY,
        "name_zh": "虚假功效",
        "name_en": "Invented efficacy claims",
        "description_zh": (
            "不得给商品安上子虚乌有的功效（如穿某衣物能增肥）；普通商品不得宣称治疗、"
            "预防疾病或保健功能，特殊功效须有备案或检测报告支持。"
        ),
    },
    {
        "code": DISPARAGE,
        "name_zh": "贬低他人品牌",
        "name_en": "Disparaging other brands or sellers",
        "description_zh": "不得对其他同类产品或商家进行恶意抹黑、贬低，如“某品牌比我们差得多”。",
    },
    {
        "code": REVIEWS,
        "name_zh": "好评返现/刷单",
        "name_en": "Soliciting good reviews for rewards, fake orders",
        "description_zh": (
            "不得以金钱、礼品诱导消费者给予好评（好评返现、晒图有礼），不得组织或暗示刷单、"
            "刷销量、刷好评。"
        ),
    },
    {
        "code": OFF_PLATFORM,
        "name_zh": "引导私下交易/站外联系",
        "name_en": "Steering buyers to private contact or off-platform trade",
        "description_zh": (
            "商品信息及主页不得留有微信、QQ、手机号等私下联系方式，不得引导“看主页”"
            "“加我v”“私信我”，不得引导站外或私下交易，应引导通过小黄车下单。"
        ),
    },
    {
        "code": PRICE_ON_COVER,
        "name_zh": "封面标价",
        "name_en": "Price written on the cover image",
        "description_zh": (
            "封面不可直接写价钱（如¥99、99元、原价、到手价），可介绍商品的材质、功能、使用效果。"
        ),
    },
    {
        "code": PROHIBITED,
        "name_zh": "禁售商品",
        "name_en": "Prohibited goods",
        "description_zh": (
            "依据国家法律法规禁售的商品一律不得发布：野生保护动植物及其制品、动物猎捕工具、"
            "枪支弹药及仿真枪、管制器具、迷药等违禁药品、窃听窃照器材、伪造货币、文物、"
            "军需/警用物品等；未经国家备案的网络游戏、游戏点卡、游戏币等虚拟类商品及其代充。"
        ),
    },
    {
        "code": NOT_OPEN,
        "name_zh": "未开放类目商品",
        "name_en": "Goods of categories not open on the platform",
        "description_zh": (
            "平台暂未开放的类目不得发布：票类（门票、电影票等）、运营商虚拟产品（电话卡/流量卡、"
            "充值业务等）、跨境电商、畜牧种植、房产/地产、汽车、机械设备、游戏/会员、健康美容、"
            "培训教育、保险、酒店/交通出游等虚拟服务类商品。"
        ),
    },
]

# Rules that only make sense in some listing fields; rules not named apply everywhere.
# Passed to ``screen_fields(..., rule_fields=RULE_FIELDS)``; the field names are the
# ones the product-review service uses for the texts it screens.
RULE_FIELDS = {
    PRICE_ON_COVER: ("cover_caption", "image_captions"),
}


def _lit(rule_code, pattern, variants=(), exceptions=()):
    return {
        "rule_code": rule_code,
        "pattern": pattern,
        "kind": "literal",
        "variants": list(variants),
        "exceptions": list(exceptions),
    }


def _re(rule_code, pattern, exceptions=(), *, as_typed=False):
    return {
        "rule_code": rule_code,
        "pattern": pattern,
        "kind": "regex_typed" if as_typed else "regex",
        "variants": [],
        "exceptions": list(exceptions),
    }


_CN_NUM = "[一二三四五六七八九十两]"

_ABSOLUTE_TERMS = [
    # "最" + adjective: listed one by one; the bare 最 would hit 最近/最后/最新款.
    _lit(
        ABSOLUTE,
        "最好",
        exceptions=["最好不要", "最好别", "最好在", "最好先", "最好放", "最好是", "最好用冷水"],
    ),
    _lit(
        ABSOLUTE,
        "最佳",
        exceptions=[
            "最佳赏味期", "最佳食用期", "最佳饮用期", "最佳观赏期", "最佳使用期",
            # storage and serving advice, not a ranking
            "最佳饮用温度", "最佳食用温度", "最佳储存温度", "最佳保存温度", "最佳冲泡温度",
        ],
    ),
    _lit(ABSOLUTE, "最优"),
    _lit(ABSOLUTE, "最强"),
    _lit(ABSOLUTE, "最低价", variants=["最底价"]),
    _lit(ABSOLUTE, "最便宜"),
    _lit(ABSOLUTE, "最优惠"),
    _lit(ABSOLUTE, "最实惠"),
    _lit(ABSOLUTE, "最高级"),
    _lit(ABSOLUTE, "最先进"),
    _lit(ABSOLUTE, "最时尚"),
    _lit(ABSOLUTE, "最受欢迎"),
    _lit(ABSOLUTE, "最畅销"),
    _lit(ABSOLUTE, "最正宗"),
    _lit(ABSOLUTE, "最权威"),
    _lit(ABSOLUTE, "史上最低"),
    _lit(ABSOLUTE, "全网最低", variants=["全网最底"]),
    _lit(
        ABSOLUTE,
        "全网第一",
        variants=["全网第1", "全网no1", "全网top1", "全网第壹"],
        exceptions=["全网第一次"],
    ),
    _lit(ABSOLUTE, "全省第一", variants=["全省第1"], exceptions=["全省第一次"]),
    _lit(ABSOLUTE, "全国第一", variants=["全国第1"], exceptions=["全国第一次"]),
    _lit(ABSOLUTE, "全球第一", variants=["全球第1"]),
    _lit(ABSOLUTE, "世界第一", variants=["世界第1"]),
    _lit(ABSOLUTE, "行业第一", variants=["行业第1"]),
    _lit(ABSOLUTE, "销量第一", variants=["销量第1"]),
    _lit(ABSOLUTE, "排名第一"),
    _lit(ABSOLUTE, "第一品牌"),
    _lit(ABSOLUTE, "NO.1"),
    _lit(ABSOLUTE, "TOP1"),
    _lit(ABSOLUTE, "国家级"),
    _lit(ABSOLUTE, "世界级"),
    _lit(ABSOLUTE, "顶级"),
    _lit(ABSOLUTE, "极致"),
    _lit(ABSOLUTE, "极品"),
    _lit(ABSOLUTE, "万能", exceptions=["万能胶", "万能充", "万能表", "万能插头", "万能转换插头"]),
    _lit(ABSOLUTE, "100%有效", variants=["百分百有效", "百分之百有效"]),
    _lit(ABSOLUTE, "百分之百", exceptions=["百分之百纯棉"]),
    _lit(ABSOLUTE, "绝对", exceptions=["绝对值"]),
    _lit(ABSOLUTE, "唯一", exceptions=["唯一标识", "唯一编码", "唯一识别码"]),
    _lit(ABSOLUTE, "首选"),
    _lit(ABSOLUTE, "独家"),
    _lit(ABSOLUTE, "独一无二"),
    _lit(ABSOLUTE, "王牌"),
    _lit(ABSOLUTE, "领导品牌"),
    _lit(ABSOLUTE, "领先品牌"),
    _lit(ABSOLUTE, "中国驰名"),
    _lit(ABSOLUTE, "驰名商标"),
    _lit(ABSOLUTE, "纯天然", variants=["100%天然", "百分百天然"]),
    _lit(ABSOLUTE, "国家免检"),
    _lit(ABSOLUTE, "零风险"),
    _lit(ABSOLUTE, "无副作用"),
    _lit(ABSOLUTE, "遥遥领先"),
    _lit(ABSOLUTE, "史无前例"),
    _lit(ABSOLUTE, "前无古人"),
    _lit(ABSOLUTE, "空前绝后"),
    _lit(ABSOLUTE, "全网首发"),
    _lit(ABSOLUTE, "冠军"),
    _lit(ABSOLUTE, "无敌"),
    _lit(ABSOLUTE, "永久", exceptions=["永久牌", "永久自行车"]),
    _lit(ABSOLUTE, "填补国内空白"),
    # (?!次): "全国第一次发货" is a first time, not a ranking.
    _re(
        ABSOLUTE,
        "(全网|全国|全省|全市|全球|世界|行业|同类|销量|品类|排名|人气)"
        "(第[一1壹](?!次)|no1|top1|冠军)",
    ),
    _re(ABSOLUTE, "(史上|全网|全年|全场|行业|同类)最(低|便宜|优惠|划算|实惠)"),
]

_EFFICACY_TERMS = [
    _lit(EFFICACY, "根治"),
    _lit(EFFICACY, "治愈", exceptions=["治愈系", "治愈感", "很治愈", "超治愈"]),
    _lit(EFFICACY, "治疗"),
    _lit(EFFICACY, "疗效"),
    _lit(EFFICACY, "药到病除"),
    _lit(EFFICACY, "包治百病"),
    _lit(EFFICACY, "抗癌"),
    _lit(EFFICACY, "防癌"),
    _lit(EFFICACY, "降血压"),
    _lit(EFFICACY, "降血糖"),
    _lit(EFFICACY, "降血脂"),
    _lit(EFFICACY, "降三高"),
    _lit(EFFICACY, "减肥", variants=["减fei", "jian肥"]),
    _lit(EFFICACY, "瘦身"),
    _lit(EFFICACY, "燃脂"),
    _lit(EFFICACY, "躺瘦"),
    _lit(EFFICACY, "增肥"),
    _lit(EFFICACY, "增高", exceptions=["增高鞋垫", "增高鞋", "增高垫", "内增高"]),
    _lit(EFFICACY, "丰胸", variants=["丰xiong"]),
    _lit(EFFICACY, "壮阳"),
    _lit(EFFICACY, "补肾"),
    _lit(EFFICACY, "排毒"),
    _lit(EFFICACY, "祛斑"),
    _lit(EFFICACY, "美白"),
    _lit(EFFICACY, "除皱", variants=["去皱"]),
    _lit(EFFICACY, "生发", exceptions=["产生发"]),
    _lit(EFFICACY, "防脱发"),
    _lit(EFFICACY, "祛痘", variants=["去痘"]),
    _lit(EFFICACY, "增强免疫力", variants=["提高免疫力"]),
    _lit(EFFICACY, "延年益寿"),
    _lit(EFFICACY, "长生不老"),
    _lit(EFFICACY, "立竿见影"),
    _lit(EFFICACY, "永不反弹", variants=["不反弹"]),
    _lit(EFFICACY, "无效退款"),
    _lit(EFFICACY, "消炎"),
    _lit(EFFICACY, "杀菌"),
    _lit(EFFICACY, "抗菌"),
    _lit(EFFICACY, "防辐射"),
    _lit(EFFICACY, "安神助眠", variants=["改善睡眠"]),
    _lit(EFFICACY, "预防感冒"),
    _lit(EFFICACY, "活血化瘀"),
    _lit(EFFICACY, "清肺"),
    _lit(EFFICACY, "排铅"),
    _lit(EFFICACY, "医用级"),
    # "7天瘦10斤" is caught in two overlapping pieces ("7天瘦", "瘦10斤") that the
    # screener merges into one hit.
    _re(
        EFFICACY,
        "[0-9一二三四五六七八九十两半]+(天|周|星期|个月|月)(瘦|减|掉秤|掉肉|长高|见效|美白)",
    ),
    _re(EFFICACY, f"(瘦|减|掉秤|掉|长高)([0-9]+|{_CN_NUM}+)(斤|公斤|kg|cm|厘米)"),
]

_COMPETITOR = (
    "(别家|别人家|其他家|其它家|同行|外面|市面上|某宝|某东|某多多|某猫|其他品牌|别的品牌"
    "|其他牌子|别的牌子|大牌|某品牌|某牌子|某些品牌|某些商家|某家|他们家|他们)"
)

_DISPARAGE_TERMS = [
    _lit(DISPARAGE, "吊打同行"),
    _lit(DISPARAGE, "吊打大牌"),
    _lit(DISPARAGE, "吊打一切"),
    _lit(DISPARAGE, "完爆"),
    _lit(DISPARAGE, "完虐"),
    _lit(DISPARAGE, "碾压同行"),
    _lit(DISPARAGE, "碾压大牌"),
    _lit(DISPARAGE, "秒杀同行"),
    _lit(DISPARAGE, "秒杀大牌"),
    _lit(DISPARAGE, "秒杀一切"),
    _lit(DISPARAGE, "同行都是"),
    _lit(DISPARAGE, "别家都是"),
    _lit(DISPARAGE, "比别家好"),
    _lit(DISPARAGE, "比大牌好"),
    _lit(DISPARAGE, "比专柜好"),
    _lit(DISPARAGE, "智商税"),
    _lit(DISPARAGE, "杂牌货"),
    _lit(DISPARAGE, "山寨货"),
    _lit(DISPARAGE, "三无产品", exceptions=["非三无产品", "不是三无产品"]),
    _lit(DISPARAGE, "黑心商家"),
    _lit(DISPARAGE, "无良商家"),
    _lit(DISPARAGE, "某宝"),
    _lit(DISPARAGE, "某东"),
    _lit(DISPARAGE, "某多多"),
    _lit(DISPARAGE, "某猫"),
    _lit(DISPARAGE, "外面卖的都是"),
    _lit(DISPARAGE, "市面上都是假货"),
    _lit(DISPARAGE, "别人家的", exceptions=["别人家的孩子"]),
    _lit(DISPARAGE, "别的牌子"),
    _lit(DISPARAGE, "假冒伪劣"),
    _re(
        DISPARAGE,
        _COMPETITOR + "(的|卖的|家的)?(都是|全是|就是|基本都是|大多是)?"
        "(假货|垃圾|劣质|智商税|山寨|三无|坑人|次品|黑心|骗人|翻新|高仿)",
    ),
    _re(
        DISPARAGE,
        "(完胜|秒杀|吊打|碾压|完爆|完虐|甩)(同行|大牌|国际大牌|专柜|其他品牌|别家|一切|所有|某)",
    ),
    # Praise by running others down: "比某品牌好太多", "比别家强十倍" (the thing compared
    # with must be someone else's: "比上一代好太多" is fine).
    _re(
        DISPARAGE,
        "比(某|别的|别家|别人家|其他|其它|同行|大牌|市面上).{0,4}?(好|强)"
        "(太多|很多|得多|多了|[0-9一二三四五六七八九十百千万n]+倍)",
    ),
    # The handbook's example: "XX品牌比我们差得多".
    _re(
        DISPARAGE,
        "(品牌|牌子|大牌|专柜|别家|同行).{0,6}?"
        "比(我们|我家|咱家|俺家)的?(差得多|差远了|差很多|差|贵)",
    ),
]

_REVIEW_TERMS = [
    _lit(
        REVIEWS,
        "好评返现",
        variants=["好评反现", "好平返现", "好p返现", "hp返现", "好评返钱", "好评返利"],
    ),
    _lit(REVIEWS, "好评返红包"),
    _lit(REVIEWS, "好评有礼"),
    _lit(REVIEWS, "好评送"),
    _lit(REVIEWS, "好评截图"),
    _lit(REVIEWS, "五星好评", variants=["5星好评"]),
    _lit(REVIEWS, "给个好评"),
    _lit(REVIEWS, "求好评"),
    _lit(REVIEWS, "晒图返现"),
    _lit(REVIEWS, "晒图有礼"),
    _lit(REVIEWS, "晒单返现"),
    _lit(REVIEWS, "晒单有礼"),
    _lit(REVIEWS, "带图好评"),
    _lit(REVIEWS, "追评返"),
    _lit(REVIEWS, "评价返现"),
    _lit(REVIEWS, "返现"),
    _lit(REVIEWS, "返红包"),
    _lit(REVIEWS, "刷单", variants=["shua单", "刷dan", "s单"]),
    _lit(REVIEWS, "刷好评"),
    _lit(REVIEWS, "刷销量"),
    _lit(REVIEWS, "刷评价"),
    _lit(REVIEWS, "刷信誉"),
    _lit(REVIEWS, "补单"),
    _lit(REVIEWS, "拍A发B"),
    _lit(REVIEWS, "空包", exceptions=["空包装", "空包弹"]),
    _lit(REVIEWS, "礼品代发"),
    _lit(REVIEWS, "删差评"),
    _lit(REVIEWS, "差评改好评", variants=["改好评"]),
    _re(
        REVIEWS,
        "(好评|五星|5星|晒图|晒单|追评|带图评价|评价|点评)后?"
        "(返|送|领|有礼|奖励|立返|红包|现金|抽奖)",
    ),
    _re(REVIEWS, "返([0-9]+(元|块)|现金?|红包)"),
]

_OFF_PLATFORM_TERMS = [
    _lit(
        OFF_PLATFORM,
        "微信",
        # A payment or calling feature of the goods is not a contact request.
        exceptions=[
            "微信支付", "微信扫码支付", "微信付款", "微信视频", "微信语音", "微信小程序",
            "微信运动",
        ],
        variants=[
            "威信",
            "薇信",
            "徾信",
            "维信",
            "溦信",
            "嶶信",
            "v信",
            "vx",
            "wx",
            "weixin",
            "wechat",
            "微x",
        ],
    ),
    _lit(OFF_PLATFORM, "微信号"),
    _lit(OFF_PLATFORM, "加微信", variants=["+微信", "+vx", "+wx", "+v信"]),
    _lit(OFF_PLATFORM, "加v", variants=["+v"]),
    _lit(OFF_PLATFORM, "加我v"),
    _lit(OFF_PLATFORM, "加我微信"),
    _lit(OFF_PLATFORM, "加好友", variants=["加我好友"]),
    _lit(
        OFF_PLATFORM,
        "qq",
        variants=["扣扣", "抠抠", "寇寇"],
        # sweets, brands and apps named QQ, and the chewy "QQ弹" of food
        exceptions=["扣扣子", "纽扣扣", "QQ糖", "QQ音乐", "QQ星", "QQ飞车", "QQ弹", "QQ炫舞"],
    ),
    _lit(OFF_PLATFORM, "qq号"),
    _lit(OFF_PLATFORM, "qq群"),
    _lit(
        OFF_PLATFORM,
        "私信我",
        variants=["私我", "私聊我", "私戳我", "滴滴我", "戳我私信", "si我"],
        exceptions=["隐私我"],
    ),
    _lit(OFF_PLATFORM, "私聊", exceptions=["隐私聊"]),
    _lit(OFF_PLATFORM, "看主页", variants=["看我主页", "点主页", "进主页", "去主页", "主页看"]),
    _lit(OFF_PLATFORM, "主页有联系方式"),
    _lit(OFF_PLATFORM, "联系方式"),
    _lit(OFF_PLATFORM, "手机号"),
    _lit(OFF_PLATFORM, "联系电话", variants=["电话联系"]),
    _lit(OFF_PLATFORM, "打电话", exceptions=["能打电话", "可打电话", "可以打电话", "打电话功能"]),
    _lit(OFF_PLATFORM, "私下交易", variants=["私下转账"]),
    _lit(OFF_PLATFORM, "线下交易"),
    _lit(OFF_PLATFORM, "私下联系"),
    _lit(OFF_PLATFORM, "不走平台"),
    _lit(OFF_PLATFORM, "绕过平台"),
    _lit(OFF_PLATFORM, "平台外交易"),
    _lit(OFF_PLATFORM, "转账给我"),
    _lit(OFF_PLATFORM, "支付宝转账"),
    _lit(OFF_PLATFORM, "微信转账"),
    _lit(OFF_PLATFORM, "进群"),
    _lit(OFF_PLATFORM, "加群"),
    _lit(OFF_PLATFORM, "群号"),
    _lit(OFF_PLATFORM, "陌陌"),
    _lit(OFF_PLATFORM, "淘宝店"),
    _lit(OFF_PLATFORM, "淘宝搜"),
    _lit(OFF_PLATFORM, "某宝搜"),
    _lit(OFF_PLATFORM, "闲鱼"),
    _lit(OFF_PLATFORM, "拼多多搜"),
    _lit(OFF_PLATFORM, "抖音号"),
    _lit(OFF_PLATFORM, "小红书号"),
    _lit(
        OFF_PLATFORM, "二维码", exceptions=["防伪二维码", "溯源二维码", "二维码溯源", "二维码防伪"]
    ),
    _lit(
        OFF_PLATFORM,
        "扫码",
        exceptions=["扫码验真", "扫码溯源", "扫码查真伪", "扫码防伪", "微信扫码支付"],
    ),
    # Mobile numbers, on the text as typed: written whole or grouped 3-4-4 with a space
    # or a dash. Separators anywhere else mean a list of numbers (内存 16 128 256 512,
    # 尺码 15、120、130), not a phone. No lookarounds for the neighbouring digits: the
    # screener already drops hits that cut a number in two, and a leading lookbehind
    # would cost ``re`` its fast prefix scan.
    _re(OFF_PLATFORM, "1[3-9][0-9](?:[ -]?[0-9]{4}){2}", as_typed=True),
    _re(OFF_PLATFORM, r"(qq|企鹅)号?(是|为)?[0-9]{5,11}"),
    _re(OFF_PLATFORM, r"微信号?(是|为)?[a-z][a-z0-9]{5,19}"),
    # 加威/加我薇 are left to this regex rather than declared as variants: a variant
    # "加我威" would win over "威信" (leftmost first) and hide 加我威信 → 加我微信.
    # 加微 alone is a contact request too, unless a word follows that 微 begins
    # (加微量元素, 可加微波炉加热).
    _re(
        OFF_PLATFORM,
        "加(我|一下|下|个)?(微信|qq|v|好友|威|薇|微(?![量波米型调小风辣甜距孔弹胖粒晶纳创软]))",
    ),
]

_PRICE_TERMS = [
    _lit(PRICE_ON_COVER, "原价"),
    _lit(PRICE_ON_COVER, "现价"),
    _lit(PRICE_ON_COVER, "售价"),
    _lit(PRICE_ON_COVER, "到手价"),
    _lit(PRICE_ON_COVER, "券后价"),
    _lit(PRICE_ON_COVER, "秒杀价"),
    _lit(PRICE_ON_COVER, "活动价"),
    _lit(PRICE_ON_COVER, "折后价"),
    _lit(PRICE_ON_COVER, "直播价"),
    _lit(PRICE_ON_COVER, "包邮价"),
    _lit(PRICE_ON_COVER, "特价"),
    _lit(PRICE_ON_COVER, "零售价"),
    _lit(PRICE_ON_COVER, "出厂价"),
    _lit(PRICE_ON_COVER, "批发价"),
    _lit(PRICE_ON_COVER, "清仓价"),
    _lit(PRICE_ON_COVER, "亏本价"),
    _lit(PRICE_ON_COVER, "一口价"),
    _lit(PRICE_ON_COVER, "划线价"),
    _lit(PRICE_ON_COVER, "市场价"),
    _lit(PRICE_ON_COVER, "专柜价"),
    _lit(PRICE_ON_COVER, "团购价"),
    _lit(PRICE_ON_COVER, "限时价"),
    _lit(PRICE_ON_COVER, "福利价"),
    _lit(PRICE_ON_COVER, "粉丝价"),
    _lit(PRICE_ON_COVER, "成本价"),
    _lit(PRICE_ON_COVER, "跳楼价"),
    _lit(PRICE_ON_COVER, "白菜价"),
    _lit(PRICE_ON_COVER, "半价"),
    _lit(PRICE_ON_COVER, "买一送一", variants=["买1送1"]),
    _lit(PRICE_ON_COVER, "零元购", variants=["0元购"]),
    _lit(PRICE_ON_COVER, "低至"),
    _lit(PRICE_ON_COVER, "九块九", variants=["9块9"]),
    _re(PRICE_ON_COVER, "[¥$][0-9]+"),
    # 元素/元旦/元宵 are words, not prices; "3折叠伞" is not a discount.
    _re(PRICE_ON_COVER, "[0-9]+(元(?![素旦宵])|块钱|块[0-9]|rmb)"),
    _re(PRICE_ON_COVER, "[0-9]+折(?!叠)"),
    _re(PRICE_ON_COVER, "(价|价格|价钱|只要|只需|仅需|低至)¥?[0-9]+"),
    _re(PRICE_ON_COVER, f"{_CN_NUM}+块{_CN_NUM}(?![起共套个片条件])"),
]

_PROHIBITED_TERMS = [
    _lit(PROHIBITED, "象牙", exceptions=["象牙白", "象牙色", "象牙黄", "象牙果", "象牙塔"]),
    _lit(PROHIBITED, "象牙制品"),
    _lit(PROHIBITED, "犀牛角", variants=["犀角"]),
    _lit(PROHIBITED, "穿山甲", variants=["鲮鲤"]),
    _lit(PROHIBITED, "虎骨"),
    _lit(
        PROHIBITED,
        "虎皮",
        exceptions=["虎皮鹦鹉", "虎皮蛋糕", "虎皮青椒", "虎皮凤爪", "虎皮鸡蛋", "虎皮纹"],
    ),
    _lit(PROHIBITED, "熊胆"),
    _lit(PROHIBITED, "熊掌"),
    _lit(PROHIBITED, "玳瑁", exceptions=["玳瑁色", "玳瑁纹", "玳瑁框"]),
    _lit(PROHIBITED, "红珊瑚"),
    _lit(PROHIBITED, "砗磲"),
    _lit(PROHIBITED, "野生动物"),
    _lit(PROHIBITED, "野味"),
    _lit(PROHIBITED, "捕兽夹", variants=["捕兽器"]),
    _lit(PROHIBITED, "粘鸟网", variants=["捕鸟网"]),
    _lit(PROHIBITED, "电鱼机", variants=["电鱼器"]),
    _lit(PROHIBITED, "猎套"),
    _lit(PROHIBITED, "枪支", variants=["木仓支", "qiang支"]),
    _lit(PROHIBITED, "手枪"),
    _lit(PROHIBITED, "气枪"),
    _lit(PROHIBITED, "猎枪"),
    _lit(PROHIBITED, "仿真枪", variants=["仿真qiang", "仿真木仓", "仿真抢"]),
    _lit(PROHIBITED, "钢珠枪"),
    _lit(PROHIBITED, "弩"),
    _lit(PROHIBITED, "电击器"),
    _lit(PROHIBITED, "电警棍", variants=["电棍"]),
    _lit(PROHIBITED, "管制刀具"),
    _lit(PROHIBITED, "军刺"),
    _lit(PROHIBITED, "迷药", variants=["迷魂药", "迷幻药", "听话水", "失身水"]),
    _lit(PROHIBITED, "催情药", variants=["催情水", "春药"]),
    _lit(PROHIBITED, "窃听器", variants=["监听器"], exceptions=["婴儿监听器"]),
    _lit(PROHIBITED, "针孔摄像头", variants=["针孔摄像机"]),
    _lit(PROHIBITED, "假币", variants=["假钞"]),
    _lit(PROHIBITED, "高仿人民币"),
    _lit(PROHIBITED, "文物", exceptions=["文物保护", "文物复刻", "文物复制品"]),
    _lit(PROHIBITED, "出土文物"),
    _lit(PROHIBITED, "军服", exceptions=["军服风", "军服款"]),
    _lit(PROHIBITED, "警服"),
    _lit(PROHIBITED, "警用"),
    _lit(PROHIBITED, "军需品"),
    _lit(PROHIBITED, "毒品"),
    _lit(PROHIBITED, "冰毒"),
    _lit(PROHIBITED, "大麻", exceptions=["大麻籽", "火麻"]),
    _lit(PROHIBITED, "摇头丸"),
    _lit(PROHIBITED, "游戏外挂"),
    _lit(PROHIBITED, "外挂", exceptions=["外挂式"]),
    _lit(PROHIBITED, "代开发票"),
    _lit(PROHIBITED, "人体器官"),
    _lit(PROHIBITED, "胎盘", variants=["紫河车"], exceptions=["羊胎盘", "胎盘素"]),
    _lit(PROHIBITED, "电子烟"),
    _lit(PROHIBITED, "传销"),
    # --- added with compliance migration 0006 ---
    # 虚拟类: unregistered online games, game cards, game currency and their top-ups
    _lit(PROHIBITED, "游戏币", variants=["youxi币", "游戏金币"]),
    _lit(
        PROHIBITED,
        "点卡",
        variants=["dian卡", "点k"],
        exceptions=["点卡扣", "点卡位", "点卡槽", "点卡通", "点卡住"],
    ),
    _lit(PROHIBITED, "代充", variants=["dai充", "代chong", "代冲"], exceptions=["代充电"]),
    _lit(PROHIBITED, "游戏充值", variants=["游戏冲值", "youxi充值"]),
    _re(PROHIBITED, "(游戏|手游|网游|页游)(币|点券|钻石|元宝|点卡|充值|代充)"),
    _re(PROHIBITED, "(游戏|手游|网游|传奇|魔兽)私服|私服(游戏|手游|网游|传奇|开服)"),
    _lit(PROHIBITED, "虚拟货币", variants=["虚拟币"]),
    _lit(PROHIBITED, "比特币"),
    # 非法所得及非法用途软件、工具或设备
    _lit(PROHIBITED, "作弊器"),
    _lit(PROHIBITED, "作弊软件"),
    _lit(PROHIBITED, "破解软件", variants=["破解版"]),
    _lit(PROHIBITED, "信号屏蔽器", variants=["手机屏蔽器"]),
    _lit(PROHIBITED, "伪基站"),
    _lit(PROHIBITED, "开锁工具", variants=["开锁器"]),
    # 动物猎捕工具
    _lit(PROHIBITED, "电猫器", variants=["电猫机"]),
    _lit(PROHIBITED, "鸟媒", variants=["引鸟器"]),
    # 伪造/变造货币, 军需/特供品
    _lit(PROHIBITED, "伪造货币", variants=["变造货币"]),
    _re(PROHIBITED, "(军队|部队|军用|政府|国宴|机关|内部|大会堂|中南海)特供"),
    _lit(PROHIBITED, "特供酒"),
    _lit(PROHIBITED, "特供烟"),
    # 制假风险类 (高仿真花 and the like are artificial, not counterfeit)
    _lit(PROHIBITED, "高仿", exceptions=["高仿真"]),
    _lit(PROHIBITED, "A货"),
    _lit(PROHIBITED, "精仿"),
    _lit(PROHIBITED, "仿牌"),
    # 毒品/易制毒, 易燃易爆
    _lit(PROHIBITED, "易制毒"),
    _lit(PROHIBITED, "炸药"),
    _lit(PROHIBITED, "雷管"),
    # 色情淫秽 (the bare 色情 would hit 红色情侣装)
    _lit(PROHIBITED, "淫秽"),
    _re(PROHIBITED, "色情(片|影片|视频|电影|网站|直播|资源)"),
    # 赌博用具
    _lit(PROHIBITED, "赌具"),
    _lit(PROHIBITED, "赌博机"),
    _lit(PROHIBITED, "出千器"),
    _lit(PROHIBITED, "透视扑克"),
    # 烟草
    _lit(PROHIBITED, "香烟", exceptions=["香烟盒", "香烟收纳"]),
    _lit(PROHIBITED, "卷烟"),
    _lit(PROHIBITED, "烟丝"),
    _lit(PROHIBITED, "烟弹"),
    _lit(PROHIBITED, "烟草", exceptions=["烟草味", "烟草香", "烟草调"]),
    _lit(PROHIBITED, "雪茄", exceptions=["雪茄剪", "雪茄盒", "雪茄柜", "雪茄保湿"]),
]

# 未开放类目: the handbook's not-open list, one family per category of the seeded tree's
# ``not_open`` branch. Phrases name the goods or service itself (门票, not 门票夹).
_NOT_OPEN_TERMS = [
    # 票类
    _lit(NOT_OPEN, "门票", exceptions=["门票夹", "门票收纳", "门票册"]),
    _lit(NOT_OPEN, "电影票", variants=["观影券", "电影兑换券"]),
    _lit(NOT_OPEN, "演出票", variants=["演唱会票"]),
    # 运营商虚拟产品
    _lit(NOT_OPEN, "电话卡"),
    _lit(NOT_OPEN, "流量卡"),
    _lit(
        NOT_OPEN,
        "手机卡",
        exceptions=["手机卡托", "手机卡针", "手机卡套", "手机卡包", "手机卡槽", "手机卡贴"],
    ),
    _lit(NOT_OPEN, "话费充值", variants=["充话费", "冲话费", "话费代充"]),
    _lit(NOT_OPEN, "流量充值", variants=["充流量"]),
    # 跨境电商
    _lit(NOT_OPEN, "跨境直邮", variants=["海外直邮"]),
    # 畜牧种植
    _lit(NOT_OPEN, "畜禽活体"),
    _lit(NOT_OPEN, "活禽"),
    _lit(NOT_OPEN, "鸡苗", variants=["鸭苗"]),
    _lit(
        NOT_OPEN,
        "农药",
        exceptions=[
            "无农药", "零农药", "农药残留", "不打农药", "不用农药", "没打农药", "不施农药",
            "除农药", "去农药",
        ],
    ),
    _lit(NOT_OPEN, "兽药"),
    # 房产/地产
    _lit(NOT_OPEN, "二手房"),
    _lit(NOT_OPEN, "房源"),
    _lit(NOT_OPEN, "商品房"),
    _lit(NOT_OPEN, "房屋出租", variants=["房屋租赁"]),
    # 汽车 (二手车载冰箱 is a second-hand car fridge)
    _lit(NOT_OPEN, "二手车", exceptions=["二手车载"]),
    # 机械设备
    _lit(NOT_OPEN, "工程机械"),
    _lit(NOT_OPEN, "农业机械"),
    # 游戏/会员
    _lit(NOT_OPEN, "游戏账号", variants=["游戏帐号"]),
    _re(NOT_OPEN, "(手游|网游|游戏)(账号|帐号|装备|代练)"),
    _lit(NOT_OPEN, "代练"),
    _lit(NOT_OPEN, "会员充值", variants=["会员代充"]),
    _re(NOT_OPEN, "(视频|影视|网盘|爱奇艺|腾讯视频|优酷|芒果tv|哔哩哔哩)(vip|会员)"),
    # 健康美容
    _lit(NOT_OPEN, "医疗美容"),
    _lit(NOT_OPEN, "体检套餐", variants=["体检卡"]),
    _re(NOT_OPEN, "(医美|整形|美容美发)(项目|套餐|服务)"),
    # 培训教育
    _lit(NOT_OPEN, "在线课程"),
    _lit(NOT_OPEN, "培训课程"),
    # 保险 (运费险 is the platform's own shipping cover)
    _re(NOT_OPEN, "(意外|人寿|寿|重疾|医疗|养老|车)险"),
    _lit(NOT_OPEN, "保险产品"),
    # 酒店/交通出游
    _lit(NOT_OPEN, "酒店住宿", variants=["酒店房券"]),
    _lit(NOT_OPEN, "机票", exceptions=["机票夹", "机票收纳", "机票包", "机票本"]),
    _lit(NOT_OPEN, "火车票", exceptions=["火车票夹"]),
    _lit(NOT_OPEN, "旅游线路", variants=["跟团游"]),
]

TERMS = (
    _ABSOLUTE_TERMS
    + _EFFICACY_TERMS
    + _DISPARAGE_TERMS
    + _REVIEW_TERMS
    + _OFF_PLATFORM_TERMS
    + _PRICE_TERMS
    + _PROHIBITED_TERMS
    + _NOT_OPEN_TERMS
)
