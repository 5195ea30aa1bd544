"""Slot extraction: address, floor, spot, repair category, urgency, phone and appointment time.

`extract_slots(text)` returns only the keys it found evidence for. Keys: building, unit, room,
lane, floor, spot (strings; numbers as Arabic digits), category, urgency ("urgent"/"normal"),
phone (digits only), when ("YYYY-MM-DD", "YYYY-MM-DD 下午" or "YYYY-MM-DD HH:MM").
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from nlp.numerals import to_halfwidth
from nlp.slots.address import find_address, find_floor, find_spot
from nlp.slots.phone import find_phones, mask_phones
from nlp.slots.repair import find_category, find_urgency
from nlp.slots.when import find_when

__all__ = ["ADDRESS_FILE", "evaluate_addresses", "extract_address", "extract_slots"]

ADDRESS_FILE = Path(__file__).resolve().parent.parent / "data" / "addresses.tsv"


def extract_address(text: str) -> dict[str, str]:
    """Only the address keys (building, unit, room, lane, floor, spot) of `text`."""
    s = to_halfwidth(text)
    s = mask_phones(s, find_phones(s))
    slots: dict[str, str] = {}
    address = find_address(s)
    if address is not None:
        for key in ("building", "unit", "room", "lane"):
            if (value := getattr(address, key)) is not None:
                slots[key] = value
    if (floor := find_floor(s)) is not None:
        slots["floor"] = floor
    if (spot := find_spot(s)) is not None:
        slots["spot"] = spot
    return slots


def extract_slots(text: str, *, today: dt.date | None = None) -> dict[str, str]:
    """Every slot found in one resident message; `today` anchors relative times (default: today)."""
    s = to_halfwidth(text)
    phones = find_phones(s)
    masked = mask_phones(s, phones)
    slots = extract_address(masked)
    if (category := find_category(masked)) is not None:
        slots["category"] = category
    if (urgency := find_urgency(masked, category=category)) is not None:
        slots["urgency"] = urgency
    if phones:
        slots["phone"] = phones[0][2]
    if (when := find_when(masked, today or dt.date.today())) is not None:
        slots["when"] = when
    return slots


def evaluate_addresses(path: str | Path = ADDRESS_FILE) -> dict[str, Any]:
    """Exact match of (building, unit, room) over `text<TAB>building<TAB>unit<TAB>room` lines.

    Blank lines and lines starting with # are skipped. Returns {"address_exact_match", "total",
    "errors": the first ten mismatches as {text, expected, got}}.
    """
    total = correct = 0
    errors: list[dict[str, Any]] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        text = fields[0]
        expected = tuple([*fields[1:], "", "", ""][:3])
        found = extract_address(text)
        got = tuple(found.get(key, "") for key in ("building", "unit", "room"))
        total += 1
        if got == expected:
            correct += 1
        elif len(errors) < 10:
            errors.append({"text": text, "expected": list(expected), "got": list(got)})
    return {"address_exact_match": correct / total if total else 0.0, "total": total, "errors": errors}
