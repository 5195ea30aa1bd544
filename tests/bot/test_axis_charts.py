"""The 统计 page's bar charts (bot.web.axis_charts): axes with round ticks, each bar's value and n,
no bar and 「无数据」 where n=0, and the figures as the chart's accessible name."""

from __future__ import annotations

import re

from bot.web.axis_charts import count_chart, rate_chart


def test_a_rate_with_no_sample_draws_no_bar_and_says_so() -> None:
    svg = str(rate_chart("满意率（按楼栋）", "楼栋", [("1栋", 3, 4), ("2栋", 0, 0), ("3栋", 0, 2)]))
    assert 'role="img"' in svg
    assert 'aria-label="满意率（按楼栋）：1栋 75%（n=4）；2栋 无数据（n=0）；3栋 0%（n=2）"' in svg
    assert svg.count("<rect") == 1  # 2栋 has nothing to rate; 3栋's 0 % is no bar either
    assert [f"{t}%" for t in (0, 25, 50, 75, 100)] == re.findall(r">(\d+%)</text>", svg)[:5]
    assert ">比例（%）<" in svg and ">楼栋<" in svg


def test_percentages_round_halves_up() -> None:
    svg = str(rate_chart("解决率（按楼栋）", "楼栋", [("1栋", 1, 8), ("2栋", 1, 3), ("3栋", 2, 3)]))
    assert "1栋 13%（n=8）；2栋 33%（n=3）；3栋 67%（n=3）" in svg


def test_counts_run_to_a_round_number_and_names_are_escaped() -> None:
    svg = str(count_chart("收到工单（按处理人）", "处理人", [("<王师傅>", 7), ("李师傅", 3)]))
    ticks = re.findall(r'text-anchor="middle">(\d+)</text>', svg)
    assert ticks == ["0", "2", "4", "6", "8"]
    assert "&lt;王师傅&gt;" in svg and "<王师傅>" not in svg and "7件" in svg
    assert ">数量（件）<" in svg
    assert "没有" in str(count_chart("收到工单（按处理人）", "处理人", []))
