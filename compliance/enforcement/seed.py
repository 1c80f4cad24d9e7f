"""The catalogue of violation types the platform starts with (reviewers edit it in the
admin afterwards). Loaded by migration 0009 and by `compliance.loaders.load_violation_types`
(reference data: `load_categories` and the demo data load it too, which a database emptied
by tests needs)."""

# code, name, default points, source kinds
TYPES = [
    ("sampling_failure", "商品抽检不合格", 12, ["sampling", "quality_report"]),
    ("unsafe_goods", "质量不合格或行政部门要求协查的商品", 12,
     ["regulator", "media", "quality_report"]),
    ("prohibited_goods", "发布禁售商品", 24, ["data_screening", "regulator", "complaint"]),
    ("counterfeit", "售假或侵犯知识产权", 48, ["court", "complaint", "regulator"]),
    ("false_advertising", "虚假宣传", 6, ["complaint", "data_screening", "regulator", "media"]),
    ("private_trade", "引导私下交易", 12, ["complaint", "data_screening"]),
    ("fake_orders", "虚假交易、刷单或操纵评价", 24, ["data_screening", "complaint"]),
    ("late_shipment", "超时发货", 2, ["data_screening"]),
    ("late_pickup", "超时揽收", 1, ["data_screening"]),
    ("live_promise_broken", "未履行直播承诺", 6, ["complaint", "media"]),
    ("aftersale_contact_missed", "售后超时未联系买家", 1, ["complaint"]),
    ("aftersale_reship_overdue", "换货超时未补发", 2, ["complaint"]),
    ("aftersale_merchant_fault", "售后判定商家责任", 2, ["complaint"]),
]


def seed_violation_types(ViolationType) -> int:  # noqa: N803 - a model class, historical or not
    """Create the types that do not exist yet (existing rows stay as reviewers left them)."""
    created = 0
    for code, name, points, sources in TYPES:
        _type, made = ViolationType.objects.get_or_create(
            code=code, defaults={"name": name, "default_points": points,
                                 "source_kinds": sources})
        created += made
    return created
