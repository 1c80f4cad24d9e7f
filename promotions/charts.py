"""Promotion orders compared side by side: one small server-rendered SVG bar chart per
figure (shop.charts geometry, no script), one bar per order, a zero or "—" drawing none."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from common.money import format_cny
from promotions.rules import ads as rules
from shop.charts import bar_chart

METRICS = [
    ("exposures", _("Exposures"), "count"),
    ("plays", _("Plays"), "count"),
    ("new_fans", _("New fans"), "count"),
    ("clicks", _("Product clicks"), "count"),
    ("spent", _("Spent"), "money"),
    ("cost_per_fan", _("Cost per new fan"), "money"),
    ("cover_click_rate", _("Cover click rate"), "percent"),
]


def _value(order, name):
    if name == "cost_per_fan":
        return rules.cost_per_fan(order.spent, order.new_fans)
    if name == "cover_click_rate":
        return rules.cover_click_rate(order.plays, order.exposures)
    return getattr(order, name)


def _display(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "money":
        return format_cny(value)
    if kind == "percent":
        return f"{value}%"
    return f"{value:,}"


def comparison_charts(orders) -> list[dict]:
    labels = [f"#{o.pk}" for o in orders]
    charts = []
    for name, title, kind in METRICS:
        values = [_value(o, name) for o in orders]
        chart = bar_chart([Decimal(v or 0) for v in values], labels)
        shown = dict(zip(labels, (_display(v, kind) for v in values), strict=True))
        for bar in chart.bars:
            bar["display"] = shown[bar["label"]]
        # Every order is named under its bar (there are only a few).
        slot = (chart.right_x - chart.left) / max(len(orders), 1)
        chart.x_labels = [(round(chart.left + i * slot + slot / 2, 1), label, "middle")
                          for i, label in enumerate(labels)]
        charts.append({"name": name, "title": title, "chart": chart,
                       "values": [_display(v, kind) for v in values]})
    return charts
