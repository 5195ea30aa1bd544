"""The star method of 物业服务评议 at its edges, and the periods it is computed over."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models.evaluation_stars import star_rating
from models.evaluations import period_bounds

NO_RATES = {"response_rate": None, "resolution_rate": None, "satisfaction_rate": None}


def test_the_ends_of_the_scale_are_one_and_five_stars() -> None:
    perfect = {"response_rate": 1.0, "resolution_rate": 1.0, "satisfaction_rate": 1.0}
    assert star_rating([[5] * 5] * 3, perfect)["stars"] == 5
    worst = {"response_rate": 0.0, "resolution_rate": 0.0, "satisfaction_rate": 0.0}
    assert star_rating([[1] * 5] * 3, worst)["stars"] == 1


def test_without_any_rate_the_residents_alone_decide_and_half_a_step_rounds_up() -> None:
    result = star_rating([[3] * 5, [4] * 5, [3] * 5, [4] * 5], NO_RATES)
    assert result["operations_score"] is None and result["combined"] == 0.625
    assert result["stars"] == 4  # 1 + floor(4 × 0.625 + 0.5) = 1 + 3


def test_too_few_households_get_figures_but_no_stars() -> None:
    result = star_rating([[5] * 5, [5] * 5], NO_RATES)
    assert result["stars"] is None and result["households"] == 2 and result["means"]["cleaning"] == 5
    assert star_rating([], NO_RATES)["combined"] is None


def test_a_quarter_is_three_local_months_and_the_fourth_ends_with_the_year() -> None:
    start, end = period_bounds("2026-Q4")
    assert start == datetime(2026, 9, 30, 16, tzinfo=UTC)  # 1 October, 00:00 in Beijing
    assert end == datetime(2026, 12, 31, 16, tzinfo=UTC)
    assert period_bounds("2026-12")[1] == end
    with pytest.raises(ValueError):
        period_bounds("2026-Q5")
