"""The bench's deterministic check: SQL statements and Python calls per message on realistic traffic.

Counts, not timings: they hold on a loaded machine. The budgets leave a margin over what the
code does today, so that a new N+1 query or a per-message load of the whole community fails here.
"""

from __future__ import annotations

from pathlib import Path

from bench.replay import replay


def _replay(tmp_path: Path, households: int) -> dict[str, object]:
    return replay(
        f"sqlite:///{tmp_path}/replay-{households}.db",
        households=households,
        seed=2026,
        messages=160,
        batch=8,
        profile=str(tmp_path / f"replay-{households}.prof"),
    )


def test_a_message_costs_a_handful_of_statements_whatever_the_size_of_the_community(
    tmp_path: Path,
) -> None:
    small, large = _replay(tmp_path, 100), _replay(tmp_path, 800)
    assert small["messages"] == large["messages"] == 160
    # About 5.5 today (6.9 before the homes of a batch were read in one statement).
    assert 0 < small["statements_per_message"] <= 6.5  # type: ignore[operator]
    assert 0 < large["statements_per_message"] <= 6.5  # type: ignore[operator]
    # Python work per message grows little with the community: a vote no longer loads every
    # room in scope as ORM objects (+19 % from 100 to 800 households before, +3 % now).
    growth = large["python_calls_per_message"] / small["python_calls_per_message"]  # type: ignore[operator]
    assert growth < 1.10, growth
