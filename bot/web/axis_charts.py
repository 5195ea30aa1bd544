"""Bar charts with axes for the 统计 page, drawn on the server as inline SVG (no script, no CDN).

Each chart has a labelled value axis with ticks and grid lines, the category axis named at the
top, every bar's value written at its end, and for rates the sample size behind each one
(「80%（n=5）」; with n=0 no bar and 「无数据」, never 0 % or 100 %). The figures are also the
chart's ``aria-label`` and ``<title>``, for screen readers and anyone who cannot read the bars.
The drawing is 360 units wide so that on a 390 px phone its text is read at about its own size.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from markupsafe import Markup

WIDTH, LEFT, RIGHT, TOP, BAR, GAP, AXIS = 360, 78, 92, 24, 20, 10, 52
LABEL_CHARS = 6


def rate_chart(title: str, category: str, rows: list[tuple[str, int, int]]) -> Markup:
    """Bars of rates from (label, hits, n); the axis runs 0–100 %."""
    bars = [(label, hits / size if size else None, _rate_text(hits, size)) for label, hits, size in rows]
    return _draw(title, category, "比例（%）", bars, top=1.0, ticks=[0, 0.25, 0.5, 0.75, 1.0], tick=_pct)


def count_chart(title: str, category: str, rows: list[tuple[str, int]], *, unit: str = "件") -> Markup:
    """Bars of counts from (label, count); the axis runs to a round number above the largest."""
    step = _step(max((value for _, value in rows), default=0))
    top = step * max(1, -(-max((v for _, v in rows), default=0) // step))
    ticks = [step * i for i in range(int(top // step) + 1)]
    bars = [(label, float(value), f"{value}{unit}") for label, value in rows]
    return _draw(title, category, f"数量（{unit}）", bars, top=float(top), ticks=ticks, tick=_whole)


def percent(hits: int, size: int) -> int:
    """``hits`` of ``size`` as a whole percentage, halves rounded up (1 of 8 is 13 %); size > 0."""
    return (200 * hits + size) // (2 * size)


def _rate_text(hits: int, size: int) -> str:
    return f"{percent(hits, size)}%（n={size}）" if size else "无数据（n=0）"


def _pct(value: float) -> str:
    return f"{round(value * 100)}%"


def _whole(value: float) -> str:
    return f"{value:.0f}"


def _step(largest: int) -> int:
    """A round tick step giving at most five steps up to ``largest``."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if largest <= step * 5:
            return step
    return 10 ** len(str(largest))


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _draw(
    title: str,
    category: str,
    axis: str,
    bars: list[tuple[str, float | None, str]],
    *,
    top: float,
    ticks: list[float],
    tick: Callable[[float], str],
) -> Markup:
    if not bars:
        return Markup('<p class="empty">本月没有{}的数据。</p>').format(category)
    span = WIDTH - LEFT - RIGHT
    bottom = TOP + len(bars) * (BAR + GAP)
    height = bottom + AXIS
    parts = [f'<text class="axis-name" x="{LEFT - 8}" y="14" text-anchor="end">{escape(category)}</text>']
    for value in ticks:  # grid lines, tick marks and their numbers
        x = LEFT + span * (value / top if top else 0)
        parts.append(
            f'<line class="grid" x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{bottom}"></line>'
            f'<line class="tick" x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 5}"></line>'
            f'<text x="{x:.1f}" y="{bottom + 19}" text-anchor="middle">{escape(tick(value))}</text>'
        )
    parts.append(
        f'<line class="axis" x1="{LEFT}" y1="{bottom}" x2="{LEFT + span}" y2="{bottom}"></line>'
        f'<line class="axis" x1="{LEFT}" y1="{TOP - 4}" x2="{LEFT}" y2="{bottom}"></line>'
        f'<text class="axis-name" x="{LEFT + span / 2:.1f}" y="{height - 6}" text-anchor="middle">{escape(axis)}</text>'
    )
    for index, (label, value, text) in enumerate(bars):
        y = TOP + index * (BAR + GAP)
        parts.append(f'<text x="{LEFT - 8}" y="{y + 15}" text-anchor="end">{escape(_short(label))}</text>')
        length = span * value / top if value is not None and top else 0.0
        if value is not None and length > 0:
            parts.append(f'<rect x="{LEFT}" y="{y}" width="{length:.1f}" height="{BAR}" rx="2"></rect>')
        css = ' class="none"' if value is None else ""
        parts.append(f'<text{css} x="{LEFT + length + 5:.1f}" y="{y + 15}">{escape(text)}</text>')
    summary = f"{title}：" + "；".join(f"{label} {text}" for label, _, text in bars)
    return Markup(
        f'<svg class="chart axes" viewBox="0 0 {WIDTH} {height}" role="img" width="100%"'
        f' aria-label="{escape(summary)}"><title>{escape(summary)}</title>{"".join(parts)}</svg>'
    )
