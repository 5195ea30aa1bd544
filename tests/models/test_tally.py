"""The Art. 278 tally against a deliberately plain second implementation, boundaries included."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.tally import DEVELOPER, Unit, tally


def plain_tally(rooms: list[tuple[int, int, str]], ballots: dict[str, str], matter: int) -> tuple[bool, bool]:
    """rooms: (room_id, area in hundredths of m², owner). Integer arithmetic only: (quorum, passed)."""
    owners: list[str] = []
    area: dict[str, int] = {}
    for _room, hundredths, owner in rooms:
        if owner not in owners:
            owners.append(owner)
            area[owner] = 0
        area[owner] += hundredths
    total_area = 0
    for owner in owners:
        total_area += area[owner]
    voted_owners = 0
    voted_area = 0
    agree_owners = 0
    agree_area = 0
    for owner in owners:
        if owner in ballots:
            voted_owners += 1
            voted_area += area[owner]
            if ballots[owner] == "agree":
                agree_owners += 1
                agree_area += area[owner]
    if not owners:
        return False, False
    # participation >= 2/3  <=>  3 * part >= 2 * whole
    quorum = 3 * voted_area >= 2 * total_area and 3 * voted_owners >= 2 * len(owners)
    if voted_owners == 0:
        return quorum, False
    if matter in (6, 7, 8):
        approved = 4 * agree_area >= 3 * voted_area and 4 * agree_owners >= 3 * voted_owners
    else:
        approved = 2 * agree_area > voted_area and 2 * agree_owners > voted_owners
    return quorum, quorum and approved


owners = st.sampled_from(["p1", "p2", "p3", "p4", "p5", "p6", DEVELOPER])
rooms_strategy = st.lists(
    st.tuples(st.integers(1, 10_000), st.sampled_from([5000, 8950, 11830, 12000]), owners),
    min_size=1,
    max_size=25,
    unique_by=lambda room: room[0],
)
ballot_strategy = st.dictionaries(owners, st.sampled_from(["agree", "disagree", "abstain"]))


@settings(max_examples=400, deadline=None)
@given(rooms=rooms_strategy, ballots=ballot_strategy, matter=st.integers(1, 9))
def test_tally_agrees_with_the_plain_count(rooms: list, ballots: dict, matter: int) -> None:
    units = [Unit(room_id, Fraction(hundredths, 100), owner) for room_id, hundredths, owner in rooms]
    result = tally(units, ballots, matter=matter)
    assert (result.quorum, result.passed) == plain_tally(rooms, ballots, matter)
    for ratio in (
        result.area_participation,
        result.head_participation,
        result.area_approval,
        result.head_approval,
    ):
        assert 0 <= ratio <= 1


def _units(*owners: str, area: int = 100) -> list[Unit]:
    return [Unit(i, Fraction(area), owner) for i, owner in enumerate(owners)]


def test_exactly_two_thirds_taking_part_is_a_quorum() -> None:
    units = _units("a", "b", "c")
    assert tally(units, {"a": "agree", "b": "agree"}, matter=1).quorum
    assert not tally(units, {"a": "agree"}, matter=1).quorum


def test_exactly_half_agreeing_is_not_a_majority() -> None:
    units = _units("a", "b", "c", "d")
    result = tally(units, {"a": "agree", "b": "agree", "c": "disagree", "d": "abstain"}, matter=1)
    assert result.quorum and result.area_approval == Fraction(1, 2) and not result.passed
    assert "未达到" in result.reason


def test_exactly_three_quarters_passes_a_special_matter() -> None:
    units = _units("a", "b", "c", "d")
    ballots = {"a": "agree", "b": "agree", "c": "agree", "d": "disagree"}
    assert tally(units, ballots, matter=7).passed
    assert not tally(units, {**ballots, "c": "abstain"}, matter=7).passed  # 2/4 < 3/4


def test_area_and_headcount_must_both_pass() -> None:
    # One owner with a huge flat agrees; three small owners disagree: area yes, headcount no.
    units = [Unit(1, Fraction(400), "big"), *(Unit(i, Fraction(50), f"s{i}") for i in (2, 3, 4))]
    result = tally(units, {"big": "agree", "s2": "disagree", "s3": "disagree", "s4": "disagree"}, matter=1)
    assert result.area_approval > Fraction(1, 2) and result.head_approval < Fraction(1, 2)
    assert not result.passed


def test_an_owner_of_several_units_and_the_developer_each_count_once() -> None:
    units = [
        Unit(1, Fraction(90), "p1"),
        Unit(2, Fraction(90), "p1"),
        Unit(3, Fraction(90), DEVELOPER),
        Unit(4, Fraction(90), DEVELOPER),
        Unit(5, Fraction(90), DEVELOPER),
        Unit(6, Fraction(90), "p2"),
    ]
    result = tally(units, {"p1": "agree", DEVELOPER: "agree"}, matter=1)
    assert result.total_owners == 3
    assert result.head_participation == Fraction(2, 3)
    assert result.area_participation == Fraction(5, 6)


def test_matter_outside_one_to_nine_is_refused() -> None:
    with pytest.raises(ValueError, match=r"1\.\.9"):
        tally(_units("a"), {}, matter=10)
