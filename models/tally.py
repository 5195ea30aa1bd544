"""Counting owners' votes the way Civil Code Art. 278 does, as pure functions over plain data.

Quorum: owners holding at least 2/3 of the exclusive area AND at least 2/3 of the headcount
take part. Items 6–8 pass with at least 3/4 of the participating area AND headcount; the
other items with more than half of both. Headcount follows the Supreme People's Court
interpretation (法释〔2009〕7号 第九条): one exclusive unit counts as one owner, but an owner
of several units counts once, and the developer's unsold units count as one together.
"以上" includes the number itself (民法典第一千二百五十九条); "过半数" is strictly more than half.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

Choice = Literal["agree", "disagree", "abstain"]
CHOICES: tuple[Choice, ...] = ("agree", "disagree", "abstain")
DEVELOPER = "developer"
SPECIAL_MATTERS = frozenset({6, 7, 8})  # raising the fund; rebuilding; changing use of common parts
QUORUM = Fraction(2, 3)
SPECIAL_MAJORITY = Fraction(3, 4)
SIMPLE_MAJORITY = Fraction(1, 2)


@dataclass(frozen=True)
class Unit:
    """One exclusive part (专有部分) in the proposal's scope and who owns it."""

    room_id: int
    area: Fraction
    owner: str  # an owner identity; DEVELOPER for unsold units; a room-specific key if unknown


@dataclass(frozen=True)
class Tally:
    total_area: Fraction
    total_owners: int
    voted_area: Fraction
    voted_owners: int
    agree_area: Fraction
    agree_owners: int
    area_participation: Fraction
    head_participation: Fraction
    area_approval: Fraction
    head_approval: Fraction
    quorum: bool
    passed: bool
    reason: str

    def as_json(self) -> dict[str, object]:
        return {
            "area_participation": float(self.area_participation),
            "head_participation": float(self.head_participation),
            "area_approval": float(self.area_approval),
            "head_approval": float(self.head_approval),
            "quorum": self.quorum,
            "passed": self.passed,
            "reason": self.reason,
            "total_area": float(self.total_area),
            "total_owners": self.total_owners,
            "voted_area": float(self.voted_area),
            "voted_owners": self.voted_owners,
            "agree_area": float(self.agree_area),
            "agree_owners": self.agree_owners,
        }


def _ratio(part: Fraction | int, whole: Fraction | int) -> Fraction:
    return Fraction(part) / Fraction(whole) if whole else Fraction(0)


def _percent(value: Fraction) -> str:
    return f"{float(value) * 100:.1f}%"


def tally(units: Iterable[Unit], ballots: Mapping[str, Choice], *, matter: int) -> Tally:
    """The result for ``matter`` (1–9) given the units in scope and each owner's latest ballot."""
    if not 1 <= matter <= 9:
        raise ValueError(f"matter must be 1..9 (民法典第二百七十八条), got {matter}")
    # Exact sums, so their order does not matter: the whole area is added up per distinct area
    # (thousands of units share a few dozen), the voters' area over the voters' units only.
    owners: set[str] = set()
    areas: Counter[Fraction] = Counter()
    voted_area = agree_area = Fraction(0)
    for unit in units:
        owners.add(unit.owner)
        areas[unit.area] += 1
        choice = ballots.get(unit.owner)
        if choice is not None:
            voted_area += unit.area
            if choice == "agree":
                agree_area += unit.area
    total_area = sum((area * count for area, count in areas.items()), Fraction(0))
    total_owners = len(owners)
    voters = [owner for owner in owners if owner in ballots]
    agreeing = [owner for owner in voters if ballots[owner] == "agree"]
    area_participation = _ratio(voted_area, total_area)
    head_participation = _ratio(len(voters), total_owners)
    area_approval = _ratio(agree_area, voted_area)
    head_approval = _ratio(len(agreeing), len(voters))
    quorum = total_owners > 0 and area_participation >= QUORUM and head_participation >= QUORUM
    special = matter in SPECIAL_MATTERS
    if special:
        approved = area_approval >= SPECIAL_MAJORITY and head_approval >= SPECIAL_MAJORITY
    else:
        approved = area_approval > SIMPLE_MAJORITY and head_approval > SIMPLE_MAJORITY
    passed = quorum and approved
    reason = _explain(
        quorum=quorum,
        special=special,
        passed=passed,
        area_participation=area_participation,
        head_participation=head_participation,
        area_approval=area_approval,
        head_approval=head_approval,
    )
    return Tally(
        total_area=total_area,
        total_owners=total_owners,
        voted_area=voted_area,
        voted_owners=len(voters),
        agree_area=agree_area,
        agree_owners=len(agreeing),
        area_participation=area_participation,
        head_participation=head_participation,
        area_approval=area_approval,
        head_approval=head_approval,
        quorum=quorum,
        passed=passed,
        reason=reason,
    )


def _explain(
    *,
    quorum: bool,
    special: bool,
    passed: bool,
    area_participation: Fraction,
    head_participation: Fraction,
    area_approval: Fraction,
    head_approval: Fraction,
) -> str:
    turnout = (
        f"参与表决的业主占专有面积 {_percent(area_participation)}、占人数 {_percent(head_participation)}"
    )
    if not quorum:
        return f"{turnout}，未达到“面积和人数均占三分之二以上”的参与要求，不能形成决定，未通过。"
    bar = "参与表决面积和人数均四分之三以上同意" if special else "参与表决面积和人数均过半数同意"
    support = f"同意的占参与面积 {_percent(area_approval)}、参与人数 {_percent(head_approval)}"
    verdict = "达到" if passed else "未达到"
    return f"{turnout}，达到参与要求；{support}，{verdict}“{bar}”的要求，{'通过' if passed else '未通过'}。"
