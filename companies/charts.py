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
    lines: list[str]  # the label as drawn: up to two lines, shortened with "…" only if it must be


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


# A label's line may hold this many characters per 100 units of a bar's slot: the phone's
# larger chart text (17 of the 600 units) is the narrow case.
CHARS_PER_100_UNITS = 10
LABEL_LINES = 2


def label_lines(label: str, slot: float) -> list[str]:
    """The label in at most two lines that fit under its bar, words kept whole where they fit;
    the full label stays in the tooltip and the table of numbers."""
    room = max(3, int(slot * CHARS_PER_100_UNITS / 100))
    lines, words = [], label.split()
    while words and len(lines) < LABEL_LINES:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= room:
            line += " " + words.pop(0)
        lines.append(line)
    if words or any(len(line) > room for line in lines):
        last = " ".join([lines[-1], *words]) if words else lines[-1]
        lines = [line if len(line) <= room else line[: room - 1] + "…" for line in lines[:-1]]
        lines.append(last if len(last) <= room else last[: room - 1].rstrip() + "…")
    return lines


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
            lines=label_lines(label, slot),
        ))
    return Chart(title=title, bars=bars, max_value=top, unit=unit)
