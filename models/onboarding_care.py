"""The ``[[care]]`` part of a community import: people who need care first (``models.care``).

Each entry: name, building/unit/room (their flat, one of ``[[rooms]]``), kind (elder_alone,
disability, illness, child), needs, contact_name, contact_phone, optional contact_openid (the
contact's WeChat, one of ``[[people]]``) and openid (the person's own, if they use WeChat), and the
consent: consent_by (person or guardian), consent_name (the guardian's name), consented_at (a
time with an offset, or relative to the import such as ``"-30d 10:00"``). Upserted by (flat, name).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from models.care import MAX_NAME, MAX_NEEDS, MAX_PHONE, CareError, CareKind, ConsentBy, register
from models.onboarding_dates import import_time, time_problem


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _flat(entry: dict[str, Any]) -> tuple[str, str, str]:
    return _text(entry.get("building")).upper(), _text(entry.get("unit")), _text(entry.get("room"))


def validate_care(
    data: dict[str, Any], rooms: set[tuple[str, str, str]], openids: set[str], *, now: datetime
) -> list[str]:
    """Every problem of the ``[[care]]`` entries, each naming its entry (in Chinese)."""
    problems: list[str] = []
    for i, entry in enumerate(data.get("care", [])):
        where = f"care[{i}]（{_text(entry.get('name')) or '无名'}）"
        if not 1 <= len(_text(entry.get("name"))) <= MAX_NAME:
            problems.append(f"{where} 缺少 name（不超过 {MAX_NAME} 个字）")
        if _flat(entry) not in rooms:
            problems.append(f"{where} 的房屋 {'-'.join(p for p in _flat(entry) if p)} 不在 [[rooms]] 中")
        if _text(entry.get("kind")) not in CareKind.__members__:
            problems.append(f"{where} 的 kind 无效：{entry.get('kind')!r}（可选 {', '.join(CareKind)}）")
        if not 1 <= len(_text(entry.get("contact_name"))) <= MAX_NAME:
            problems.append(f"{where} 缺少 contact_name（联系人姓名）")
        if not 5 <= len(_text(entry.get("contact_phone"))) <= MAX_PHONE:
            problems.append(f"{where} 缺少 contact_phone（联系人电话）")
        if len(_text(entry.get("needs"))) > MAX_NEEDS:
            problems.append(f"{where} 的 needs 超过 {MAX_NEEDS} 个字")
        consent_by = _text(entry.get("consent_by"))
        if consent_by not in ConsentBy.__members__:
            problems.append(f"{where} 需要 consent_by（本人同意写 person，监护人同意写 guardian）")
        elif consent_by == ConsentBy.guardian and not _text(entry.get("consent_name")):
            problems.append(f"{where} 由监护人同意，请写 consent_name（监护人姓名）")
        if entry.get("consented_at") is None:
            problems.append(f"{where} 缺少 consented_at（何时同意登记）")
        elif problem := time_problem(where, "consented_at", entry.get("consented_at"), now=now):
            problems.append(problem)
        for key in ("openid", "contact_openid"):
            openid = _text(entry.get(key))
            if openid and openid not in openids:
                problems.append(f"{where} 的 {key} {openid} 不在 [[people]] 中")
    return problems


def import_care(
    session: Session, *, data: dict[str, Any], now: datetime, count: Callable[[str, bool], None]
) -> None:
    """Upsert the entries (validated already)."""
    from models.onboarding import ImportError_  # onboarding imports this module

    for i, entry in enumerate(data.get("care", [])):
        try:
            _entry, created = register(
                session,
                name=_text(entry.get("name")),
                flat=_flat(entry),
                kind=_text(entry.get("kind")),
                needs=_text(entry.get("needs")),
                contact_name=_text(entry.get("contact_name")),
                contact_phone=_text(entry.get("contact_phone")),
                contact_openid=_text(entry.get("contact_openid")),
                openid=_text(entry.get("openid")),
                consent_by=_text(entry.get("consent_by")),
                consent_name=_text(entry.get("consent_name")),
                consented_at=import_time(entry.get("consented_at"), now=now),
                now=now,
            )
        except CareError as exc:
            raise ImportError_([f"care[{i}] 的 {exc.field}：{exc}"]) from exc
        count("care", created)
