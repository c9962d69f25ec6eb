"""Server-rendered charts: geometry is computed here, the SVG is written by a template
(so every label is escaped like any other text). No JavaScript, no chart service."""

import math
from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format

WIDTH, HEIGHT, PADDING_TOP, PADDING_BOTTOM, PADDING_LEFT = 600, 220, 20, 40, 36


# Geometry is kept in whole units of the 600 × 220 viewBox: the template engine
# localises floats (Russian, German and Swedish write 42,5), which would break
# every coordinate, while integers print the same in every language.
@dataclass
class Bar:
    x: int
    y: int
    width: int
    height: int
    label: str
    value: float
    text: str


@dataclass
class Chart:
    title: str
    bars: list[Bar]
    max_value: float
    unit: str
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def baseline(self) -> float:
        return self.height - PADDING_BOTTOM

    @property
    def ticks(self) -> list[dict]:
        steps = 4
        plot = self.baseline - PADDING_TOP
        return [
            {"y": round(self.baseline - plot * i / steps),
             "label": _format(self.max_value * i / steps, self.unit)}
            for i in range(steps + 1)
        ]


def _format(value: float, unit: str) -> str:
    if unit == "%":
        return f"{round(value)}%"
    return f"{value:g}" if value != int(value) else str(int(value))


def month_label(key: str) -> str:
    year, month = (int(part) for part in key.split("-"))
    return date_format(date(year, month, 1), "M")


def bar_chart(title: str, points: list[tuple[str, float, str]], *, max_value: float | None = None,
              unit: str = "") -> Chart:
    """Vertical bars for (label, value, text-for-screen-readers) points."""
    if max_value is None:
        # Counts: a top that divides into four whole-number steps.
        highest = max([value for _label, value, _text in points] + [1])
        max_value = max(4, math.ceil(highest / 4) * 4)
    top = max_value
    plot_width = WIDTH - PADDING_LEFT - 10
    slot = plot_width / max(len(points), 1)
    plot_height = HEIGHT - PADDING_TOP - PADDING_BOTTOM
    bars = []
    for index, (label, value, text) in enumerate(points):
        height = round(plot_height * (value / top)) if top else 0
        bars.append(Bar(
            x=round(PADDING_LEFT + index * slot + slot * 0.15), y=HEIGHT - PADDING_BOTTOM - height,
            width=round(slot * 0.7), height=height, label=label, value=value, text=text,
        ))
    return Chart(title=title, bars=bars, max_value=top, unit=unit)
