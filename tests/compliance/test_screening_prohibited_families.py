"""The handbook's prohibited (禁售) and not-open (未开放) lists, family by family: each is
caught by the seeded screening lists, plainly and through the usual evasions, while the
harmless goods that share a character or two with them are not."""

import pytest

from compliance.services import listing_screen

pytestmark = pytest.mark.django_db

PROHIBITED, NOT_OPEN = "prohibited_goods", "not_open_goods"


@pytest.fixture(autouse=True)
def _seeded(rules_seeded):
    pass


HITS = [
    # 虚拟类: game currency, game cards and top-ups (the reported defect)
    ("出售游戏币", PROHIBITED, "游戏币"),
    ("游 戏 币 便宜出", PROHIBITED, "游 戏 币"),  # spaces
    ("ｙｏｕｘｉ币 批发", PROHIBITED, "ｙｏｕｘｉ币"),  # pinyin, full-width
    ("游戏金币秒到", PROHIBITED, "游戏金币"),
    ("各类点卡", PROHIBITED, "点卡"),
    ("dian卡 九折", PROHIBITED, "dian卡"),
    ("王者荣耀代充", PROHIBITED, "代充"),
    ("代.充 秒到账", PROHIBITED, "代.充"),  # punctuation between the characters
    ("dai充 秒到", PROHIBITED, "dai充"),
    ("手游充值九折", PROHIBITED, "手游充值"),
    ("传奇私服 开区", PROHIBITED, "传奇私服"),
    ("虚拟币出售", PROHIBITED, "虚拟币"),
    # illegal software and devices, hunting tools
    ("手游作弊器", PROHIBITED, "作弊器"),
    ("正版破解版软件", PROHIBITED, "破解版"),
    ("信号屏蔽器 考场用", PROHIBITED, "信号屏蔽器"),
    ("开锁工具套装", PROHIBITED, "开锁工具"),
    ("电猫器 高压", PROHIBITED, "电猫器"),
    ("电子鸟媒 循环播放", PROHIBITED, "鸟媒"),
    # special-supply goods, counterfeits
    ("部队特供白酒", PROHIBITED, "部队特供"),
    ("高仿名牌包", PROHIBITED, "高仿"),
    ("A货手表", PROHIBITED, "A货"),
    # hazardous, obscene, gambling, tobacco
    ("雷管 炸药", PROHIBITED, "雷管"),
    ("色情影片合集", PROHIBITED, "色情影片"),
    ("透视扑克 送隐形眼镜", PROHIBITED, "透视扑克"),
    ("进口香烟整条", PROHIBITED, "香烟"),
    ("烟 弹 通用款", PROHIBITED, "烟 弹"),
    # not open: tickets, carrier products, games and memberships, services
    ("景区门票 电子票", NOT_OPEN, "门票"),
    ("电影票 全国通用", NOT_OPEN, "电影票"),
    ("大流量卡 全国通用", NOT_OPEN, "流量卡"),
    ("话费充值 九五折", NOT_OPEN, "话费充值"),
    ("冲话费 秒到", NOT_OPEN, "冲话费"),
    ("王者游戏帐号出售", NOT_OPEN, "游戏帐号"),
    ("视频VIP会员月卡", NOT_OPEN, "视频VIP"),
    ("爱奇艺会员 年卡", NOT_OPEN, "爱奇艺会员"),
    ("意外险 一年期", NOT_OPEN, "意外险"),
    ("二手房 急售", NOT_OPEN, "二手房"),
    ("海外直邮 保税仓", NOT_OPEN, "海外直邮"),
    ("医美项目 体验卡", NOT_OPEN, "医美项目"),
    ("往返机票", NOT_OPEN, "机票"),
    ("三天两晚跟团游", NOT_OPEN, "跟团游"),
]

NON_HITS = [
    "游戏手柄 无线蓝牙",
    "充电宝 20000毫安",
    "替代充电线 快充",
    "游戏机 掌机",
    "三点卡扣 安全带",
    "一点卡通图案T恤",
    "明星私服同款卫衣",
    "高仿真花 客厅摆件",
    "红色情侣装",
    "香烟盒 金属",
    "烟草味香水",
    "护照机票夹",
    "手机卡托 卡针",
    "运费险 七天无理由",
    "果蔬清洗机 去除农药残留",
    "二手车载冰箱",
    "门票夹 收纳册",
    "QQ音乐会员",
]


@pytest.mark.parametrize("text,rule,matched", HITS)
def test_prohibited_and_not_open_families_are_caught(text, rule, matched):
    hits = listing_screen(payload={"title": text})
    assert any(h["rule"] == rule and h["text"] == matched for h in hits), hits


@pytest.mark.parametrize("text", NON_HITS)
def test_harmless_goods_are_not_caught(text):
    assert listing_screen(payload={"title": text, "description": text}) == []
