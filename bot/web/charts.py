"""Charts for the console as inline SVG, drawn on the server: no script, no CDN, works offline.

Each chart carries its figures as text (``aria-label`` and ``<title>``: 「3栋 5件；4栋 2件」) for
screen readers and for anyone who cannot read the bars.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH = 560, 22, 8, 120


def bar_chart(items: list[tuple[str, float]], *, unit: str = "", maximum: float | None = None) -> Markup:
    """Horizontal bars, one per (label, value); an empty list draws a short note instead."""
    if not items:
        return Markup('<p class="empty">暂无数据</p>')
    top = maximum or max(value for _, value in items) or 1
    height = len(items) * (BAR_HEIGHT + GAP)
    span = WIDTH - LABEL_WIDTH - 60
    rows = []
    for index, (label, value) in enumerate(items):
        y = index * (BAR_HEIGHT + GAP)
        length = max(1.0, span * value / top)
        rows.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" rx="3"></rect>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 16}">{_number(value)}{escape(unit)}</text>'
        )
    summary = "；".join(f"{label} {_number(value)}{unit}" for label, value in items)
    return Markup(
        f'<svg class="chart bar" viewBox="0 0 {WIDTH} {height}" role="img" width="100%"'
        f' aria-label="{escape(summary)}"><title>{escape(summary)}</title>{"".join(rows)}</svg>'
    )


def line_chart(points: list[tuple[str, float | None]], *, unit: str = "", maximum: float = 1.0) -> Markup:
    """A trend over labelled periods; ``None`` values leave a gap (nothing to rate that period)."""
    if not any(value is not None for _, value in points):
        return Markup('<p class="empty">暂无数据</p>')
    height, pad = 180, 30
    step = (WIDTH - 2 * pad) / max(1, len(points) - 1)
    coords = [
        (pad + i * step, height - pad - (height - 2 * pad) * (value / maximum)) if value is not None else None
        for i, (_, value) in enumerate(points)
    ]
    path, pen_down = [], False
    for coord in coords:
        if coord is None:
            pen_down = False
            continue
        path.append(f"{'L' if pen_down else 'M'}{coord[0]:.1f},{coord[1]:.1f}")
        pen_down = True
    marks = "".join(
        f'<circle cx="{c[0]:.1f}" cy="{c[1]:.1f}" r="3"></circle>'
        f'<text x="{c[0]:.1f}" y="{c[1] - 8:.1f}" text-anchor="middle">{_number(v * (100 if unit == "%" else 1))}{unit}</text>'
        for c, (_, v) in zip(coords, points, strict=True)
        if c is not None and v is not None
    )
    labels = "".join(
        f'<text x="{pad + i * step:.1f}" y="{height - 8}" text-anchor="middle">{escape(label)}</text>'
        for i, (label, _) in enumerate(points)
    )
    summary = "；".join(
        f"{label} {_number(value * (100 if unit == '%' else 1)) + unit if value is not None else '无数据'}"
        for label, value in points
    )
    return Markup(
        f'<svg class="chart line" viewBox="0 0 {WIDTH} {height}" role="img" width="100%"'
        f' aria-label="{escape(summary)}"><title>{escape(summary)}</title>'
        f'<path d="{" ".join(path)}"></path>{marks}{labels}</svg>'
    )


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
