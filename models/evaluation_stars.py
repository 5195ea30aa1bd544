"""How a service evaluation (物业服务评议) becomes a star rating (星级物业): the one written method.

Inputs: each answering household's five scores (保洁 安保 维修 绿化 客服, integers 1..5, one
answer per flat) and the period's 三率 (``models.stats.three_rates``: 响应率, 解决率, 满意率, each
in [0, 1] or None when there was nothing to rate).

1. Dimension mean ``m_d`` = the households' scores for dimension d summed, divided by the
   number of households that answered.
2. Residents' score ``R = (mean of the five m_d − 1) / 4``, in [0, 1] (all 1s → 0, all 5s → 1).
3. Operations score ``O`` = the plain mean of the 三率 that are not None; None if all are.
4. Combined ``C = 0.7 × R + 0.3 × O`` (``C = R`` when O is None), rounded to 4 decimals
   (R and O unrounded; they are published rounded to 4 decimals, for reading).
5. Stars = ``1 + floor(4 × C + 0.5)``, from 1 to 5 (half a step rounds up).
6. Fewer than ``MIN_HOUSEHOLDS`` answering households: no stars for the period (the figures are
   still published).

The published result keeps every input (each household's five scores, without the room; the
三率 with the counts behind them) and every intermediate figure, so :func:`star_rating` applied to
its ``answers`` and ``rates`` gives it back exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

DIMENSIONS = ("cleaning", "security", "repairs", "greenery", "service")
DIMENSION_NAMES = {
    "cleaning": "保洁",
    "security": "安保",
    "repairs": "维修",
    "greenery": "绿化",
    "service": "客服",
}
RATE_NAMES = {"response_rate": "响应率", "resolution_rate": "解决率", "satisfaction_rate": "满意率"}
WEIGHTS = {"residents": 0.7, "operations": 0.3}
MIN_HOUSEHOLDS = 3
METHOD = "stars-v1"


def _round(value: float) -> float:
    return float(Decimal(repr(value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def star_rating(answers: Sequence[Sequence[int]], rates: Mapping[str, float | None]) -> dict[str, Any]:
    """The published figures: ``answers`` are the households' scores in ``DIMENSIONS`` order,
    ``rates`` the period's 三率 (keys of ``RATE_NAMES``)."""
    households = len(answers)
    sums = {d: sum(a[i] for a in answers) for i, d in enumerate(DIMENSIONS)}
    means = {d: _round(sums[d] / households) if households else None for d in DIMENSIONS}
    present = [float(v) for k in RATE_NAMES if (v := rates.get(k)) is not None]
    operations = _round(sum(present) / len(present)) if present else None
    residents = None
    combined = None
    stars = None
    if households:
        exact = (sum(sums.values()) / (households * len(DIMENSIONS)) - 1) / 4
        if present:
            exact = WEIGHTS["residents"] * exact + WEIGHTS["operations"] * sum(present) / len(present)
        residents = _round((sum(sums.values()) / (households * len(DIMENSIONS)) - 1) / 4)
        combined = _round(exact)
    if combined is not None and households >= MIN_HOUSEHOLDS:
        stars = 1 + math.floor(Decimal(repr(combined)) * 4 + Decimal("0.5"))
    return {
        "method": METHOD,
        "weights": dict(WEIGHTS),
        "min_households": MIN_HOUSEHOLDS,
        "households": households,
        "answers": [list(a) for a in answers],
        "sums": sums,
        "means": means,
        "rates": {k: rates.get(k) for k in RATE_NAMES},
        "residents_score": residents,
        "operations_score": operations,
        "combined": combined,
        "stars": stars,
    }
