"""Console charts carry their figures as text for people who cannot see the bars."""

from __future__ import annotations

from bot.web.charts import bar_chart, line_chart


def test_a_bar_chart_reads_out_its_figures() -> None:
    chart = str(bar_chart([("3栋", 5.0), ("5栋", 2.0)], unit="件"))
    assert 'aria-label="3栋 5件；5栋 2件"' in chart and "<title>3栋 5件；5栋 2件</title>" in chart


def test_a_line_chart_names_the_periods_without_data() -> None:
    chart = str(line_chart([("9月", 0.5), ("10月", None), ("11月", 1.0)], unit="%"))
    assert 'aria-label="9月 50%；10月 无数据；11月 100%"' in chart
