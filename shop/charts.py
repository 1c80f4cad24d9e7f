"""Geometry of the small server-rendered SVG charts (no script, no library): the template
draws what these return in a fixed viewBox that scales with the page."""

from dataclasses import dataclass, field
from decimal import Decimal

WIDTH, HEIGHT = 400, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 24


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom_y: int = HEIGHT - BOTTOM
    right_x: int = WIDTH - RIGHT
    bars: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    y_ticks: list = field(default_factory=list)  # (y, label)
    x_labels: list = field(default_factory=list)  # (x, label, text-anchor)
    empty: bool = True

    @property
    def mid_x(self) -> float:
        return (self.left + self.right_x) / 2

    @property
    def mid_y(self) -> float:
        return (TOP + self.bottom_y) / 2


def _nice_max(value: Decimal) -> Decimal:
    """The smallest 1, 2 or 5 × 10^n at or above value (at least 1)."""
    if value <= 1:
        return Decimal(1)
    step = Decimal(1)
    while True:
        for m in (1, 2, 5):
            if step * m >= value:
                return step * m
        step *= 10


def _fmt(value: Decimal) -> str:
    if value >= 10000:
        return f"{value / 1000:,.0f}k"
    return f"{value:,.0f}"


def _x_labels(xs: list, labels: list) -> list:
    if not xs:
        return []
    picks = sorted({0, len(xs) // 2, len(xs) - 1})
    last = len(xs) - 1
    # The first label starts at its point and the last ends there, so neither is cut off.
    return [(round(xs[i], 1), labels[i],
             "start" if i == 0 and last else "end" if i == last and last else "middle")
            for i in picks]


def bar_chart(values: list, labels: list) -> Chart:
    """One bar per value (None or 0 draws nothing), the y axis from 0 to a round maximum."""
    chart = Chart()
    values = [Decimal(v or 0) for v in values]
    top = _nice_max(max(values, default=Decimal(0)))
    plot_w = chart.right_x - chart.left
    plot_h = chart.bottom_y - TOP
    slot = plot_w / max(len(values), 1)
    gap = min(2, slot * 0.2)
    xs = []
    for i, value in enumerate(values):
        x = chart.left + i * slot
        xs.append(x + slot / 2)
        if value > 0:
            h = float(value / top) * plot_h
            chart.bars.append({"x": round(x + gap / 2, 1), "y": round(chart.bottom_y - h, 1),
                               "w": round(slot - gap, 1), "h": round(h, 1),
                               "label": labels[i], "value": value})
    chart.empty = not chart.bars
    chart.y_ticks = [(chart.bottom_y, "0"), (round(chart.bottom_y - plot_h / 2, 1), _fmt(top / 2)),
                     (TOP, _fmt(top))]
    chart.x_labels = _x_labels(xs, labels)
    return chart


def line_chart(series: dict, labels: list, *, low=Decimal(1), high=Decimal(5)) -> Chart:
    """One line per series over the same x positions; a None value is a gap (the line
    breaks there), and a value with no neighbour is drawn as a dot."""
    chart = Chart()
    n = len(labels)
    plot_w = chart.right_x - chart.left
    plot_h = chart.bottom_y - TOP
    step = plot_w / max(n - 1, 1)
    xs = [chart.left + i * step for i in range(n)]
    span = high - low
    for index, (name, values) in enumerate(series.items()):
        segments, current, dots = [], [], []
        for i, value in enumerate(values):
            if value is None:
                if current:
                    segments.append(current)
                current = []
                continue
            y = chart.bottom_y - float((Decimal(value) - low) / span) * plot_h
            current.append((round(xs[i], 1), round(y, 1)))
        if current:
            segments.append(current)
        paths = []
        for segment in segments:
            if len(segment) == 1:
                dots.append(segment[0])
            else:
                paths.append("M" + " L".join(f"{x},{y}" for x, y in segment))
        if paths or dots:
            chart.empty = False
        # Later series draw smaller dots, so equal scores stay visible as rings.
        chart.lines.append({"name": name, "paths": paths, "dots": dots,
                            "r": max(4.5 - 1.2 * index, 1.5)})
    chart.y_ticks = [(chart.bottom_y, f"{low:.0f}"), (round(chart.bottom_y - plot_h / 2, 1),
                     f"{(low + high) / 2:.0f}"), (TOP, f"{high:.0f}")]
    chart.x_labels = _x_labels(xs, labels)
    return chart
